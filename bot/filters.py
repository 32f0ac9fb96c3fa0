"""Filters that run on the event loop.

aiogram runs any filter that is not a coroutine function or a `Filter` (magic filters such as
`F.chat.type == ...` included) through `asyncio.to_thread`, for every handler it checks. With
a private-chat filter on each of the bot's routers, one update took a dozen trips through the
thread pool, and the worker threads fought the event loop for the GIL: in the whole-bot
profile that cost more than everything the handlers do. These filters do the same checks as
async `Filter`s, so aiogram awaits them in place.
"""

from __future__ import annotations

from typing import Any, Literal

from aiogram import Bot
from aiogram.enums import ChatType
from aiogram.filters import Command, CommandStart, Filter
from aiogram.filters.callback_data import CallbackData, CallbackQueryFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Chat, Message, TelegramObject
from magic_filter import MagicFilter


class PrivateChat(Filter):
    """Messages, button presses and membership changes of private chats only."""

    async def __call__(self, event: TelegramObject) -> bool:
        chat: Chat | None
        if isinstance(event, CallbackQuery):
            chat = event.message.chat if event.message is not None else None
        else:
            chat = getattr(event, "chat", None)
        return chat is not None and chat.type == ChatType.PRIVATE


class RestOfAlbum(Filter):
    """A later message of an album (photos sent together share a `media_group_id`) whose first
    message the dialogue has answered for all of them: its id is in the state data, "album"."""

    async def __call__(self, message: Message, state: FSMContext) -> bool:
        album = message.media_group_id
        return album is not None and (await state.get_data()).get("album") == album


class Magic(Filter):
    """A magic filter (`F.text`, `F.location`, ...) checked without leaving the event loop."""

    def __init__(self, magic: MagicFilter) -> None:
        self._magic = magic

    async def __call__(self, event: TelegramObject) -> Any:
        return self._magic.resolve(event)


def _names(command: Command) -> frozenset[str] | None:
    """The command names to compare with, or None when a regular expression is among them."""
    names = [c for c in command.commands if isinstance(c, str)]
    if len(names) != len(command.commands):
        return None  # aiogram decides
    return frozenset(n.casefold() if command.ignore_case else n for n in names)


def _may_match(command: Command, names: frozenset[str] | None, message: Message) -> bool:
    """False when the message is surely none of the commands; aiogram decides the rest."""
    if not isinstance(message, Message):
        return False
    text = message.text or message.caption
    if not text or text[0] not in command.prefix:
        return False
    if names is None:
        return True
    name = command_name(text)
    return (name.casefold() if command.ignore_case else name) in names


MAX_USER_ID = 2**52  # Telegram's user ids have at most 52 significant bits


def user_id_of(typed: str) -> int | None:
    """A Telegram user id a person typed: plain digits within Telegram's range, else None
    ("@name", "²" or twenty digits are not ids; int() alone takes the first two)."""
    typed = typed.strip()
    if not (typed.isascii() and typed.isdigit()):
        return None
    value = int(typed)
    return value if 0 < value < MAX_USER_ID else None


def command_name(text: str) -> str:
    """The name of the command a text starting with the prefix gives: "/now@bot x" -> "now"."""
    words = text[1:].split(maxsplit=1)
    return words[0].partition("@")[0] if words else ""


class Cmd(Command):
    """aiogram's `Command`, turning away a text that is not one of its commands first.

    aiogram parses a text with each `Command` filter it meets and says no by raising an
    exception; a question in plain words met a dozen of them on its way to its handler, and
    raising them was a tenth of the event loop's time in the whole-bot profile. This checks
    the command's name with a set lookup, and leaves everything else (mentions, magic, the
    `command` argument) to aiogram.
    """

    def __init__(self, *values: Any, **kwargs: Any) -> None:
        super().__init__(*values, **kwargs)
        self._names = _names(self)

    async def __call__(self, message: Message, bot: Bot) -> bool | dict[str, Any]:
        if not _may_match(self, self._names, message):
            return False
        return await super().__call__(message, bot)


class CmdStart(CommandStart):
    """aiogram's `CommandStart` (deep links and all), with `Cmd`'s early no to other texts."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._names = _names(self)

    async def __call__(self, message: Message, bot: Bot) -> bool | dict[str, Any]:
        if not _may_match(self, self._names, message):
            return False
        return await super().__call__(message, bot)


class Pressed(CallbackQueryFilter):
    """aiogram's `CallbackData.filter()`, turning away another kind of button first.

    aiogram unpacks the button's data with every callback filter it meets, which builds the
    pydantic model or raises; a press on a schedule button met a dozen of them on its way,
    and they were a tenth of the dispatcher's time in the whole-bot profile. This compares
    the prefix first and leaves everything else (the fields, the magic rule) to aiogram.
    """

    def __init__(self, callback_data: type[CallbackData], rule: MagicFilter | None = None) -> None:
        super().__init__(callback_data=callback_data, rule=rule)
        self._prefix = callback_data.__prefix__
        self._head = self._prefix + callback_data.__separator__

    async def __call__(self, query: CallbackQuery) -> Literal[False] | dict[str, Any]:
        data = query.data if isinstance(query, CallbackQuery) else None
        if not data or not (data.startswith(self._head) or data == self._prefix):
            return False
        return await super().__call__(query)
