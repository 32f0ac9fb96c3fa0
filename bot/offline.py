"""The bot without Telegram: a session that answers locally and a person who chats through it.

`OfflineSession` stands in for the HTTP session: it records every request, answers with the
objects Telegram would return, keeps the chat's messages (edits applied) and refuses what
Telegram refuses (texts over 4096 characters, callback data over 64 bytes, double answers to a
callback query, edits that change nothing). The rehearsal console and the handler tests both
drive the real Dispatcher through it with `OfflineChat`.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

from aiogram import Bot, Dispatcher
from aiogram.client.session.base import BaseSession
from aiogram.exceptions import TelegramBadRequest
from aiogram.methods import (
    AnswerCallbackQuery,
    EditMessageReplyMarkup,
    EditMessageText,
    GetMe,
    GetUpdates,
    SendDocument,
    SendLocation,
    SendMessage,
    SendPhoto,
    SendVenue,
    TelegramMethod,
)
from aiogram.methods.base import TelegramType
from aiogram.types import (
    BufferedInputFile,
    CallbackQuery,
    Chat,
    Document,
    FSInputFile,
    InlineKeyboardMarkup,
    Location,
    Message,
    MessageEntity,
    PhotoSize,
    Update,
    User,
)
from aiogram.types import Venue as TgVenue

from bot.htmltext import visible_text

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
MAX_BUTTONS = 100
MAX_ROW = 8
MAX_CALLBACK_ANSWER = 200

Listener = Callable[[TelegramMethod[Any], Any], None]


@dataclass(frozen=True, slots=True)
class SentFile:
    filename: str
    data: bytes


class OfflineSession(BaseSession):
    def __init__(self, *, bot_id: int = 1, bot_username: str = "forum_rehearsal_bot") -> None:
        super().__init__()
        self.bot_user = User(id=bot_id, is_bot=True, first_name="Forum bot", username=bot_username)
        self.requests: list[TelegramMethod[Any]] = []
        self.messages: dict[tuple[int, int], Message] = {}
        self.files: dict[tuple[int, int], SentFile] = {}
        self.listeners: list[Listener] = []
        self.answered_queries: set[str] = set()
        self._message_ids: dict[int, itertools.count[int]] = {}
        self._update_ids = itertools.count(1)

    # -- BaseSession ----------------------------------------------------------------------

    async def close(self) -> None:
        return None

    async def stream_content(
        self,
        url: str,
        headers: dict[str, Any] | None = None,
        timeout: int = 30,  # noqa: ASYNC109
        chunk_size: int = 65536,
        raise_for_status: bool = True,
    ) -> AsyncGenerator[bytes, None]:  # pragma: no cover
        raise NotImplementedError("files are not downloaded offline")
        yield b""

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        timeout: int | None = None,  # noqa: ASYNC109
    ) -> TelegramType:
        result = self._respond(method)
        self.requests.append(method)
        for listener in self.listeners:
            listener(method, result)
        return cast(TelegramType, result)

    # -- what the bot said ----------------------------------------------------------------

    def next_update_id(self) -> int:
        return next(self._update_ids)

    def chat(self, chat_id: int) -> list[Message]:
        """The bot's messages in a chat, in order, with edits applied."""
        return [msg for (chat, _), msg in sorted(self.messages.items()) if chat == chat_id]

    # -- answering like Telegram ----------------------------------------------------------

    def _refuse(self, method: TelegramMethod[Any], description: str) -> TelegramBadRequest:
        return TelegramBadRequest(method=method, message=f"Bad Request: {description}")

    def _respond(self, method: TelegramMethod[Any]) -> Any:
        if isinstance(method, GetMe):
            return self.bot_user
        if isinstance(method, GetUpdates):
            return []  # updates are fed to the dispatcher directly
        if isinstance(method, SendMessage):
            self._check_text(method, method.text)
            self._check_markup(method, method.reply_markup)
            return self._store(int(method.chat_id), method, text=method.text)
        if isinstance(method, EditMessageText):
            self._check_text(method, method.text or "")
            self._check_markup(method, method.reply_markup)
            return self._edit(method, text=method.text)
        if isinstance(method, EditMessageReplyMarkup):
            self._check_markup(method, method.reply_markup)
            return self._edit(method, text=None)
        if isinstance(method, SendVenue):
            for part in ("title", "address"):
                if not getattr(method, part).strip():
                    raise self._refuse(method, f"venue {part} is empty")
            venue = TgVenue(
                location=Location(latitude=method.latitude, longitude=method.longitude),
                title=method.title,
                address=method.address,
            )
            return self._store(int(method.chat_id), method, venue=venue)
        if isinstance(method, SendLocation):
            location = Location(latitude=method.latitude, longitude=method.longitude)
            return self._store(int(method.chat_id), method, location=location)
        if isinstance(method, (SendDocument, SendPhoto)):
            return self._send_file(method)
        if isinstance(method, AnswerCallbackQuery):
            if method.callback_query_id in self.answered_queries:
                raise self._refuse(
                    method,
                    "query is too old and response timeout expired or query ID is invalid",
                )
            if method.text is not None and len(method.text) > MAX_CALLBACK_ANSWER:
                raise self._refuse(method, "MESSAGE_TOO_LONG")
            self.answered_queries.add(method.callback_query_id)
            return True
        if method.__returning__ is bool:
            return True
        raise NotImplementedError(f"{type(method).__name__} is not emulated offline")

    def _check_text(self, method: TelegramMethod[Any], text: str) -> None:
        shown = visible_text(text)
        if not shown.strip():
            raise self._refuse(method, "message text is empty")
        if len(shown) > MAX_TEXT:
            raise self._refuse(method, "message is too long")

    def _check_markup(self, method: TelegramMethod[Any], markup: Any) -> None:
        if not isinstance(markup, InlineKeyboardMarkup):
            return
        buttons = [button for row in markup.inline_keyboard for button in row]
        if len(buttons) > MAX_BUTTONS or any(len(row) > MAX_ROW for row in markup.inline_keyboard):
            raise self._refuse(method, "reply markup is too long")
        for button in buttons:
            data = button.callback_data
            if data is not None and not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA:
                raise self._refuse(method, "BUTTON_DATA_INVALID")

    def _store(self, chat_id: int, method: TelegramMethod[Any], **content: Any) -> Message:
        counter = self._message_ids.setdefault(chat_id, itertools.count(1))
        markup = getattr(method, "reply_markup", None)
        message = Message(
            message_id=next(counter),
            date=datetime.now(UTC),
            chat=Chat(id=chat_id, type="private"),
            from_user=self.bot_user,
            reply_markup=markup if isinstance(markup, InlineKeyboardMarkup) else None,
            **content,
        )
        self.messages[(chat_id, message.message_id)] = message
        return message

    def _edit(self, method: EditMessageText | EditMessageReplyMarkup, text: str | None) -> Message:
        key = (int(method.chat_id or 0), int(method.message_id or 0))
        current = self.messages.get(key)
        if current is None:
            raise self._refuse(method, "message to edit not found")
        new_text = current.text if text is None else text
        markup = (
            method.reply_markup if isinstance(method.reply_markup, InlineKeyboardMarkup) else None
        )
        if new_text == current.text and markup == current.reply_markup:
            raise self._refuse(
                method,
                "message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message",
            )
        edited = current.model_copy(
            update={
                "text": new_text,
                "reply_markup": markup,
                "edit_date": int(datetime.now(UTC).timestamp()),
            }
        )
        self.messages[key] = edited
        return edited

    def _send_file(self, method: SendDocument | SendPhoto) -> Message:
        upload = method.document if isinstance(method, SendDocument) else method.photo
        if isinstance(upload, BufferedInputFile):
            sent = SentFile(upload.filename or "file", upload.data)
        elif isinstance(upload, FSInputFile):
            sent = SentFile(upload.filename or "file", Path(upload.path).read_bytes())
        else:
            sent = SentFile(str(upload), b"")
        if method.caption is not None and len(visible_text(method.caption)) > MAX_CAPTION:
            raise self._refuse(method, "message caption is too long")
        file_id = f"offline-{len(self.files) + 1}"
        content: dict[str, Any]
        if isinstance(method, SendDocument):
            content = {
                "document": Document(
                    file_id=file_id, file_unique_id=file_id, file_name=sent.filename
                )
            }
        else:
            content = {
                "photo": [PhotoSize(file_id=file_id, file_unique_id=file_id, width=1, height=1)]
            }
        message = self._store(int(method.chat_id), method, caption=method.caption, **content)
        self.files[(message.chat.id, message.message_id)] = sent
        return message


