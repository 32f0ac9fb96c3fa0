"""An in-process fake of the Telegram Bot API for tests.

``FakeTelegram`` is an aiohttp server on ``127.0.0.1`` that answers like
``https://api.telegram.org/bot<token>/<method>``, so a real aiogram ``Bot`` built with
``AiohttpSession(api=TelegramAPIServer.from_base(fake.url))`` and the real
``Dispatcher.start_polling`` work against it. Tests play users (``send_message``, ``press``,
``send_location``, ``block``) and observe what the bot did (``calls``, ``chat``,
``callback_answers``, ``commands``).

What it enforces (see ``shared/telegram/LIMITS.md``):

* every response is ``{"ok": true, "result": ...}`` or ``{"ok": false, "error_code": N,
  "description": ..., "parameters": ...}`` with HTTP status ``N`` (aiogram picks the exception
  class from the HTTP status);
* parameters are read from JSON, url-encoded and multipart bodies (and the query string),
  coerced and validated against ``bot-api-spec.json`` (a copy lives beside this module so the
  repository is self-contained); missing required fields give 400;
* **strict mode** (``strict=True``, the default): a field the spec does not know is rejected with
  ``400 Bad Request: unknown field <name>`` (also for unknown keys of inline keyboard buttons),
  so a typo in a parameter name fails the test instead of being silently ignored as Telegram
  does. Pass ``strict=False`` to ignore unknown fields like the real server;
* text and caption sizes after HTML entity parsing, the Telegram HTML subset with its error
  messages, inline keyboard limits, ``callback_data`` byte length, callback query expiry,
  "message is not modified", unknown chats, blocked users, bot command syntax;
* flood limits: overall messages per second, a per-chat burst window, ``retry_after`` bans that
  are extended when the client retries too early, and ``allow_paid_broadcast``;
* ``getUpdates`` long polling with ``offset``/``limit``/``timeout``/``allowed_updates`` and the 409
  conflict when a second poller arrives.

Usage::

    async with FakeTelegram() as fake, fake.create_bot() as bot:
        alice = FakeUser(id=1001, first_name="Alice")
        fake.send_message(alice, "/start")            # the chat now exists for the bot
        polling = asyncio.create_task(dp.start_polling(bot, handle_signals=False))
        [reply] = await fake.wait_messages(alice.id, 1)
        query_id = fake.press(alice, reply, reply.button_data("Program"))
        assert (await fake.wait_answered(query_id)) == {"callback_query_id": query_id}
        fake.fail_next("sendMessage", 502)             # the next send gets Bad Gateway
        fake.chaos(Chaos(server_errors=0.1, drops=0.05, timeouts=0.02, bursts=0.02))
        ...                                            # random faults until fake.chaos(None)
        await dp.stop_polling()

``fake.create_bot()`` is ``Bot(token, session=AiohttpSession(api=TelegramAPIServer.from_base(
fake.url)))`` except that the session closes without aiogram's 250 ms SSL grace sleep.

Flood limits apply only to methods that put a message into a chat or change one (sendMessage,
sendLocation, sendVenue, sendDocument, sendPhoto, copyMessage, editMessageText,
editMessageCaption, editMessageReplyMarkup), not to getUpdates, answerCallbackQuery,
sendChatAction, setMyCommands...:
``overall_rate`` messages per sliding second over all chats (1000/s for a send with
``allow_paid_broadcast=true``), and ``per_chat_burst`` messages per chat within any window of
``per_chat_burst / per_chat_rate`` seconds. Over a limit the answer is 429 "Too Many Requests:
retry after N" with ``parameters.retry_after = N`` (``N = retry_after``), and the chat is banned
for N seconds; a send to it during the ban gets 429 again and restarts the ban. ``None``
disables a limit. Only admitted (successful) sends count.

Telegram behaviours worth knowing: text is trimmed of leading/trailing whitespace before the
length check (lengths are counted in code points); an edit without ``reply_markup`` removes the
inline keyboard; message ids are shared by the user's and the bot's messages of a chat; a user
who blocked the bot and writes again unblocks it first (my_chat_member, then the message);
updates of types outside ``allowed_updates`` are dropped, not kept.

Not emulated: groups, channels and forum topics (every chat is the private chat with a user),
inline mode (``inline_message_id``), Markdown parse modes (rejected with an explicit 400 so tests
notice), webhooks delivery (``setWebhook`` is only stored), file downloads, and every method not
listed in ``FakeTelegram._handlers`` (answered with ``501 Not Implemented``).
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import functools
import itertools
import json
import math
import random
import re
import socket
import time
from collections import Counter, deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from pathlib import Path
from types import TracebackType
from typing import Any, Final, Self

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiohttp import web

from bot.telegram_html import SPACES, HtmlParseError, parse_html, utf8_len, utf16_len

__all__ = [
    "DEFAULT_SPEC_PATH",
    "ApiSpec",
    "Call",
    "ChatMessage",
    "FakeTelegram",
    "FakeTelegramSession",
    "FakeUser",
    "FieldSpec",
    "HtmlParseError",
    "MethodSpec",
    "UploadedFile",
    "parse_html",
]

JsonDict = dict[str, Any]

DEFAULT_SPEC_PATH: Final = Path(__file__).resolve().with_name("bot-api-spec.json")

BOT_FIRST_NAME: Final = "Forum Test Bot"
TEXT_LIMIT: Final = 4096
CAPTION_LIMIT: Final = 1024
CALLBACK_DATA_LIMIT: Final = 64
CALLBACK_ANSWER_TEXT_LIMIT: Final = 200
KEYBOARD_ROW_LIMIT: Final = 8
KEYBOARD_BUTTON_LIMIT: Final = 100
COMMAND_LIMIT: Final = 100
COMMAND_DESCRIPTION_LIMIT: Final = 256
DESCRIPTION_LIMIT: Final = 512
SHORT_DESCRIPTION_LIMIT: Final = 120
NAME_LIMIT: Final = 64
PAID_BROADCAST_RATE: Final = 1000.0
MAX_UPLOAD_BYTES: Final = 64 * 1024 * 1024

DESC_CHAT_NOT_FOUND: Final = "Bad Request: chat not found"
DESC_BLOCKED: Final = "Forbidden: bot was blocked by the user"
DESC_TEXT_EMPTY: Final = "Bad Request: message text is empty"
DESC_TEXT_TOO_LONG: Final = "Bad Request: message is too long"
DESC_CAPTION_TOO_LONG: Final = "Bad Request: message caption is too long"
DESC_NOT_MODIFIED: Final = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
DESC_EDIT_NOT_FOUND: Final = "Bad Request: message to edit not found"
DESC_DELETE_NOT_FOUND: Final = "Bad Request: message to delete not found"
DESC_QUERY_INVALID: Final = (
    "Bad Request: query is too old and response timeout expired or query ID is invalid"
)
DESC_CONFLICT: Final = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)
DESC_WEBHOOK_ACTIVE: Final = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
DESC_MARKUP_TOO_LONG: Final = "Bad Request: reply markup is too long"
DESC_BUTTON_DATA_INVALID: Final = "Bad Request: BUTTON_DATA_INVALID"

CHAT_ACTIONS: Final = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)

COMMAND_SCOPES: Final = frozenset(
    {
        "default",
        "all_private_chats",
        "all_group_chats",
        "all_chat_administrators",
        "chat",
        "chat_administrators",
        "chat_member",
    }
)

# Update types Telegram delivers when allowed_updates is empty or was never set.
DEFAULT_EXCLUDED_UPDATES: Final = frozenset(
    {"chat_member", "message_reaction", "message_reaction_count"}
)

# Fields Telegram still accepts although the current spec no longer lists them; strict mode
# must not reject them because aiogram still exposes them (deprecated).
LEGACY_FIELDS: Final[Mapping[str, tuple[str, tuple[str, ...]]]] = {
    # legacy field -> (field whose presence in a method enables it, types)
    "reply_to_message_id": ("reply_parameters", ("Integer",)),
    "allow_sending_without_reply": ("reply_parameters", ("Boolean",)),
    "disable_web_page_preview": ("link_preview_options", ("Boolean",)),
}

# InlineKeyboardButton fields that decorate a button instead of giving it an action.
BUTTON_DECORATION_FIELDS: Final = frozenset({"text", "icon_custom_emoji_id", "style"})

# The methods that put a message into a chat or change one (the flood limits count them).
MESSAGE_METHODS: Final = frozenset(
    {
        "sendMessage",
        "sendLocation",
        "sendVenue",
        "sendDocument",
        "sendPhoto",
        "copyMessage",
        "editMessageText",
        "editMessageCaption",
        "editMessageReplyMarkup",
    }
)
FALLBACK_BUTTON_ACTIONS: Final = frozenset(
    {
        "url",
        "callback_data",
        "web_app",
        "login_url",
        "switch_inline_query",
        "switch_inline_query_current_chat",
        "switch_inline_query_chosen_chat",
        "copy_text",
        "callback_game",
        "pay",
    }
)

DEFAULT_ERROR_DESCRIPTIONS: Final[Mapping[int, str]] = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    413: "Request Entity Too Large",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}

_COMMAND_RE: Final = re.compile(r"[a-z0-9_]{1,32}")
_LANGUAGE_RE: Final = re.compile(r"[a-z]{2}")
_INT_RE: Final = re.compile(r"[+-]?\d+")


# ---------------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------------


def _now() -> float:
    """Event loop time when a loop is running (it is the monotonic clock by default)."""
    try:
        return asyncio.get_running_loop().time()
    except RuntimeError:
        return time.monotonic()


def _copy_json(value: Any) -> Any:
    """A copy of JSON-like data (dicts, lists and scalars): what ``copy.deepcopy`` makes of it,
    several times faster, which matters when the fake serves a bot at full speed."""
    if isinstance(value, dict):
        return {k: _copy_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy_json(v) for v in value]
    return value


def _without_none(value: Any) -> Any:
    """Drop ``None`` members recursively so that markups compare by content."""
    if isinstance(value, dict):
        return {k: _without_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_none(v) for v in value]
    return value


class _ApiError(Exception):
    """An error answer of the Bot API (raised inside request handlers)."""

    def __init__(self, status: int, description: str, parameters: JsonDict | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def body(self) -> JsonDict:
        body: JsonDict = {"ok": False, "error_code": self.status, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


class _Dropped(Exception):
    """A chaos fault closed the connection: nothing is answered."""


def _bad(description: str) -> _ApiError:
    return _ApiError(400, f"Bad Request: {description}")


# ---------------------------------------------------------------------------------------------
# Telegram HTML
# ---------------------------------------------------------------------------------------------


def _strip_text(text: str, entities: list[JsonDict]) -> tuple[str, list[JsonDict]]:
    """Trim leading/trailing whitespace like Telegram and clip the entities accordingly."""
    stripped = text.strip()
    if not stripped:
        return "", []
    shift = utf16_len(text[: len(text) - len(text.lstrip())])
    total = utf16_len(stripped)
    result: list[JsonDict] = []
    for entity in entities:
        start = max(entity["offset"] - shift, 0)
        end = min(entity["offset"] - shift + entity["length"], total)
        if end > start:
            result.append({**entity, "offset": start, "length": end - start})
    return stripped, result


# ---------------------------------------------------------------------------------------------
# The Bot API spec
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldSpec:
    name: str
    types: tuple[str, ...]
    required: bool


@dataclass(frozen=True)
class MethodSpec:
    name: str
    fields: Mapping[str, FieldSpec]


class ApiSpec:
    """The machine-readable Bot API: ``methods.<name>.fields[]`` and ``types.<name>.fields[]``."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.version: str = str(data.get("version", ""))
        self.methods: dict[str, MethodSpec] = {}
        for name, method in data["methods"].items():
            fields = {
                f["name"]: FieldSpec(f["name"], tuple(f["types"]), bool(f["required"]))
                for f in method.get("fields", [])
            }
            for legacy, (anchor, types) in LEGACY_FIELDS.items():
                if anchor in fields and legacy not in fields:
                    fields[legacy] = FieldSpec(legacy, types, False)
            self.methods[name.lower()] = MethodSpec(name, fields)
        self.type_fields: dict[str, frozenset[str]] = {
            name: frozenset(f["name"] for f in type_.get("fields", []))
            for name, type_ in data.get("types", {}).items()
        }

    @classmethod
    def load(cls, path: Path) -> ApiSpec:
        return _load_spec(path.resolve())

    def method(self, name: str) -> MethodSpec | None:
        """Look a method up case-insensitively, like Telegram does."""
        return self.methods.get(name.lower())

    def canonical(self, name: str) -> str:
        spec = self.method(name)
        if spec is None:
            raise ValueError(f"unknown Bot API method {name!r}")
        return spec.name

    def button_actions(self) -> frozenset[str]:
        fields = self.type_fields.get("InlineKeyboardButton")
        if not fields:
            return FALLBACK_BUTTON_ACTIONS
        return fields - BUTTON_DECORATION_FIELDS

    def button_fields(self) -> frozenset[str]:
        return self.type_fields.get("InlineKeyboardButton") or (
            FALLBACK_BUTTON_ACTIONS | BUTTON_DECORATION_FIELDS
        )


