"""Shared fixtures: settings isolated from the developer's environment, programs, offline bot."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.app import App, create_app
from bot.clock import ManualClock
from bot.config import Settings
from bot.offline import OfflineChat, OfflineSession, OfflineUser
from bot.program import Program, load_program
from bot.storage import Database

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


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test sees the developer's configuration: variables unset, no .env in the cwd."""
    for name in CONFIG_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


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
        await db.close()