class Requests(list[TelegramMethod[Any]]):
    """The requests made while one update was handled (with others', when updates overlap)."""

    query_id: str | None = None  # the callback query this update carried

    def answer(self) -> AnswerCallbackQuery:
        """The answer to this update's callback query (exactly one, or the test fails)."""
        found = [
            r
            for r in self
            if isinstance(r, AnswerCallbackQuery) and r.callback_query_id == self.query_id
        ]
        if len(found) != 1:
            raise AssertionError(f"expected one answer to {self.query_id}, got {found}")
        return found[0]


@dataclass(frozen=True, slots=True)
class OfflineUser:
    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = "en"

    def as_user(self) -> User:
        return User(
            id=self.id,
            is_bot=False,
            first_name=self.first_name,
            last_name=self.last_name,
            username=self.username,
            language_code=self.language_code,
        )


class OfflineChat:
    """One person's private chat with the bot, fed through the real Dispatcher."""

    def __init__(
        self, dispatcher: Dispatcher, bot: Bot, session: OfflineSession, user: OfflineUser
    ) -> None:
        self.dispatcher = dispatcher
        self.bot = bot
        self.session = session
        self.user = user
        self._own_ids = itertools.count(1_000_000)
        self._query_ids = itertools.count(1)

    @property
    def chat(self) -> Chat:
        return Chat(id=self.user.id, type="private", first_name=self.user.first_name)

    def messages(self) -> list[Message]:
        return self.session.chat(self.user.id)

    def last_message(self) -> Message:
        messages = self.messages()
        if not messages:
            raise AssertionError("the bot has not written to this chat")
        return messages[-1]

    async def feed(self, update: Update) -> Requests:
        """Handle one update; return the requests the bot made while handling it."""
        before = len(self.session.requests)
        await self.dispatcher.feed_update(self.bot, update)
        made = Requests(self.session.requests[before:])
        if update.callback_query is not None:
            made.query_id = update.callback_query.id
        return made

    def message_update(self, **content: Any) -> Update:
        message = Message(
            message_id=next(self._own_ids),
            date=datetime.now(UTC),
            chat=self.chat,
            from_user=self.user.as_user(),
            **content,
        )
        return Update(update_id=self.session.next_update_id(), message=message)

    async def send(self, text: str) -> Requests:
        entities = None
        if text.startswith("/"):
            length = len(text.split(maxsplit=1)[0].encode("utf-16-le")) // 2
            entities = [MessageEntity(type="bot_command", offset=0, length=length)]
        return await self.feed(self.message_update(text=text, entities=entities))

    async def send_location(self, latitude: float, longitude: float) -> Requests:
        location = Location(latitude=latitude, longitude=longitude)
        return await self.feed(self.message_update(location=location))

    async def press(self, callback_data: str, message: Message | None = None) -> Requests:
        """Press a button (by its callback data) on `message`, by default the last message."""
        target = message or self.last_message()
        query = CallbackQuery(
            id=f"{self.user.id}-{next(self._query_ids)}",
            from_user=self.user.as_user(),
            chat_instance=f"offline-{self.user.id}",
            message=target,
            data=callback_data,
        )
        return await self.feed(
            Update(update_id=self.session.next_update_id(), callback_query=query)
        )

    async def press_button(self, text: str, message: Message | None = None) -> Requests:
        """Press the first button whose label contains `text`."""
        target = message or self.last_message()
        return await self.press(button_data(target, text), target)


def button_data(message: Message, text: str) -> str:
    """The callback data of the first button on `message` whose label contains `text`."""
    markup = message.reply_markup
    buttons = [b for row in markup.inline_keyboard for b in row] if markup else []
    for button in buttons:
        if text in button.text and button.callback_data is not None:
            return button.callback_data
    labels = [button.text for button in buttons]
    raise AssertionError(f"no button with {text!r} on the message; buttons: {labels}")