@functools.cache
def _load_spec(path: Path) -> ApiSpec:
    return ApiSpec(json.loads(path.read_text(encoding="utf-8")))


def _type_kind(type_name: str) -> str:
    """Classify a spec type: int, float, bool, str, file, array or object."""
    simple = {
        "Integer": "int",
        "Float": "float",
        "Boolean": "bool",
        "String": "str",
        "InputFile": "file",
    }
    if type_name in simple:
        return simple[type_name]
    if type_name.startswith("Array of"):
        return "array"
    return "object"


# ---------------------------------------------------------------------------------------------
# Public data classes
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FakeUser:
    """A Telegram user played by a test."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = "en"

    def to_api(self) -> JsonDict:
        """The Bot API ``User`` object."""
        user: JsonDict = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name is not None:
            user["last_name"] = self.last_name
        if self.username is not None:
            user["username"] = self.username
        if self.language_code is not None:
            user["language_code"] = self.language_code
        return user

    def chat_api(self) -> JsonDict:
        """The Bot API ``Chat`` object of the private chat with this user."""
        chat: JsonDict = {"id": self.id, "type": "private", "first_name": self.first_name}
        if self.last_name is not None:
            chat["last_name"] = self.last_name
        if self.username is not None:
            chat["username"] = self.username
        return chat


@dataclass(frozen=True)
class UploadedFile:
    """A file the bot uploaded (multipart part) or referenced by URL."""

    file_id: str
    file_unique_id: str
    filename: str | None
    content_type: str | None
    data: bytes
    url: str | None = None

    @property
    def size(self) -> int:
        return len(self.data)


@dataclass
class ChatMessage:
    """A message currently in a private chat, with edits applied.

    ``text`` is the text after entity parsing (tags stripped, entities unescaped, trimmed);
    ``html`` is the raw text or caption as sent; ``caption`` is the parsed caption of media.
    ``reply_markup`` is the inline keyboard as sent (``None`` values dropped) or ``None``.
    ``kind`` is one of "text", "venue", "location", "document", "photo". ``payload`` holds the
    params of the call that created or last edited the message.
    """

    message_id: int
    chat_id: int
    text: str | None
    html: str | None
    caption: str | None
    reply_markup: JsonDict | None
    kind: str
    payload: JsonDict
    edited: bool = False
    entities: list[JsonDict] = field(default_factory=list)
    date: int = 0
    edit_date: int | None = None
    media: JsonDict = field(default_factory=dict)
    file: UploadedFile | None = None
    reply_to: int | None = None
    from_bot: bool = True

    def buttons(self) -> list[tuple[str, str | None, str | None]]:
        """Inline buttons flattened row by row: (text, callback_data, url)."""
        if not self.reply_markup:
            return []
        return [
            (str(button.get("text", "")), button.get("callback_data"), button.get("url"))
            for row in self.reply_markup.get("inline_keyboard", [])
            for button in row
        ]

    def button_data(self, text_substring: str) -> str:
        """callback_data of the first callback button whose text contains ``text_substring``."""
        for text, data, _url in self.buttons():
            if text_substring in text and data is not None:
                return data
        raise AssertionError(
            f"no callback button containing {text_substring!r} in message {self.message_id} "
            f"of chat {self.chat_id}; buttons: {self.buttons()!r}"
        )


@dataclass
class Call:
    """One HTTP request the bot made, with the answer it got."""

    method: str
    params: JsonDict
    status: int
    response: JsonDict
    at: float

    @property
    def ok(self) -> bool:
        return self.status == 200

    @property
    def description(self) -> str | None:
        description = self.response.get("description")
        return description if isinstance(description, str) else None

    @property
    def result(self) -> Any:
        return self.response.get("result")

    def __str__(self) -> str:
        params = {k: v for k, v in self.params.items() if k != "reply_markup"}
        shown = json.dumps(params, ensure_ascii=False, default=repr)
        if len(shown) > 160:
            shown = shown[:157] + "..."
        outcome = "ok" if self.ok else f"{self.status} {self.description}"
        return f"{self.at:.3f} {self.method} {shown} -> {outcome}"


@dataclass
class _Fault:
    method: str | None
    status: int
    description: str
    parameters: JsonDict | None
    remaining: int
    delay: float


@dataclass
class Chaos:
    """Random faults on every call, for ``FakeTelegram.chaos``: shares of calls that get each.

    * ``server_errors``: 500, 502, 503 or 504 with Telegram's description;
    * ``timeouts``: the answer is held ``hold`` seconds (longer than the client waits), then
      the connection is dropped;
    * ``drops``: the connection is closed without an answer;
    * ``bursts``: a flood: this call and every other for the next second get 429 with
      ``retry_after``, as Telegram does when a bot is over its limits.

    Faults hit before the method runs, so a faulted send never reached the chat, as with a
    real outage in front of Telegram. ``max_in_a_row`` keeps a fault transient: the same
    request (method and parameters, so a retry too) is not faulted more often than that in a
    row. getUpdates gets
    server errors and drops only (a long poll that times out is normal, not a fault).
    """

    server_errors: float = 0.0
    timeouts: float = 0.0
    drops: float = 0.0
    bursts: float = 0.0
    hold: float = 2.0
    max_in_a_row: int = 3
    seed: int = 0
    # The first calls that send or edit a message get one fault of each kind with a share,
    # in this order, so a short test is sure to meet them all.
    each_kind_first: bool = True


@dataclass
class _Query:
    chat_id: int
    created: float
    answered: bool = False


@dataclass
class _Poll:
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    superseded: bool = False


class FakeTelegramSession(AiohttpSession):
    """AiohttpSession that closes without the 250 ms grace period meant for SSL connections.

    The fake serves plain HTTP on localhost, so there is nothing to wait for; this keeps test
    teardown fast. Everything else is the real aiogram session.
    """

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()


# ---------------------------------------------------------------------------------------------
# The fake server
# ---------------------------------------------------------------------------------------------


class FakeTelegram:
    """A fake Telegram Bot API server; see the module docstring."""

    def __init__(
        self,
        *,
        token: str = "42:TEST-token",
        bot_username: str = "forum_test_bot",
        overall_rate: float | None = 30.0,
        per_chat_rate: float | None = 1.0,
        per_chat_burst: int = 3,
        retry_after: int = 1,
        spec_path: Path | None = None,
        strict: bool = True,
        callback_ttl: float = 150.0,
    ) -> None:
        bot_id, sep, secret = token.partition(":")
        if not sep or not secret or not bot_id.isdigit():
            raise ValueError(f"token must look like '<bot id>:<secret>', got {token!r}")
        if per_chat_rate is not None and per_chat_rate <= 0:
            raise ValueError("per_chat_rate must be positive or None")
        if overall_rate is not None and overall_rate <= 0:
            raise ValueError("overall_rate must be positive or None")
        if per_chat_burst < 1:
            raise ValueError("per_chat_burst must be at least 1")
        if retry_after < 1:
            raise ValueError("retry_after must be at least 1 second")
        self.token = token
        self.bot_id = int(bot_id)
        self.bot_username = bot_username
        self.overall_rate = overall_rate
        self.per_chat_rate = per_chat_rate
        self.per_chat_burst = per_chat_burst
        self.retry_after = retry_after
        self.strict = strict
        self.callback_ttl = callback_ttl
        self.spec = ApiSpec.load(spec_path or DEFAULT_SPEC_PATH)
        self._button_actions = self.spec.button_actions()
        self._button_fields = self.spec.button_fields()

        # observable state
        self.calls: list[Call] = []
        self.callback_answers: dict[str, JsonDict] = {}
        self.commands: dict[tuple[str, str | None], list[JsonDict]] = {}
        self.descriptions: dict[str | None, str] = {}
        self.short_descriptions: dict[str | None, str] = {}
        self.names: dict[str | None, str] = {}
        self.allowed_updates: list[str] | None = None
        self.webhook_url = ""
        self.known_users: dict[int, FakeUser] = {}
        self.blocked: set[int] = set()
        self.files: dict[str, UploadedFile] = {}
        self.reply_keyboards: dict[int, JsonDict | None] = {}
        self.deleted: list[ChatMessage] = []

        # internal state
        self._commands_full: dict[tuple[str, str | None], list[JsonDict]] = {}
        self._updates: list[JsonDict] = []
        self._update_ids = itertools.count(100_000_001)
        self._query_ids = itertools.count(4_815_162_342_000_001)
        self._file_ids = itertools.count(1)
        self._last_message_id: dict[int, int] = {}
        self._messages: dict[int, dict[int, ChatMessage]] = {}
        self._queries: dict[str, _Query] = {}
        self._faults: list[_Fault] = []
        self._sends: deque[float] = deque()
        self._chat_sends: dict[int, deque[float]] = {}
        self._chat_ban_until: dict[int, float] = {}
        self._poll: _Poll | None = None
        self._chaos: Chaos | None = None
        self._chaos_rng = random.Random(0)
        self._chaos_streaks: dict[tuple[str, str], int] = {}
        self._flood_until = 0.0
        self.faults_injected: Counter[str] = Counter()
        self._stopping = False
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._handlers: dict[str, Callable[[JsonDict], Any]] = {
            "getMe": self._get_me,
            "logOut": self._true,
            "close": self._true,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "sendMessage": self._send_message,
            "sendLocation": self._send_location,
            "sendVenue": self._send_venue,
            "sendDocument": self._send_document,
            "sendPhoto": self._send_photo,
            "copyMessage": self._copy_message,
            "sendChatAction": self._send_chat_action,
            "editMessageText": self._edit_message_text,
            "editMessageCaption": self._edit_message_caption,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "deleteMessage": self._delete_message,
            "deleteMessages": self._delete_messages,
            "answerCallbackQuery": self._answer_callback_query,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "setMyDescription": self._set_my_description,
            "getMyDescription": self._get_my_description,
            "setMyShortDescription": self._set_my_short_description,
            "getMyShortDescription": self._get_my_short_description,
            "setMyName": self._set_my_name,
            "getMyName": self._get_my_name,
        }

    # -- lifecycle -----------------------------------------------------------------------------

    async def start(self) -> None:
        """Serve on 127.0.0.1 on a free port."""
        if self._runner is not None:
            raise RuntimeError("FakeTelegram is already started")
        app = web.Application(client_max_size=MAX_UPLOAD_BYTES)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_route("*", "/{tail:.*}", self._not_found)
        # handler_cancellation: a long poll whose client went away (stop_polling) ends at once
        runner = web.AppRunner(
            app, access_log=None, handler_cancellation=True, shutdown_timeout=1.0
        )
        await runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        self._port = int(sock.getsockname()[1])
        site = web.SockSite(runner, sock)
        try:
            await site.start()
        except BaseException:
            sock.close()
            await runner.cleanup()
            raise
        self._runner = runner
        self._stopping = False

    async def stop(self) -> None:
        """Wake pending long polls (they answer with no updates) and shut the server down."""
        self._stopping = True
        if self._poll is not None:
            self._poll.wake.set()
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("FakeTelegram is not started")
        return self._port

    @property
    def url(self) -> str:
        """Base URL without ``/bot...``, for ``TelegramAPIServer.from_base``."""
        return f"http://127.0.0.1:{self.port}"

    def api_url(self, method: str) -> str:
        return f"{self.url}/bot{self.token}/{method}"

    def create_bot(self, **kwargs: Any) -> Bot:
        """A real aiogram Bot talking to this server (close its session when done)."""
        session = FakeTelegramSession(api=TelegramAPIServer.from_base(self.url))
        return Bot(self.token, session=session, **kwargs)

    @property
    def bot_user(self) -> JsonDict:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.names.get(None, BOT_FIRST_NAME),
            "username": self.bot_username,
        }

    # -- playing users -------------------------------------------------------------------------

    def add_user(self, user: FakeUser) -> None:
        """Make the user's chat known, as if they had talked to the bot before (no update)."""
        self.known_users[user.id] = user

    def enqueue_update(self, update: Mapping[str, Any]) -> int:
        """Queue a raw update for getUpdates; assigns and returns its update_id."""
        stored: JsonDict = {k: _copy_json(v) for k, v in update.items() if k != "update_id"}
        update_id = next(self._update_ids)
        stored = {"update_id": update_id, **stored}
        self._learn_users(stored)
        self._updates.append(stored)
        if self._poll is not None:
            self._poll.wake.set()
        return update_id

    def send_message(
        self, user: FakeUser, text: str, *, entities: list[JsonDict] | None = None
    ) -> int:
        """The user writes ``text`` to the bot; returns the user's message_id.

        A text starting with '/' gets a bot_command entity when ``entities`` is not given.
        A user who had blocked the bot unblocks it first (Telegram's "Restart" button).
        """
        if entities is None and text.startswith("/"):
            command = re.match(r"/\S+", text)
            if command is not None:
                entities = [
                    {"type": "bot_command", "offset": 0, "length": utf16_len(command.group())}
                ]
        message = self._user_message(user, kind="text", text=text, entities=entities or [])
        obj = self._message_api(message)
        self.enqueue_update({"message": obj})
        return message.message_id

    def send_location(self, user: FakeUser, latitude: float, longitude: float) -> int:
        """The user shares a location; returns the user's message_id."""
        location = {"latitude": latitude, "longitude": longitude}
        message = self._user_message(user, kind="location", media={"location": location})
        self.enqueue_update({"message": self._message_api(message)})
        return message.message_id

    def press(
        self,
        user: FakeUser,
        message: ChatMessage | int,
        callback_data: str,
        *,
        check: bool = True,
    ) -> str:
        """The user presses an inline button; returns the callback query id.

        With ``check`` (default) the message must still exist in the user's chat and carry a
        button with this callback_data now, otherwise AssertionError (a user cannot press a
        button that is not there). ``check=False`` allows stale or missing messages; a deleted
        message arrives as an InaccessibleMessage like in Telegram.
        """
        self._ensure_user(user)
        message_id = message.message_id if isinstance(message, ChatMessage) else message
        current = self._messages.get(user.id, {}).get(message_id)
        if current is not None and not current.from_bot:
            current = None
        if check:
            if current is None:
                raise AssertionError(f"no bot message {message_id} in chat {user.id}")
            if callback_data not in [data for _, data, _ in current.buttons()]:
                raise AssertionError(
                    f"message {message_id} in chat {user.id} has no button with "
                    f"callback_data {callback_data!r}; buttons: {current.buttons()!r}"
                )
        query_id = str(next(self._query_ids))
        self._queries[query_id] = _Query(chat_id=user.id, created=_now())
        message_obj: JsonDict
        if current is not None:
            message_obj = self._message_api(current)
        else:
            message_obj = {"chat": user.chat_api(), "message_id": message_id, "date": 0}
        query: JsonDict = {
            "id": query_id,
            "from": user.to_api(),
            "chat_instance": str(-(user.id * 7919 + self.bot_id)),
            "message": message_obj,
            "data": callback_data,
        }
        self.enqueue_update({"callback_query": query})
        return query_id

    def block(self, user_id: int) -> None:
        """The user blocks the bot: sends to the chat get 403, a my_chat_member update arrives."""
        if user_id in self.blocked:
            return
        self.blocked.add(user_id)
        self._enqueue_member_change(user_id, old="member", new="kicked")

    def unblock(self, user_id: int) -> None:
        """The user unblocks the bot (my_chat_member kicked -> member)."""
        if user_id not in self.blocked:
            return
        self.blocked.discard(user_id)
        self._enqueue_member_change(user_id, old="kicked", new="member")

    # -- observing -----------------------------------------------------------------------------

    def calls_to(self, method: str) -> list[Call]:
        spec = self.spec.method(method)
        name = spec.name if spec is not None else method
        return [call for call in self.calls if call.method == name]

    def chat(self, chat_id: int) -> list[ChatMessage]:
        """The bot's messages currently in the chat, in order, edits applied (snapshots)."""
        return [copy.deepcopy(m) for m in self._messages.get(chat_id, {}).values() if m.from_bot]

    def bot_message_count(self, chat_id: int) -> int:
        """How many bot messages the chat holds (cheap: no snapshots, for polling)."""
        return sum(1 for m in self._messages.get(chat_id, {}).values() if m.from_bot)

    def last_message(self, chat_id: int) -> ChatMessage:
        messages = self.chat(chat_id)
        if not messages:
            raise AssertionError(
                f"the bot has no messages in chat {chat_id}; recent calls:\n{self.dump_calls()}"
            )
        return messages[-1]

    @property
    def polled(self) -> bool:
        """Whether a bot has asked for updates yet (a long poll may still be open)."""
        return self._poll is not None or bool(self.calls_to("getUpdates"))

    @property
    def pending_updates(self) -> list[JsonDict]:
        """Updates not yet confirmed by a getUpdates offset."""
        return copy.deepcopy(self._updates)

    def dump_calls(self, limit: int = 25) -> str:
        """Recent calls as text, leaving out empty getUpdates answers."""
        interesting = [
            call
            for call in self.calls
            if not (call.method == "getUpdates" and call.ok and not call.result)
        ]
        lines = [str(call) for call in interesting[-limit:]]
        return "\n".join(lines) if lines else "(no calls)"

    # The public API takes explicit timeouts (ASYNC109) so a failure can dump recent calls.
    async def wait_for(
        self,
        predicate: Callable[[], bool],
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> None:
        """Poll ``predicate`` until it is true; AssertionError with recent calls on timeout."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not predicate():
            if loop.time() >= deadline:
                raise AssertionError(
                    f"condition not met within {timeout} s; recent calls:\n{self.dump_calls()}"
                )
            await asyncio.sleep(0.005)

    async def wait_messages(
        self,
        chat_id: int,
        count: int,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> list[ChatMessage]:
        """Wait until the chat holds at least ``count`` bot messages; returns them."""

        def enough() -> bool:
            messages = self._messages.get(chat_id, {}).values()
            return sum(1 for m in messages if m.from_bot) >= count

        await self.wait_for(enough, timeout)
        return self.chat(chat_id)

    async def wait_answered(
        self,
        query_id: str,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> JsonDict:
        """Wait until the bot answers the callback query; returns the answer's params."""
        await self.wait_for(lambda: query_id in self.callback_answers, timeout)
        return self.callback_answers[query_id]

    # -- fault injection -----------------------------------------------------------------------

    def fail_next(
        self,
        method: str | None,
        status: int,
        description: str | None = None,
        *,
        times: int = 1,
        retry_after: int | None = None,
        delay: float = 0.0,
    ) -> None:
        """Answer the next ``times`` calls of ``method`` with an error.

        ``method=None`` matches any method except getUpdates. ``description`` defaults to
        Telegram's wording for the status ("Too Many Requests: retry after N" for 429, with
        ``parameters.retry_after``; "Internal Server Error", "Bad Gateway", ...). ``delay``
        holds the answer back that many seconds (to exercise client timeouts).
        """
        name = self.spec.canonical(method) if method is not None else None
        parameters: JsonDict | None = None
        if status == 429:
            seconds = retry_after if retry_after is not None else self.retry_after
            parameters = {"retry_after": seconds}
            if description is None:
                description = f"Too Many Requests: retry after {seconds}"
        elif retry_after is not None:
            parameters = {"retry_after": retry_after}
        if description is None:
            description = DEFAULT_ERROR_DESCRIPTIONS.get(status) or HTTPStatus(status).phrase
        self._faults.append(_Fault(name, status, description, parameters, times, delay))

    def chaos(self, chaos: Chaos | None) -> None:
        """Start injecting random faults (see `Chaos`); ``None`` stops."""
        self._chaos = chaos
        if chaos is not None:
            self._chaos_rng = random.Random(chaos.seed)

    def _roll_chaos(self, method: str, params: JsonDict) -> str | None:
        """Which fault this call gets, if any."""
        chaos = self._chaos
        if chaos is None:
            return None
        now = _now()
        if method != "getUpdates" and now < self._flood_until:
            return "burst"
        # one request and its retries share a key: the same method with the same parameters
        key = (method, repr(sorted(params.items())))
        if self._chaos_streaks.get(key, 0) >= chaos.max_in_a_row:
            self._chaos_streaks[key] = 0
            return None
        fault: str | None = None
        if chaos.each_kind_first and method in MESSAGE_METHODS:
            for name, share in self._chaos_kinds(chaos, method):
                if share > 0 and not self.faults_injected[name]:
                    fault = name
                    break
        if fault is not None:
            self._chaos_streaks[key] = self._chaos_streaks.get(key, 0) + 1
            if fault == "burst":
                self._flood_until = now + self.retry_after
            return fault
        roll = self._chaos_rng.random()
        for name, share in self._chaos_kinds(chaos, method):
            if roll < share:
                fault = name
                break
            roll -= share
        if fault is None:
            self._chaos_streaks.pop(key, None)
            return None
        self._chaos_streaks[key] = self._chaos_streaks.get(key, 0) + 1
        if fault == "burst":
            self._flood_until = now + self.retry_after
        return fault

    @staticmethod
    def _chaos_kinds(chaos: Chaos, method: str) -> tuple[tuple[str, float], ...]:
        polling = method == "getUpdates"
        return (
            ("server_error", chaos.server_errors),
            ("drop", chaos.drops),
            ("timeout", 0.0 if polling else chaos.timeouts),
            ("burst", 0.0 if polling else chaos.bursts),
        )

    async def _inject(self, fault: str, request: web.Request) -> None:
        """Carry out a chaos fault: raises the API error, or leaves the connection dead."""
        self.faults_injected[fault] += 1
        if fault == "server_error":
            status = self._chaos_rng.choice((500, 502, 503, 504))
            raise _ApiError(status, DEFAULT_ERROR_DESCRIPTIONS.get(status) or "Internal Error")
        if fault == "burst":
            seconds = max(1, math.ceil(self._flood_until - _now()))
            raise _ApiError(
                429, f"Too Many Requests: retry after {seconds}", {"retry_after": seconds}
            )
        if fault == "timeout":
            assert self._chaos is not None
            await asyncio.sleep(self._chaos.hold)
        transport = request.transport
        if transport is not None:
            transport.abort()
        raise _Dropped

    # -- HTTP ----------------------------------------------------------------------------------

    async def _not_found(self, request: web.Request) -> web.Response:
        body: JsonDict = {"ok": False, "error_code": 404, "description": "Not Found"}
        self.calls.append(Call(request.path, dict(request.query), 404, body, _now()))
        return web.json_response(body, status=404)

    async def _handle(self, request: web.Request) -> web.Response:
        at = _now()
        method_name = request.match_info["method"]
        params: JsonDict = {}
        try:
            try:
                if request.match_info["token"] != self.token:
                    raise _ApiError(401, "Unauthorized")
                spec = self.spec.method(method_name)
                if spec is None:
                    raise _ApiError(404, "Not Found")
                method_name = spec.name
                params = await self._read_params(request)
                chaos = self._roll_chaos(method_name, params)
                if chaos is not None:
                    await self._inject(chaos, request)
                fault = self._take_fault(method_name)
                if fault is not None:
                    if fault.delay > 0:
                        await asyncio.sleep(fault.delay)
                    raise _ApiError(fault.status, fault.description, fault.parameters)
                params = self._coerce_params(spec, params)
                result = await self._dispatch(method_name, params)
            except _ApiError as error:
                status, body = error.status, error.body()
            else:
                status, body = 200, {"ok": True, "result": result}
        except _Dropped:
            self.calls.append(Call(method_name, params, 0, {"ok": False, "dropped": True}, at))
            return web.Response(status=500)  # never reaches the client: the connection is gone
        except asyncio.CancelledError:
            # the client went away (e.g. a long poll cancelled by stop_polling)
            closed = {"ok": False, "description": "client closed the request"}
            self.calls.append(Call(method_name, params, 499, closed, at))
            raise
        self.calls.append(Call(method_name, params, status, body, at))
        return web.json_response(body, status=status, dumps=_json_dumps)

    async def _read_params(self, request: web.Request) -> JsonDict:
        params: JsonDict = dict(request.query)
        if not request.body_exists:
            return params
        content_type = request.content_type
        if content_type == "application/json":
            try:
                data = await request.json()
            except ValueError:
                raise _bad("can't parse JSON encoded parameters") from None
            if not isinstance(data, dict):
                raise _bad("parameters must be a JSON object")
            params.update(data)
        elif content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    params[key] = self._new_upload(
                        value.filename, value.content_type, value.file.read()
                    )
                elif isinstance(value, bytes | bytearray):
                    params[key] = bytes(value).decode("utf-8", "replace")
                else:
                    params[key] = value
        return params

    def _take_fault(self, method: str) -> _Fault | None:
        for fault in self._faults:
            matches = fault.method == method or (fault.method is None and method != "getUpdates")
            if matches:
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self._faults.remove(fault)
                return fault
        return None

    async def _dispatch(self, method: str, params: JsonDict) -> Any:
        if method == "getUpdates":
            return await self._get_updates(params)
        handler = self._handlers.get(method)
        if handler is None:
            raise _ApiError(501, f"Not Implemented: FakeTelegram does not emulate {method}")
        return handler(params)

    # -- parameter coercion and validation -----------------------------------------------------

    def _coerce_params(self, spec: MethodSpec, raw: JsonDict) -> JsonDict:
        raw = {k: v for k, v in raw.items() if v is not None}
        attached: set[str] = set()
        result: JsonDict = {}
        for name, field_spec in spec.fields.items():
            if name in raw:
                result[name] = self._coerce_value(field_spec, raw[name], raw, attached)
        if self.strict:
            unknown = [k for k in raw if k not in spec.fields and k not in attached]
            if unknown:
                raise _bad(f"unknown field {unknown[0]}")
        for name, field_spec in spec.fields.items():
            if field_spec.required and (name not in result or result[name] == ""):
                raise _ApiError(400, _missing_description(name))
        return result

    def _coerce_value(
        self, field_spec: FieldSpec, value: Any, raw: JsonDict, attached: set[str]
    ) -> Any:
        kinds = [_type_kind(t) for t in field_spec.types]
        expected = " or ".join(field_spec.types)
        invalid = _bad(f'invalid value of field "{field_spec.name}": expected {expected}')
        if isinstance(value, UploadedFile):
            if "file" in kinds:
                return value
            raise invalid
        if isinstance(value, str):
            if "file" in kinds and value.startswith("attach://"):
                part = value.removeprefix("attach://")
                uploaded = raw.get(part)
                if not isinstance(uploaded, UploadedFile):
                    raise _bad(f'can\'t find attached file "{part}"')
                attached.add(part)
                return uploaded
            for kind in kinds:
                if kind == "int" and _INT_RE.fullmatch(value.strip()):
                    return int(value)
                if kind == "float":
                    with contextlib.suppress(ValueError):
                        number = float(value)
                        if math.isfinite(number):
                            return number
                if kind == "bool" and value.lower() in ("true", "false", "1", "0"):
                    return value.lower() in ("true", "1")
                if kind in ("str", "file"):
                    return value
                if kind in ("array", "object"):
                    with contextlib.suppress(ValueError):
                        decoded = json.loads(value)
                        if isinstance(decoded, list if kind == "array" else dict):
                            return decoded
            raise invalid
        if isinstance(value, bool):
            if "bool" in kinds:
                return value
            raise invalid
        if isinstance(value, int | float):
            if isinstance(value, int) and "int" in kinds:
                return value
            if "float" in kinds:
                return float(value)
            if isinstance(value, float) and value.is_integer() and "int" in kinds:
                return int(value)
            if "str" in kinds:
                return str(value)
            raise invalid
        if isinstance(value, list) and "array" in kinds:
            return value
        if isinstance(value, dict) and "object" in kinds:
            return value
        raise invalid

    # -- users, chats, messages ----------------------------------------------------------------

    def _new_upload(
        self, filename: str | None, content_type: str | None, data: bytes, url: str | None = None
    ) -> UploadedFile:
        number = next(self._file_ids)
        uploaded = UploadedFile(
            file_id=f"FAKE-FILE-{number:06d}",
            file_unique_id=f"U{number:06d}",
            filename=filename,
            content_type=content_type,
            data=data,
            url=url,
        )
        return uploaded

    def _learn_users(self, update: JsonDict) -> None:
        """Remember users whose updates are queued: their chats now exist for the bot."""
        for value in update.values():
            if not isinstance(value, dict):
                continue
            sender = value.get("from")
            if (
                isinstance(sender, dict)
                and not sender.get("is_bot")
                and "id" in sender
                and sender["id"] not in self.known_users
            ):
                self.known_users[sender["id"]] = FakeUser(
                    id=int(sender["id"]),
                    first_name=str(sender.get("first_name", "User")),
                    last_name=sender.get("last_name"),
                    username=sender.get("username"),
                    language_code=sender.get("language_code"),
                )

    def _ensure_user(self, user: FakeUser) -> None:
        self.known_users[user.id] = user
        if user.id in self.blocked:
            self.unblock(user.id)

    def _user_message(
        self,
        user: FakeUser,
        *,
        kind: str,
        text: str | None = None,
        entities: list[JsonDict] | None = None,
        media: JsonDict | None = None,
    ) -> ChatMessage:
        self._ensure_user(user)
        message = ChatMessage(
            message_id=self._next_message_id(user.id),
            chat_id=user.id,
            text=text,
            html=None,
            caption=None,
            reply_markup=None,
            kind=kind,
            payload={},
            entities=list(entities or []),
            date=int(time.time()),
            media=dict(media or {}),
            from_bot=False,
        )
        self._messages.setdefault(user.id, {})[message.message_id] = message
        return message

    def _next_message_id(self, chat_id: int) -> int:
        message_id = self._last_message_id.get(chat_id, 0) + 1
        self._last_message_id[chat_id] = message_id
        return message_id

    def _enqueue_member_change(self, user_id: int, *, old: str, new: str) -> None:
        user = self.known_users.get(user_id) or FakeUser(id=user_id, first_name=f"User {user_id}")
        self.known_users.setdefault(user_id, user)

        def member(status: str) -> JsonDict:
            member: JsonDict = {"status": status, "user": self.bot_user}
            if status == "kicked":
                member["until_date"] = 0
            return member

        self.enqueue_update(
            {
                "my_chat_member": {
                    "chat": user.chat_api(),
                    "from": user.to_api(),
                    "date": int(time.time()),
                    "old_chat_member": member(old),
                    "new_chat_member": member(new),
                }
            }
        )

    def _target_chat(
        self, params: JsonDict, key: str = "chat_id", *, blocked_ok: bool = False
    ) -> int:
        """Resolve chat_id to a private chat the bot may write to (400 / 403 otherwise)."""
        chat_id = params.get(key)
        if isinstance(chat_id, str):
            if not _INT_RE.fullmatch(chat_id.strip()):
                raise _ApiError(400, DESC_CHAT_NOT_FOUND)
            chat_id = int(chat_id)
        if not isinstance(chat_id, int):
            raise _ApiError(400, f"Bad Request: {key} is empty")
        if chat_id not in self.known_users:
            raise _ApiError(400, DESC_CHAT_NOT_FOUND)
        if chat_id in self.blocked and not blocked_ok:
            raise _ApiError(403, DESC_BLOCKED)
        return chat_id

    def _message_api(self, message: ChatMessage, *, with_reply: bool = True) -> JsonDict:
        """Render a stored message as a Bot API Message object."""
        chat_user = self.known_users.get(message.chat_id) or FakeUser(
            id=message.chat_id, first_name=f"User {message.chat_id}"
        )
        obj: JsonDict = {
            "message_id": message.message_id,
            "from": self.bot_user if message.from_bot else chat_user.to_api(),
            "chat": chat_user.chat_api(),
            "date": message.date,
        }
        if message.edit_date is not None:
            obj["edit_date"] = message.edit_date
        if message.from_bot and message.payload.get("protect_content") is True:
            obj["has_protected_content"] = True
        if with_reply and message.reply_to is not None:
            replied = self._messages.get(message.chat_id, {}).get(message.reply_to)
            if replied is not None:
                obj["reply_to_message"] = self._message_api(replied, with_reply=False)
        if message.kind == "text":
            obj["text"] = message.text or ""
            if message.entities:
                obj["entities"] = _copy_json(message.entities)
        elif message.caption:
            obj["caption"] = message.caption
            if message.entities:
                obj["caption_entities"] = _copy_json(message.entities)
        obj.update(_copy_json(message.media))
        if message.reply_markup:
            obj["reply_markup"] = _copy_json(message.reply_markup)
        return obj

    def _find_message(self, chat_id: int, message_id: Any) -> ChatMessage | None:
        if not isinstance(message_id, int):
            return None
        return self._messages.get(chat_id, {}).get(message_id)

    def _store_bot_message(
        self,
        chat_id: int,
        *,
        kind: str,
        params: JsonDict,
        text: str | None = None,
        html: str | None = None,
        caption: str | None = None,
        entities: list[JsonDict] | None = None,
        markup: JsonDict | None = None,
        media: JsonDict | None = None,
        file: UploadedFile | None = None,
    ) -> ChatMessage:
        message = ChatMessage(
            message_id=self._next_message_id(chat_id),
            chat_id=chat_id,
            text=text,
            html=html,
            caption=caption,
            reply_markup=markup,
            kind=kind,
            payload=params,
            entities=list(entities or []),
            date=int(time.time()),
            media=dict(media or {}),
            file=file,
            reply_to=self._reply_target(chat_id, params),
        )
        self._messages.setdefault(chat_id, {})[message.message_id] = message
        return message

    def _reply_target(self, chat_id: int, params: JsonDict) -> int | None:
        reply = params.get("reply_parameters")
        if isinstance(reply, dict):
            return reply.get("message_id") if isinstance(reply.get("message_id"), int) else None
        legacy = params.get("reply_to_message_id")
        return legacy if isinstance(legacy, int) else None

    def _check_reply(self, chat_id: int, params: JsonDict) -> None:
        reply = params.get("reply_parameters")
        allow_missing = params.get("allow_sending_without_reply") is True
        if isinstance(reply, dict):
            allow_missing = allow_missing or reply.get("allow_sending_without_reply") is True
        target = self._reply_target(chat_id, params)
        if isinstance(reply, dict) and target is None:
            raise _bad("message to be replied not found")
        if target is not None and self._find_message(chat_id, target) is None:
            if allow_missing:
                params.pop("reply_parameters", None)
                params.pop("reply_to_message_id", None)
            else:
                raise _bad("message to be replied not found")

    # -- formatting and markup -----------------------------------------------------------------

    def _format(
        self,
        raw: Any,
        parse_mode: Any,
        entities: Any,
        *,
        limit: int,
        too_long: str,
        empty: str | None,
    ) -> tuple[str, list[JsonDict]]:
        """Parse text or caption like Telegram; returns (plain text, entities)."""
        source = raw if isinstance(raw, str) else ""
        parsed: list[JsonDict]
        if entities is not None:
            if not isinstance(entities, list) or not all(
                isinstance(e, dict)
                and isinstance(e.get("type"), str)
                and isinstance(e.get("offset"), int)
                and isinstance(e.get("length"), int)
                for e in entities
            ):
                raise _bad("can't parse entities JSON object")
            text = source
            parsed = [dict(e) for e in entities if e["length"] > 0 and e["offset"] >= 0]
        elif isinstance(parse_mode, str) and parse_mode:
            mode = parse_mode.lower()
            if mode == "html":
                try:
                    text, parsed = parse_html(source)
                except HtmlParseError as error:
                    raise _bad(f"can't parse entities: {error}") from None
            elif mode in ("markdown", "markdownv2"):
                raise _bad(
                    f"parse_mode {parse_mode} is not emulated by FakeTelegram; use HTML or "
                    "entities"
                )
            else:
                raise _bad("unsupported parse_mode")
        else:
            text, parsed = source, []
        text, parsed = _strip_text(text, parsed)
        if not text and empty is not None:
            raise _ApiError(400, empty)
        if len(text) > limit:
            raise _ApiError(400, too_long)
        return text, parsed

    def _format_text(self, params: JsonDict) -> tuple[str, list[JsonDict]]:
        return self._format(
            params.get("text"),
            params.get("parse_mode"),
            params.get("entities"),
            limit=TEXT_LIMIT,
            too_long=DESC_TEXT_TOO_LONG,
            empty=DESC_TEXT_EMPTY,
        )

    def _format_caption(self, params: JsonDict) -> tuple[str | None, list[JsonDict]]:
        caption, entities = self._format(
            params.get("caption"),
            params.get("parse_mode"),
            params.get("caption_entities"),
            limit=CAPTION_LIMIT,
            too_long=DESC_CAPTION_TOO_LONG,
            empty=None,
        )
        return (caption or None), entities

    def _markup(self, markup: Any, *, inline_only: bool) -> tuple[JsonDict | None, Any]:
        """Validate reply_markup; returns (inline keyboard or None, other markup or None)."""
        if markup is None:
            return None, None
        if not isinstance(markup, dict):
            raise _bad("can't parse reply keyboard markup JSON object")
        markup = _without_none(markup)
        if "inline_keyboard" in markup:
            return self._inline_keyboard(markup), None
        if inline_only:
            raise _bad("inline keyboard expected")
        if "keyboard" in markup:
            rows = markup["keyboard"]
            if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
                raise _bad("can't parse reply keyboard markup JSON object")
            for row in rows:
                for button in row:
                    text = button.get("text") if isinstance(button, dict) else button
                    if not isinstance(text, str) or not text:
                        raise _bad("can't parse keyboard button: Text must be non-empty")
            return None, markup
        if markup.get("remove_keyboard") is True or markup.get("force_reply") is True:
            return None, markup
        raise _bad("can't parse reply keyboard markup JSON object")

    def _inline_keyboard(self, markup: JsonDict) -> JsonDict | None:
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise _bad(
                'can\'t parse inline keyboard markup: field "inline_keyboard" must be '
                "an Array of Arrays"
            )
        if sum(len(row) for row in rows) > KEYBOARD_BUTTON_LIMIT or any(
            len(row) > KEYBOARD_ROW_LIMIT for row in rows
        ):
            raise _ApiError(400, DESC_MARKUP_TOO_LONG)
        for row in rows:
            for button in row:
                self._check_button(button)
        if not any(rows):
            # an empty inline keyboard is the same as no keyboard
            return None
        return {"inline_keyboard": [row for row in rows if row]}

    def _check_button(self, button: Any) -> None:
        prefix = "can't parse inline keyboard button:"
        if not isinstance(button, dict):
            raise _bad(f"{prefix} InlineKeyboardButton must be an Object")
        if self.strict:
            unknown = sorted(set(button) - self._button_fields)
            if unknown:
                raise _bad(f"{prefix} unknown field {unknown[0]}")
        text = button.get("text")
        if not isinstance(text, str) or not text.strip():
            raise _bad(f"{prefix} Text must be non-empty")
        actions = [name for name in button if name in self._button_actions]
        if not actions:
            raise _bad(f"{prefix} Text buttons are unallowed in the inline keyboard")
        if len(actions) > 1:
            raise _bad(f"{prefix} exactly one of the optional fields must be used, got {actions}")
        if "callback_data" in button:
            data = button["callback_data"]
            if not isinstance(data, str) or not 1 <= utf8_len(data) <= CALLBACK_DATA_LIMIT:
                raise _ApiError(400, DESC_BUTTON_DATA_INVALID)
        if "url" in button:
            url = button["url"]
            if not isinstance(url, str) or not url or any(c in SPACES for c in url):
                raise _bad("BUTTON_URL_INVALID")
            scheme = url.split("://", 1)[0].lower() if "://" in url else None
            if scheme is not None and scheme not in ("http", "https", "tg"):
                raise _bad("BUTTON_URL_INVALID")

    # -- rate limits ---------------------------------------------------------------------------

    def _too_many(self) -> _ApiError:
        seconds = self.retry_after
        return _ApiError(
            429, f"Too Many Requests: retry after {seconds}", {"retry_after": seconds}
        )

    def _admit(self, chat_id: int, params: JsonDict) -> None:
        """Apply flood limits to one message send/edit and count it when admitted."""
        now = _now()
        ban_until = self._chat_ban_until.get(chat_id)
        if ban_until is not None and now < ban_until:
            # retrying before retry_after has passed extends the ban
            self._chat_ban_until[chat_id] = now + self.retry_after
            raise self._too_many()
        paid = params.get("allow_paid_broadcast") is True
        overall = self.overall_rate
        if overall is not None and paid:
            overall = PAID_BROADCAST_RATE
        while self._sends and self._sends[0] <= now - 1.0:
            self._sends.popleft()
        if overall is not None and len(self._sends) >= overall:
            self._chat_ban_until[chat_id] = now + self.retry_after
            raise self._too_many()
        chat_sends = self._chat_sends.setdefault(chat_id, deque())
        if self.per_chat_rate is not None:
            window = self.per_chat_burst / self.per_chat_rate
            while chat_sends and chat_sends[0] <= now - window:
                chat_sends.popleft()
            if len(chat_sends) >= self.per_chat_burst:
                self._chat_ban_until[chat_id] = now + self.retry_after
                raise self._too_many()
        self._sends.append(now)
        chat_sends.append(now)

    # -- method handlers -----------------------------------------------------------------------

    def _true(self, params: JsonDict) -> bool:
        return True

    def _get_me(self, params: JsonDict) -> JsonDict:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    def _set_webhook(self, params: JsonDict) -> bool:
        url = params.get("url", "")
        secret = params.get("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", str(secret)):
            raise _bad("secret token contains unallowed characters")
        self.webhook_url = str(url)
        if params.get("allowed_updates") is not None:
            self.allowed_updates = list(params["allowed_updates"])
        if params.get("drop_pending_updates") is True:
            self._updates.clear()
        return True

    def _delete_webhook(self, params: JsonDict) -> bool:
        self.webhook_url = ""
        if params.get("drop_pending_updates") is True:
            self._updates.clear()
        return True

    def _get_webhook_info(self, params: JsonDict) -> JsonDict:
        info: JsonDict = {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if self.allowed_updates is not None:
            info["allowed_updates"] = list(self.allowed_updates)
        return info

    async def _get_updates(self, params: JsonDict) -> list[JsonDict]:
        if self.webhook_url:
            raise _ApiError(409, DESC_WEBHOOK_ACTIVE)
        offset = params.get("offset", 0)
        limit = min(max(params.get("limit", 100), 1), 100)
        timeout = max(params.get("timeout", 0), 0)
        if "allowed_updates" in params:
            allowed = params["allowed_updates"]
            if not isinstance(allowed, list) or not all(isinstance(a, str) for a in allowed):
                raise _bad("invalid allowed_updates")
            self.allowed_updates = list(allowed)
        if offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        elif offset < 0:
            self._updates = self._updates[offset:]

        poll = _Poll()
        if self._poll is not None:
            self._poll.superseded = True
            self._poll.wake.set()
        self._poll = poll
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        try:
            while True:
                if poll.superseded:
                    raise _ApiError(409, DESC_CONFLICT)
                batch = self._deliverable(limit)
                if batch or self._stopping:
                    return batch
                remaining = deadline - loop.time()
                if remaining <= 0:
                    return []
                poll.wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(poll.wake.wait(), remaining)
        finally:
            if self._poll is poll:
                self._poll = None

    def _deliverable(self, limit: int) -> list[JsonDict]:
        """Pending updates the bot subscribed to (others are dropped like Telegram does)."""
        allowed = self.allowed_updates

        def wanted(update: JsonDict) -> bool:
            kind = next((k for k in update if k != "update_id"), "")
            if allowed:
                return kind in allowed
            return kind not in DEFAULT_EXCLUDED_UPDATES

        self._updates = [u for u in self._updates if wanted(u)]
        return [_copy_json(update) for update in self._updates[:limit]]

    def _send_message(self, params: JsonDict) -> JsonDict:
        chat_id = self._target_chat(params)
        text, entities = self._format_text(params)
        inline = self._admit_send(chat_id, params)
        message = self._store_bot_message(
            chat_id,
            kind="text",
            params=params,
            text=text,
            html=params.get("text"),
            entities=entities,
            markup=inline,
        )
        return self._message_api(message)

    def _admit_send(self, chat_id: int, params: JsonDict) -> JsonDict | None:
        """What every new message goes through: its markup and reply checked, then the flood
        limits; returns the inline keyboard to store (a reply keyboard is applied here)."""
        inline, other = self._markup(params.get("reply_markup"), inline_only=False)
        self._check_reply(chat_id, params)
        self._admit(chat_id, params)
        self._apply_reply_keyboard(chat_id, other)
        return inline

    def _apply_reply_keyboard(self, chat_id: int, markup: Any) -> None:
        if not isinstance(markup, dict):
            return
        if "keyboard" in markup:
            self.reply_keyboards[chat_id] = markup
        elif markup.get("remove_keyboard") is True:
            self.reply_keyboards[chat_id] = None

    @staticmethod
    def _location(params: JsonDict) -> JsonDict:
        latitude, longitude = params["latitude"], params["longitude"]
        if not -90.0 <= latitude <= 90.0 or not -180.0 <= longitude <= 180.0:
            raise _bad("wrong latitude or longitude specified")
        location: JsonDict = {"latitude": latitude, "longitude": longitude}
        for key in ("horizontal_accuracy", "live_period", "heading", "proximity_alert_radius"):
            if key in params:
                location[key] = params[key]
        return location

    def _send_location(self, params: JsonDict) -> JsonDict:
        chat_id = self._target_chat(params)
        location = self._location(params)
        inline = self._admit_send(chat_id, params)
        message = self._store_bot_message(
            chat_id, kind="location", params=params, markup=inline, media={"location": location}
        )
        return self._message_api(message)

    def _send_venue(self, params: JsonDict) -> JsonDict:
        chat_id = self._target_chat(params)
        location = self._location(params)
        if not str(params["title"]).strip():
            raise _bad("venue title is empty")
        if not str(params["address"]).strip():
            raise _bad("venue address is empty")
        venue: JsonDict = {
            "location": location,
            "title": params["title"],
            "address": params["address"],
        }
        for key in ("foursquare_id", "foursquare_type", "google_place_id", "google_place_type"):
            if key in params:
                venue[key] = params[key]
        inline = self._admit_send(chat_id, params)
        message = self._store_bot_message(
            chat_id,
            kind="venue",
            params=params,
            markup=inline,
            media={"venue": venue, "location": location},
        )
        return self._message_api(message)

    def _resolve_file(self, value: Any) -> UploadedFile:
        if isinstance(value, UploadedFile):
            if not value.data:
                raise _bad("file must be non-empty")
            return value
        if isinstance(value, str):
            known = self.files.get(value)
            if known is not None:
                return known
            if re.match(r"https?://\S+$", value):
                name = value.rstrip("/").rsplit("/", 1)[-1] or None
                return self._new_upload(name, None, b"", url=value)
        raise _bad("wrong file identifier/HTTP URL specified")

    def _send_media(self, params: JsonDict, kind: str) -> JsonDict:
        chat_id = self._target_chat(params)
        uploaded = self._resolve_file(params[kind])
        caption, entities = self._format_caption(params)
        inline = self._admit_send(chat_id, params)
        # only files of successful sends get a file_id the bot can reuse
        self.files[uploaded.file_id] = uploaded
        media: JsonDict
        if kind == "document":
            document: JsonDict = {
                "file_id": uploaded.file_id,
                "file_unique_id": uploaded.file_unique_id,
                "file_size": uploaded.size,
            }
            if uploaded.filename:
                document["file_name"] = uploaded.filename
            if uploaded.content_type:
                document["mime_type"] = uploaded.content_type
            media = {"document": document}
        else:
            media = {
                "photo": [
                    {
                        "file_id": uploaded.file_id,
                        "file_unique_id": uploaded.file_unique_id,
                        "width": 1280,
                        "height": 960,
                        "file_size": uploaded.size,
                    }
                ]
            }
        message = self._store_bot_message(
            chat_id,
            kind=kind,
            params=params,
            html=params.get("caption"),
            caption=caption,
            entities=entities,
            markup=inline,
            media=media,
            file=uploaded,
        )
        return self._message_api(message)

    def _send_document(self, params: JsonDict) -> JsonDict:
        return self._send_media(params, "document")

    def _send_photo(self, params: JsonDict) -> JsonDict:
        return self._send_media(params, "photo")

    def _copy_message(self, params: JsonDict) -> JsonDict:
        source_chat = params.get("from_chat_id")
        if isinstance(source_chat, str) and _INT_RE.fullmatch(source_chat):
            source_chat = int(source_chat)
        if not isinstance(source_chat, int) or source_chat not in self.known_users:
            raise _ApiError(400, DESC_CHAT_NOT_FOUND)
        source = self._find_message(source_chat, params.get("message_id"))
        if source is None:
            raise _bad("message to copy not found")
        chat_id = self._target_chat(params)
        caption, entities = source.caption, source.entities
        html = source.html
        if source.kind in ("document", "photo") and "caption" in params:
            caption, entities = self._format_caption(params)
            html = params.get("caption")
        inline = self._admit_send(chat_id, params)
        message = self._store_bot_message(
            chat_id,
            kind=source.kind,
            params=params,
            text=source.text,
            html=html,
            caption=caption,
            entities=entities,
            markup=inline,
            media=_copy_json(source.media),
            file=source.file,
        )
        return {"message_id": message.message_id}

    def _send_chat_action(self, params: JsonDict) -> bool:
        self._target_chat(params)
        if params["action"] not in CHAT_ACTIONS:
            raise _bad("wrong parameter action in request")
        return True

    def _message_to_edit(self, params: JsonDict) -> ChatMessage:
        if "inline_message_id" in params:
            raise _bad("MESSAGE_ID_INVALID (inline messages are not emulated by FakeTelegram)")
        if "chat_id" not in params:
            raise _bad("chat_id is empty")
        chat_id = self._target_chat(params)
        if "message_id" not in params:
            raise _bad("message identifier is not specified")
        message = self._find_message(chat_id, params["message_id"])
        if message is None:
            raise _ApiError(400, DESC_EDIT_NOT_FOUND)
        if not message.from_bot:
            raise _bad("message can't be edited")
        return message

    def _finish_edit(self, message: ChatMessage, params: JsonDict) -> JsonDict:
        message.payload = params
        message.edited = True
        message.edit_date = int(time.time())
        return self._message_api(message)

    def _edit_message_text(self, params: JsonDict) -> JsonDict:
        if "rich_message" in params:
            raise _ApiError(501, "Not Implemented: FakeTelegram does not emulate rich_message")
        message = self._message_to_edit(params)
        if message.kind != "text":
            raise _bad("there is no text in the message to edit")
        if "text" not in params:
            raise _ApiError(400, DESC_TEXT_EMPTY)
        text, entities = self._format_text(params)
        inline, _ = self._markup(params.get("reply_markup"), inline_only=True)
        if (text, entities, inline) == (message.text, message.entities, message.reply_markup):
            raise _ApiError(400, DESC_NOT_MODIFIED)
        self._admit(message.chat_id, params)
        message.text, message.entities, message.reply_markup = text, entities, inline
        message.html = params["text"]
        return self._finish_edit(message, params)

    def _edit_message_caption(self, params: JsonDict) -> JsonDict:
        message = self._message_to_edit(params)
        if message.kind not in ("document", "photo"):
            raise _bad("there is no caption in the message to edit")
        caption, entities = self._format_caption(params)
        inline, _ = self._markup(params.get("reply_markup"), inline_only=True)
        current = (message.caption, message.entities, message.reply_markup)
        if (caption, entities, inline) == current:
            raise _ApiError(400, DESC_NOT_MODIFIED)
        self._admit(message.chat_id, params)
        message.caption, message.entities, message.reply_markup = caption, entities, inline
        message.html = params.get("caption")
        return self._finish_edit(message, params)

    def _edit_message_reply_markup(self, params: JsonDict) -> JsonDict:
        message = self._message_to_edit(params)
        inline, _ = self._markup(params.get("reply_markup"), inline_only=True)
        if inline == message.reply_markup:
            raise _ApiError(400, DESC_NOT_MODIFIED)
        self._admit(message.chat_id, params)
        message.reply_markup = inline
        return self._finish_edit(message, params)

    def _delete_message(self, params: JsonDict) -> bool:
        chat_id = self._target_chat(params, blocked_ok=True)
        message = self._messages.get(chat_id, {}).pop(params["message_id"], None)
        if message is None:
            raise _ApiError(400, DESC_DELETE_NOT_FOUND)
        self.deleted.append(message)
        return True

    def _delete_messages(self, params: JsonDict) -> bool:
        chat_id = self._target_chat(params, blocked_ok=True)
        ids = params["message_ids"]
        if not isinstance(ids, list) or not 1 <= len(ids) <= 100:
            raise _bad("message_ids must contain 1-100 identifiers")
        for message_id in ids:
            if isinstance(message_id, int):
                message = self._messages.get(chat_id, {}).pop(message_id, None)
                if message is not None:
                    self.deleted.append(message)
        return True

    def _answer_callback_query(self, params: JsonDict) -> bool:
        query_id = params["callback_query_id"]
        query = self._queries.get(query_id)
        if query is None or query.answered or _now() - query.created > self.callback_ttl:
            raise _ApiError(400, DESC_QUERY_INVALID)
        text = params.get("text")
        if isinstance(text, str) and len(text) > CALLBACK_ANSWER_TEXT_LIMIT:
            raise _bad("MESSAGE_TOO_LONG")
        query.answered = True
        self.callback_answers[query_id] = params
        return True

    # -- bot settings --------------------------------------------------------------------------

    @staticmethod
    def _language(params: JsonDict) -> str | None:
        code = params.get("language_code")
        if code is None or code == "":
            return None
        if not isinstance(code, str) or not _LANGUAGE_RE.fullmatch(code):
            raise _bad("invalid language code specified")
        return code

    @staticmethod
    def _scope(params: JsonDict) -> tuple[str, str]:
        """Returns (scope type, canonical JSON of the whole scope)."""
        scope = params.get("scope") or {"type": "default"}
        if not isinstance(scope, dict) or scope.get("type") not in COMMAND_SCOPES:
            raise _bad("unsupported bot command scope type")
        scope_type = str(scope["type"])
        if scope_type.startswith("chat") and "chat_id" not in scope:
            raise _bad("chat_id is empty")
        if scope_type == "chat_member" and "user_id" not in scope:
            raise _bad("user_id is empty")
        return scope_type, json.dumps(scope, sort_keys=True)

    def _set_my_commands(self, params: JsonDict) -> bool:
        commands = params["commands"]
        if len(commands) > COMMAND_LIMIT:
            raise _bad("too many commands")
        cleaned: list[JsonDict] = []
        for command in commands:
            if not isinstance(command, dict):
                raise _bad("can't parse BotCommand JSON object")
            known = self.spec.type_fields.get("BotCommand", frozenset(command))
            unknown = sorted(set(command) - known)
            if self.strict and unknown:
                raise _bad(f"can't parse BotCommand JSON object: unknown field {unknown[0]}")
            name = command.get("command")
            description = command.get("description")
            if not isinstance(name, str) or not _COMMAND_RE.fullmatch(name):
                raise _bad("BOT_COMMAND_INVALID")
            if not isinstance(description, str) or not description.strip():
                raise _bad("command description is empty")
            if len(description) > COMMAND_DESCRIPTION_LIMIT:
                raise _bad("command description is too long")
            cleaned.append({"command": name, "description": description})
        scope_type, scope_key = self._scope(params)
        language = self._language(params)
        self.commands[(scope_type, language)] = cleaned
        self._commands_full[(scope_key, language)] = cleaned
        return True

    def _get_my_commands(self, params: JsonDict) -> list[JsonDict]:
        _, scope_key = self._scope(params)
        return copy.deepcopy(self._commands_full.get((scope_key, self._language(params)), []))

    def _delete_my_commands(self, params: JsonDict) -> bool:
        scope_type, scope_key = self._scope(params)
        language = self._language(params)
        self._commands_full.pop((scope_key, language), None)
        self.commands.pop((scope_type, language), None)
        return True

    def _set_text_setting(
        self, store: dict[str | None, str], params: JsonDict, key: str, limit: int
    ) -> bool:
        language = self._language(params)
        value = params.get(key) or ""
        if len(value) > limit:
            raise _bad(f"{key.replace('_', ' ')} is too long")
        if value:
            store[language] = value
        else:
            store.pop(language, None)
        return True

    def _set_my_description(self, params: JsonDict) -> bool:
        return self._set_text_setting(self.descriptions, params, "description", DESCRIPTION_LIMIT)

    def _get_my_description(self, params: JsonDict) -> JsonDict:
        return {"description": self.descriptions.get(self._language(params), "")}

    def _set_my_short_description(self, params: JsonDict) -> bool:
        return self._set_text_setting(
            self.short_descriptions, params, "short_description", SHORT_DESCRIPTION_LIMIT
        )

    def _get_my_short_description(self, params: JsonDict) -> JsonDict:
        return {"short_description": self.short_descriptions.get(self._language(params), "")}

    def _set_my_name(self, params: JsonDict) -> bool:
        return self._set_text_setting(self.names, params, "name", NAME_LIMIT)

    def _get_my_name(self, params: JsonDict) -> JsonDict:
        return {"name": self.names.get(self._language(params), BOT_FIRST_NAME)}


def _missing_description(name: str) -> str:
    """Telegram's wording for a missing required parameter."""
    special = {
        "chat_id": "Bad Request: chat_id is empty",
        "text": DESC_TEXT_EMPTY,
        "message_id": "Bad Request: message identifier is not specified",
        "callback_query_id": DESC_QUERY_INVALID,
    }
    return special.get(name, f"Bad Request: {name} is required")


def _json_dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)
