"""The bot's HTTP session to the Bot API: aiogram's, with two costs of every request removed.

Both showed in the whole-bot profile (docs/PERFORMANCE.md):

- aiogram sends each request form-urlencoded, percent-encoding the JSON of keyboards and the
  (mostly Cyrillic) text byte by byte: about 240 µs for a schedule page. `TelegramSession`
  sends a JSON body instead, which the Bot API accepts for every method without a file
  (uploads keep aiogram's multipart form).
- aiogram reads every answer through `Response[method.__returning__]`, a pydantic generic. pydantic
caches such parametrized classes weakly, and nothing else holds them, so between two requests
the garbage collector may drop the class and the next answer builds it again: a new model
class with its validator. In the whole-bot profile that was about a sixth of the event loop's
time. `PinResponseTypes` holds each one the session has used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.exceptions import TelegramNetworkError
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import InputFile
from aiohttp import ClientError, ClientTimeout

if TYPE_CHECKING:
    from aiogram import Bot


class TelegramSession(AiohttpSession):
    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        timeout: int | None = None,  # noqa: ASYNC109 (aiogram's signature)
    ) -> TelegramType:
        """aiogram's request, with a JSON body when there is no file to upload."""
        files: dict[str, InputFile] = {}
        payload = {}
        for key, value in method.model_dump(warnings=False).items():
            prepared = self.prepare_value(value, bot=bot, files=files, _dumps_json=False)
            if prepared is not None and prepared != "":  # what aiogram's form leaves out
                payload[key] = prepared
        if files:  # uploads need aiogram's multipart form
            return await super().make_request(bot, method, timeout)
        session = await self.create_session()
        url = self.api.api_url(token=bot.token, method=method.__api_method__)
        try:
            async with session.post(
                url,
                data=self.json_dumps(payload),
                headers={"Content-Type": "application/json"},
                timeout=ClientTimeout(total=self.timeout if timeout is None else timeout),
            ) as resp:
                raw_result = await resp.text()
        except TimeoutError as exc:
            raise TelegramNetworkError(method=method, message="Request timeout error") from exc
        except ClientError as exc:
            raise TelegramNetworkError(
                method=method, message=f"{type(exc).__name__}: {exc}"
            ) from exc
        response = self.check_response(
            bot=bot, method=method, status_code=resp.status, content=raw_result
        )
        return cast(TelegramType, response.result)


class PinResponseTypes(BaseRequestMiddleware):
    def __init__(self) -> None:
        self._pinned: dict[Any, type] = {}

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        returning = method.__returning__
        if returning not in self._pinned:
            self._pinned[returning] = Response[returning]  # type: ignore[valid-type]
        return await make_request(bot, method)
