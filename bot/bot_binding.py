"""Bind each of aiogram's objects to the bot in one step instead of four.

Every Telegram object aiogram builds (an update and everything in it, every answer to a
request and everything in that: the echoed message, its entities, each button of its keyboard)
remembers the bot it came through, so that `message.answer()` knows where to send. aiogram does
it in `model_post_init`, and pydantic wraps that for a model with private attributes: the
wrapper initialises them one by one (looking up each default, deep-copying it) and then aiogram
sets `_bot` through pydantic's `__setattr__`. That is several Python calls per object, dozens
of objects per update: in a microbenchmark, two thirds of the time to read back a schedule page
Telegram had echoed.

`bind_in_one_step()` gives each aiogram type whose only private attribute is `_bot`, and whose
post-init is aiogram's, a post-init that stores the same dictionary directly. The result is the
same object, bound to the same bot; tests/test_bot_binding.py compares both ways on real updates
and answers.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

if TYPE_CHECKING:
    from aiogram.types import TelegramObject

_PRIVATE = "__pydantic_private__"


def _bind(self: TelegramObject, context: Any, /) -> None:
    """What pydantic's wrapper and aiogram's post-init do together, as one assignment."""
    bot = context.get("bot") if context else None
    private = getattr(self, _PRIVATE, None)
    if private is None:
        object.__setattr__(self, _PRIVATE, {"_bot": bot})
    else:
        private["_bot"] = bot


def _subclasses(cls: type[BaseModel]) -> list[type[BaseModel]]:
    found: list[type[BaseModel]] = []
    for sub in cls.__subclasses__():
        found += [sub, *_subclasses(sub)]
    return found


def _unwrapped(post_init: Any) -> Any:
    """The function inside pydantic's wrappers (one per class of the hierarchy, each
    initialising the private attributes again); None if anything else wraps it."""
    while hasattr(post_init, "__wrapped__"):
        code = getattr(post_init, "__code__", None)
        if code is None or code.co_name != "wrapped_model_post_init":
            return None
        post_init = post_init.__wrapped__
    return post_init


def bind_in_one_step() -> int:
    """Install the one-step post-init on aiogram's types; how many took it.

    aiogram is imported here, not with this module, so that bot/__init__.py can defer its
    schemas first (bot/deferred_schemas.py).
    """
    base = importlib.import_module("aiogram.types.base").TelegramObject
    stock = importlib.import_module("aiogram.client.context_controller").BotContextController
    aiogram_s = _unwrapped(stock.model_post_init)
    taken = 0
    for cls in {base, *_subclasses(base)}:
        if not cls.__module__.startswith("aiogram."):
            continue
        own = _unwrapped(cls.model_post_init)
        if set(cls.__private_attributes__) == {"_bot"} and own is not None and own is aiogram_s:
            setattr(cls, "model_post_init", _bind)  # noqa: B010 (pydantic looks it up by name)
            taken += 1
    return taken
