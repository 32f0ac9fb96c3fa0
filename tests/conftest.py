"""Shared fixtures: settings isolated from the developer's environment, programs, offline bot."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from aiogram.methods import SetMyCommands, TelegramMethod
from aiogram.types import BotCommandScopeChat, InlineKeyboardMarkup
from aiogram.utils.i18n import I18n

from bot.app import App, create_app
from bot.clock import ManualClock
from bot.config import Settings
from bot.i18n import create_i18n
from bot.offline import OfflineChat, OfflineSession, OfflineUser
from bot.program import Program, load_program, parse_program
from bot.program.models import ItineraryItem
from bot.storage import Database
from tests.fakes.telegram import FakeTelegram

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_PROGRAM = ROOT / "data" / "forum.yaml"
MINI_PROGRAM = ROOT / "tests" / "data" / "mini.yaml"

ORGANIZER_ID = 500
CONFIG_VARIABLES = (
    "BOT_TOKEN",
    "ADMIN_IDS",
    "TELEGRAM_API_URL",
    "DATABASE_URL",
    "PROGRAM_FILE",
    "LOG_LEVEL",
)


Raw = dict[str, Any]


def only(requests: list[TelegramMethod[Any]], kind: type) -> Any:
    """The one request of a kind the bot made (the test fails on none or several)."""
    found = [r for r in requests if isinstance(r, kind)]
    assert len(found) == 1, requests
    return found[0]


def labels(markup: Any) -> list[str]:
    """The texts of an inline keyboard's buttons, row by row."""
    assert isinstance(markup, InlineKeyboardMarkup)
    return [button.text for row in markup.inline_keyboard for button in row]


def chat_menu(requests: list[TelegramMethod[Any]], chat_id: int) -> dict[str, str]:
    """The one command menu set for a chat among the requests: command -> description."""
    menu = only(requests, SetMyCommands)
    assert menu.scope == BotCommandScopeChat(chat_id=chat_id)
    return {command.command: command.description for command in menu.commands}


def mini_raw() -> Raw:
    """The small test program as plain data, to be changed by a test and parsed again."""
    raw: Raw = yaml.safe_load(MINI_PROGRAM.read_text(encoding="utf-8"))
    return raw


def program_of(raw: Raw) -> Program:
    text = yaml.safe_dump(raw, allow_unicode=True, sort_keys=False)
    return parse_program(text, source="test.yaml").program


def with_event(program: Program, event_id: str, **change: Any) -> Program:
    """The program with one event edited, as a reload would put it."""
    events = tuple(
        event.model_copy(update=change) if event.id == event_id else event
        for event in program.events
    )
    return program.model_copy(update={"events": events})


def with_itinerary(program: Program, delegation_id: str, *items: ItineraryItem) -> Program:
    """The program with one delegation's itinerary replaced, as a reload would put it."""
    delegations = [
        d.model_copy(update={"itinerary": items}) if d.id == delegation_id else d
        for d in program.delegations
    ]
    return program.model_copy(update={"delegations": delegations})


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test sees the developer's configuration: variables unset, no .env in the cwd."""
    for name in CONFIG_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def i18n_context() -> Iterator[I18n]:
    """The catalogs as the current I18n, for code that speaks outside an update (files)."""
    i18n = create_i18n()
    with i18n.context():
        yield i18n


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    """A fake Bot API with Telegram's limits (a test module may define its own)."""
    async with FakeTelegram() as server:
        yield server


@pytest.fixture(scope="session")
def sample_program() -> Program:
    return load_program(SAMPLE_PROGRAM).program


@pytest.fixture(scope="session")
def mini_program() -> Program:
    return load_program(MINI_PROGRAM).program


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        _env_file=None,
        admin_ids=frozenset({ORGANIZER_ID}),
        database_url=f"sqlite:///{tmp_path / 'bot.db'}",
        program_file=SAMPLE_PROGRAM,
    )


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 12, 1, 9, 0, tzinfo=UTC))


@dataclass
class Offline:
    """The real app behind an OfflineSession: people chat with it through `chat()`."""

    app: App
    session: OfflineSession

    def chat(
        self,
        user_id: int = 1001,
        *,
        first_name: str = "Aigerim",
        language_code: str | None = "en",
        username: str | None = None,
    ) -> OfflineChat:
        user = OfflineUser(
            id=user_id, first_name=first_name, language_code=language_code, username=username
        )
        return OfflineChat(self.app.dispatcher, self.app.bot, self.session, user)


@pytest.fixture
async def offline(
    settings: Settings, sample_program: Program, clock: ManualClock, tmp_path: Path
) -> AsyncIterator[Offline]:
    db = await Database.open(tmp_path / "bot.db")
    session = OfflineSession()
    app = await create_app(
        settings, sample_program, db=db, session=session, token="1:offline", clock=clock
    )
    try:
        yield Offline(app, session)
    finally:
        await app.close()
