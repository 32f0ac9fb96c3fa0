"""aiogram's objects come out bound to the bot exactly as aiogram binds them (bot/bot_binding.py).

Each side runs in a fresh interpreter: one with stock aiogram, one with `bot` imported first.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

READ = """
import json, sys
{first}
from aiogram.methods import SendMessage
from aiogram.methods.base import Response
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.types import TelegramObject, Update

user = {{"id": 7, "is_bot": False, "first_name": "Әлия", "language_code": "kk"}}
chat = {{"id": 7, "type": "private", "first_name": "Әлия"}}
keyboard = {{"inline_keyboard": [[{{"text": "1", "callback_data": "ev:o:a"}}],
                                [{{"text": "▶", "callback_data": "sch:d:0::::1"}}]]}}
sent = {{"message_id": 9, "date": 1765346400, "chat": chat, "text": "Кесте",
        "from": {{"id": 1, "is_bot": True, "first_name": "Forum"}},
        "entities": [{{"type": "bold", "offset": 0, "length": 5}}], "reply_markup": keyboard}}
payloads = [
    (Update, {{"update_id": 1, "message": {{"message_id": 1, "date": 1765346400, "chat": chat,
        "from": user, "text": "/start d-x", "entities": [{{"type": "bot_command", "offset": 0,
        "length": 6}}]}}}}),
    (Update, {{"update_id": 2, "callback_query": {{"id": "q", "from": user, "chat_instance": "c",
        "data": "ev:o:a", "message": sent}}}}),
    (Update, {{"update_id": 3, "my_chat_member": {{"chat": chat, "from": user, "date": 1,
        "old_chat_member": {{"status": "member", "user": user}},
        "new_chat_member": {{"status": "kicked", "user": user, "until_date": 0}}}}}}),
    (Response[Message], {{"ok": True, "result": sent}}),
]


def objects(value):
    if isinstance(value, TelegramObject):
        yield value
        for name in type(value).model_fields:
            yield from objects(getattr(value, name))
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from objects(item)


def describe(value):
    found = list(objects(value))
    return [value.model_dump(mode="json"), [type(o).__name__ for o in found],
            [o.__pydantic_private__ for o in found]]


described = []
for model, payload in payloads:
    read = model.model_validate(payload, context={{"bot": "the bot"}})
    described.append(describe(read.result if isinstance(read, Response) else read))
    described.append(describe(model.model_validate(payload)))  # no bot in the context
made = InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="a", callback_data="b")]])
described.append(describe(made))
method = SendMessage(chat_id=7, text="hi", reply_markup=made)
described.append([method.model_dump(), made.model_copy().__pydantic_private__])
described.append(describe(made.as_("another bot")))
json.dump(described, sys.stdout, default=repr)
"""


def read(first: str) -> list[Any]:
    done = subprocess.run(
        [sys.executable, "-c", READ.format(first=first)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    described: list[Any] = json.loads(done.stdout)
    return described


def test_updates_answers_and_built_objects_are_bound_as_aiogram_binds_them() -> None:
    ours = read("import bot")
    stock = read("")
    assert ours == stock
    bound = ours[2]  # the callback query's update, read with a bot in the context
    assert len(bound[1]) > 8  # update, query, user, message, chat, entity, keyboard, buttons...
    assert all(private == {"_bot": "the bot"} for private in bound[2])
    assert all(private == {"_bot": None} for private in ours[3][2])


def test_every_aiogram_type_binds_in_one_step() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import bot\n"
            "from aiogram.types import TelegramObject\n"
            "from bot.bot_binding import _bind, _subclasses\n"
            "left = [c.__name__ for c in _subclasses(TelegramObject)\n"
            "        if c.model_post_init is not _bind]\n"
            "print(len(_subclasses(TelegramObject)), left)",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    count, left = done.stdout.split(maxsplit=1)
    assert int(count) > 300 and left.strip() == "[]"
