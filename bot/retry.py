"""Retry Bot API requests on 429 (after `retry_after`) and on transient failures.

aiogram has no retry of its own. This session middleware makes every request the bot sends
survive a rate limit and a short outage of the Bot API; getUpdates is left to aiogram's own
polling backoff.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.exceptions import TelegramNetworkError, TelegramRetryAfter, TelegramServerError
from aiogram.methods import GetUpdates, TelegramMethod
from aiogram.methods.base import TelegramType

if TYPE_CHECKING:
    from aiogram import Bot
    from aiogram.methods import Response

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]


class RetryMiddleware(BaseRequestMiddleware):
    def __init__(
        self,
        *,
        max_attempts: int = 5,
        max_rate_limited: int = 10,
        base_delay: float = 0.5,
        max_delay: float = 20.0,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.max_attempts = max_attempts
        self.max_rate_limited = max_rate_limited
        self.base_delay = base_delay
        self.max_delay = max_delay
        self._sleep = sleep

    def backoff(self, failures: int) -> float:
        """Exponential backoff with full jitter: 0.5 s, 1 s, 2 s, ... capped."""
        ceiling = min(self.max_delay, self.base_delay * 2 ** (failures - 1))
        return float(ceiling / 2 + random.uniform(0, ceiling / 2))

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        if isinstance(method, GetUpdates):  # aiogram's polling has its own backoff
            return await make_request(bot, method)  # type: ignore[arg-type]
        failures = 0
        rate_limited = 0
        while True:
            try:
                return await make_request(bot, method)
            except TelegramRetryAfter as exc:
                rate_limited += 1
                if rate_limited > self.max_rate_limited:
                    raise
                log.warning(
                    "%s: rate limited, retrying after %s s (%d)",
                    method.__api_method__,
                    exc.retry_after,
                    rate_limited,
                )
                await self._sleep(exc.retry_after)
            except (TelegramServerError, TelegramNetworkError) as exc:
                failures += 1
                if failures >= self.max_attempts:
                    raise
                delay = self.backoff(failures)
                log.warning(
                    "%s: %s, retry %d in %.1f s",
                    method.__api_method__,
                    exc,
                    failures,
                    delay,
                )
                await self._sleep(delay)
