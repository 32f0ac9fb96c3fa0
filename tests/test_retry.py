"""The retry middleware against real HTTP errors from the fake server."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)

from bot.retry import RetryMiddleware
from tests.fakes.telegram import FakeTelegram, FakeUser

USER = FakeUser(id=77, first_name="Nurlan")


class Sleeps:
    """Records the waits instead of waiting, so the tests take no real time."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        server.add_user(USER)
        yield server


def bot_for(url: str, token: str, sleeps: Sleeps, **options: int) -> Bot:
    session = AiohttpSession(api=TelegramAPIServer.from_base(url))
    session.middleware(RetryMiddleware(sleep=sleeps, **options))
    return Bot(token, session=session)


async def test_429_waits_retry_after_then_succeeds(fake: FakeTelegram) -> None:
    sleeps = Sleeps()
    bot = bot_for(fake.url, fake.token, sleeps)
    fake.fail_next("sendMessage", 429, retry_after=7, times=2)
    try:
        message = await bot.send_message(USER.id, "hello")
    finally:
        await bot.session.close()
    assert message.text == "hello"
    assert sleeps.waits == [7, 7]
    assert [c.status for c in fake.calls_to("sendMessage")] == [429, 429, 200]


async def test_5xx_backs_off_exponentially_and_gives_up_after_the_bound(
    fake: FakeTelegram,
) -> None:
    sleeps = Sleeps()
    bot = bot_for(fake.url, fake.token, sleeps, max_attempts=4)
    fake.fail_next("sendMessage", 502, times=10)
    try:
        with pytest.raises(TelegramServerError):
            await bot.send_message(USER.id, "hello")
    finally:
        await bot.session.close()
    assert len(fake.calls_to("sendMessage")) == 4
    assert len(sleeps.waits) == 3
    # full jitter within [ceiling/2, ceiling] of 0.5 s, 1 s, 2 s
    for wait, ceiling in zip(sleeps.waits, (0.5, 1.0, 2.0), strict=True):
        assert ceiling / 2 <= wait <= ceiling


async def test_a_rate_limit_that_never_lifts_is_given_up_eventually(fake: FakeTelegram) -> None:
    sleeps = Sleeps()
    bot = bot_for(fake.url, fake.token, sleeps, max_rate_limited=3)
    fake.fail_next("sendMessage", 429, retry_after=1, times=10)
    try:
        with pytest.raises(TelegramRetryAfter):
            await bot.send_message(USER.id, "hello")
    finally:
        await bot.session.close()
    assert sleeps.waits == [1, 1, 1]


async def test_client_errors_are_not_retried(fake: FakeTelegram) -> None:
    sleeps = Sleeps()
    bot = bot_for(fake.url, fake.token, sleeps)
    try:
        with pytest.raises(TelegramBadRequest, match="chat not found"):
            await bot.send_message(99999, "hello")
    finally:
        await bot.session.close()
    assert sleeps.waits == []
    assert len(fake.calls_to("sendMessage")) == 1


async def test_network_errors_are_retried() -> None:
    sleeps = Sleeps()
    async with FakeTelegram() as server:
        url, token = server.url, server.token
    bot = bot_for(url, token, sleeps, max_attempts=3)  # the server is gone: connection refused
    try:
        with pytest.raises(TelegramNetworkError):
            await bot.send_message(USER.id, "hello")
    finally:
        await bot.session.close()
    assert len(sleeps.waits) == 2
