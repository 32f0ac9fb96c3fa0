"""The bot's HTTP session to the Bot API: aiogram's, with four costs of every request removed.

Each showed in the whole-bot profile (docs/PERFORMANCE.md):

- aiogram sends each request form-urlencoded, percent-encoding the JSON of keyboards and the
  (mostly Cyrillic) text byte by byte: about 240 µs for a schedule page. `TelegramSession`
  sends a JSON body instead, which the Bot API accepts for every method without a file
  (uploads keep aiogram's multipart form).
- aiogram's `prepare_value` walks the dumped request in Python, value by value, to turn
  bot defaults, dates and files into what the Bot API takes: about 70 µs of a schedule page's
  110. A request of plain values (nearly all of them) is written by orjson directly, and every
  answer (updates included) read by it from the bytes received. The json module spent about a
  twentieth of the bot's instructions on this, escaping each Cyrillic letter as `\\uXXXX` on
  the way out and decoding the body to text before parsing it on the way in.
- Telegram answers a sent or edited message with the whole message, its inline keyboard
  included, and aiogram validates every button of it back into a model: about 5 µs each, so
  125 µs for a schedule page's 25. The keyboard in the answer is the one the request carried,
  already a validated (frozen) model, so `TelegramSession` hands that one to the validator.
- aiogram reads every answer through `Response[method.__returning__]`, a pydantic generic. pydantic
  caches such parametrized classes weakly, so the garbage collector may drop one between two
  requests and the next answer build it again: a new model class with its validator. In the
  whole-bot profile of 2026-11-25 that was about a sixth of the event loop's time (with
  pydantic 2.13 something else holds `Response[Message]` too, so the cost may not recur; the
  holding is cheap insurance). `TelegramSession` holds each one it has used.

- Telegram sends with every button press the message the button is under, text, entities and
  keyboard included, and aiogram validates all of it again: about three quarters of the cost
  of reading a press on a schedule page. It is a message the bot sent or edited, and
  `TelegramSession` keeps the latest of those that carry an inline keyboard, as Telegram
  answered them and as validated then (`PressableMessages`). A pressed message equal to the
  one kept is read as that one; anything else (edited since, forgotten, never seen) is
  validated as usual.

aiogram's schemas are built when first used (bot/deferred_schemas.py), so the first edit after
start-up waited some 30 ms for its method's schema and the first venue pin 60 ms.
`TelegramSession.prepare()` builds those of the methods the bot sends, and of their answers,
when the bot has a quiet moment (bot/memory.py).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, cast

import orjson
from aiogram.client.default import Default
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.exceptions import ClientDecodeError, TelegramNetworkError
from aiogram.methods import GetUpdates, Response, TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import InlineKeyboardMarkup, InputFile, Message
from aiohttp import ClientError, ClientTimeout
from pydantic import ValidationError

if TYPE_CHECKING:
    from aiogram import Bot


# Messages with buttons kept for reading presses on them: the latest ones. A schedule page
# kept raw and validated (its keyboard shared with the screen cache) takes up to about 28 KB,
# so this bounds them near 14 MB; presses come mostly on messages just sent, and a press on
# an older one is validated as it always was.
PRESSABLE_KEPT = 500


class PressableMessages:
    """The bot's latest messages with an inline keyboard: each as Telegram answered the request
    that sent or edited it, and as validated then."""

    def __init__(self, size: int = PRESSABLE_KEPT) -> None:
        self._size = size
        self._kept: OrderedDict[tuple[Any, Any], tuple[dict[str, Any], Message]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._kept)

    def keep(self, raw: dict[str, Any], message: Message) -> None:
        key = (message.chat.id, message.message_id)
        self._kept[key] = (raw, message)
        self._kept.move_to_end(key)
        if len(self._kept) > self._size:
            self._kept.popitem(last=False)

    def reuse(self, updates: object) -> None:
        """In the raw updates of a getUpdates answer, put the kept message in place of each
        pressed message equal to it."""
        if not isinstance(updates, list):
            return
        for update in updates:
            query = update.get("callback_query") if isinstance(update, dict) else None
            if not isinstance(query, dict):
                continue
            pressed = query.get("message")
            chat = pressed.get("chat") if isinstance(pressed, dict) else None
            if not isinstance(pressed, dict) or not isinstance(chat, dict):
                continue
            kept = self._kept.get((chat.get("id"), pressed.get("message_id")))
            if kept is not None and kept[0] == pressed:
                query["message"] = kept[1]


class TelegramSession(AiohttpSession):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._responses: dict[Any, type[Response[Any]]] = {}
        self.pressable = PressableMessages()

    def prepare(self, methods: Iterable[type[TelegramMethod[Any]]]) -> None:
        """Build the schemas of these methods and of their answers now, not at first use."""
        for method in methods:
            method.model_rebuild()
            self._response_type(method).model_rebuild()

    def _response_type(self, method: TelegramMethod[Any] | type[TelegramMethod[Any]]) -> Any:
        """`Response[returning]` for the method, held for the session's lifetime."""
        returning = method.__returning__
        response_type = self._responses.get(returning)
        if response_type is None:
            response_type = self._responses[returning] = Response[returning]  # type: ignore[valid-type]
        return response_type

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        timeout: int | None = None,  # noqa: ASYNC109 (aiogram's signature)
    ) -> TelegramType:
        """aiogram's request, with a JSON body when there is no file to upload."""
        response_type = self._response_type(method)  # held: aiogram's own reading finds it too
        body = _plain_json(method, bot)
        if body is None:
            files: dict[str, InputFile] = {}
            payload = {}
            for key, value in method.model_dump(warnings=False).items():
                prepared = self.prepare_value(value, bot=bot, files=files, _dumps_json=False)
                if prepared is not None and prepared != "":  # what aiogram's form leaves out
                    payload[key] = prepared
            if files:  # uploads need aiogram's multipart form
                return await super().make_request(bot, method, timeout)
            body = self.json_dumps(payload).encode()
        session = await self.create_session()
        url = self.api.api_url(token=bot.token, method=method.__api_method__)
        try:
            async with session.post(
                url,
                data=body,
                headers={"Content-Type": "application/json"},
                timeout=ClientTimeout(total=self.timeout if timeout is None else timeout),
            ) as resp:
                raw_result = await resp.read()
        except TimeoutError as exc:
            raise TelegramNetworkError(method=method, message="Request timeout error") from exc
        except ClientError as exc:
            raise TelegramNetworkError(
                method=method, message=f"{type(exc).__name__}: {exc}"
            ) from exc
        if resp.status == HTTPStatus.OK:
            answer = _json_object(raw_result)
            if answer is not None and answer.get("ok") is True:
                if isinstance(method, GetUpdates):
                    self.pressable.reuse(answer.get("result"))
                result = _result(bot, method, answer, response_type)
                if isinstance(result, Message) and result.reply_markup is not None:
                    self.pressable.keep(answer["result"], result)
                return result
        # Errors (and anything odd) go through aiogram's own reading: its exceptions and all.
        response = self.check_response(
            bot=bot,
            method=method,
            status_code=resp.status,
            content=raw_result.decode(errors="replace"),
        )
        return cast(TelegramType, response.result)


