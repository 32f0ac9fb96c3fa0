"""Update middlewares: who is writing, which updates are still being handled, when an
unfinished dialogue ends, and the services the handler that takes an update asks for."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Dispatcher
from aiogram.dispatcher.flags import get_flag
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message, TelegramObject, User
from aiogram.utils.callback_answer import CallbackAnswerMiddleware

from bot.callbacks import MenuAction, MenuCb
from bot.filters import command_name
from bot.services.people import PeopleService

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class PersonMiddleware(BaseMiddleware):
    """Puts the `person` (stored row) into the handler data for updates from a private chat.

    The PeopleService caches, so this costs a database write only on first contact, on a
    change of name or language, or every few minutes to keep `last_seen` fresh.
    """

    def __init__(self, people: PeopleService) -> None:
        self._people = people

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        user: User | None = data.get("event_from_user")
        chat = data.get("event_chat")
        if user is not None and not user.is_bot and (chat is None or chat.type == "private"):
            data["person"] = await self._people.recognize(
                user.id,
                full_name=user.full_name,
                username=user.username,
                telegram_language=user.language_code,
            )
        return await handler(event, data)


class InFlight(BaseMiddleware):
    """Counts updates being handled, so shutdown can let them finish before closing storage."""

    def __init__(self) -> None:
        self._active = 0
        self._idle = asyncio.Event()
        self._idle.set()

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        self._active += 1
        self._idle.clear()
        try:
            return await handler(event, data)
        finally:
            self._active -= 1
            if self._active == 0:
                self._idle.set()

    @property
    def active(self) -> int:
        return self._active

    async def wait_idle(self, seconds: float) -> bool:
        """Wait until no update is being handled; False if `seconds` passed first."""
        try:
            async with asyncio.timeout(seconds):
                await self._idle.wait()
        except TimeoutError:
            return False
        return True


class AnswerCallbacks(CallbackAnswerMiddleware):
    """Answers every callback query after its handler, unless the handler answered itself.

    Unlike aiogram's own middleware it does not answer when the handler fails: the error
    handler then answers with an apology the person can read, instead of a silent answer.
    """

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        if not isinstance(event, CallbackQuery):
            return await handler(event, data)
        answer = data["callback_answer"] = self.construct_callback_answer(
            properties=get_flag(data, "callback_answer")
        )
        result = await handler(event, data)
        if not answer.disabled and not answer.answered:
            await self.answer(event, answer)
        return result


# The commands a dialogue answers itself: they must find it still going.
DIALOGUE_COMMANDS = frozenset({"cancel"})


class MovingOnEndsDialogues(BaseMiddleware):
    """A command or "« Main menu" ends the dialogue the person left unfinished.

    A dialogue waiting for typed input (a broadcast's text, a version, its time) takes every
    message as that input; without this, someone who opened the composer, changed their mind
    and went on with /now would find their next question taken for a broadcast text. So a
    command other than the dialogue's own (/cancel) and a press on "« Main menu" clear the FSM
    state before any filter looks at it, and the command runs as usual. The price: a broadcast
    text or caption cannot start with "/" (it would be taken for a command), which no real
    announcement does. Other buttons (🔄 Refresh under /now, a schedule looked up in passing)
    leave the dialogue alone: ending it there would lose a half-written draft without a word,
    while a text taken for the draft is shown back and can be cancelled. Registered on the
    message and callback query observers, after the Dispatcher's FSM middleware has put `state` and
    `raw_state` into the data.
    """

    _home = MenuCb(action=MenuAction.HOME).pack()

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        state: FSMContext | None = data.get("state")
        if state is not None and data.get("raw_state") is not None and self._moves_on(event):
            await state.clear()
            data["raw_state"] = None  # what StateFilter reads
        return await handler(event, data)

    def _moves_on(self, event: TelegramObject) -> bool:
        if isinstance(event, Message):
            text = event.text or event.caption or ""  # a command is one in a caption too
            return text.startswith("/") and command_name(text) not in DIALOGUE_COMMANDS
        return isinstance(event, CallbackQuery) and event.data == self._home


class Services(BaseMiddleware):
    """The forum's services, for the handler that takes an update.

    Handlers ask for a service by name as a typed parameter (`signups: SignupService`), just
    as they would for aiogram's workflow data. The services are not workflow data because
    aiogram copies the handler data, every key of it, again and again as an update travels:
    into each middleware, each router it passes, each router's filters and each handler it
    checks on the way. With the fourteen services among those keys the copying was about an
    eighth of the bot's work (valgrind, docs/PERFORMANCE.md). As an inner middleware this
    runs once per update, after the routers and filters have chosen the handler.

    Set up on every observer of the dispatcher but its `update` (inner middlewares of the
    dispatcher reach the handlers of all its routers); filters and outer middlewares do
    without services.
    """

    def __init__(self, **services: object) -> None:
        self._services = services

    def __setitem__(self, name: str, service: object) -> None:
        self._services[name] = service

    def setup(self, dispatcher: Dispatcher) -> None:
        for name, observer in dispatcher.observers.items():
            if name != "update":
                observer.middleware(self)

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        data.update(self._services)
        return await handler(event, data)