# Dates, dataclasses and subclasses of str or int are left to aiogram, as is anything else
# orjson cannot write: its `prepare_value` knows what the Bot API takes (a date is a Unix time).
_PASS_THROUGH = (
    orjson.OPT_PASSTHROUGH_DATETIME
    | orjson.OPT_PASSTHROUGH_DATACLASS
    | orjson.OPT_PASSTHROUGH_SUBCLASS
)


def _plain_json(method: TelegramMethod[TelegramType], bot: Bot) -> bytes | None:
    """The request's JSON body, written by orjson in one pass; None when the request
    holds anything but plain values (a file, a date, a bot default inside an object), which
    aiogram's `prepare_value` turns into what the Bot API takes."""
    body = method.model_dump(warnings=False, exclude_none=True)
    for key, value in list(body.items()):
        if isinstance(value, Default):
            value = body[key] = bot.default[value.name]
        if value is None or value == "":  # what aiogram's form leaves out
            del body[key]
    try:
        return orjson.dumps(body, option=_PASS_THROUGH)
    except orjson.JSONEncodeError:
        return None


def _json_object(raw: bytes) -> dict[str, Any] | None:
    try:
        answer = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None  # aiogram's reading says what was wrong with it
    return answer if isinstance(answer, dict) else None


def _result(
    bot: Bot, method: TelegramMethod[TelegramType], answer: dict[str, Any], response_type: Any
) -> TelegramType:
    """The `result` of a successful answer as aiogram would read it, with the inline keyboard
    the request carried standing in for Telegram's copy of it."""
    result = answer.get("result")
    sent = getattr(method, "reply_markup", None)
    if (
        isinstance(result, dict)
        and "reply_markup" in result
        and isinstance(sent, InlineKeyboardMarkup)
    ):
        answer = {**answer, "result": {**result, "reply_markup": sent}}
    try:
        response = response_type.model_validate(answer, context={"bot": bot})
    except ValidationError as exc:
        raise ClientDecodeError("Failed to deserialize object", exc, answer) from exc
    return cast(TelegramType, response.result)
