"""Configuration from the environment (and an optional `.env` file).

Every variable is documented in `.env.example`. `load_settings` turns pydantic's validation
errors into one readable line per variable, so that a typo in a deployment gives
"ADMIN_IDS: expected ..." instead of a traceback.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

OFFICIAL_API_URL = "https://api.telegram.org"
DEFAULT_DATABASE_URL = "sqlite:///data/forum.db"
DEFAULT_PROGRAM_FILE = Path("data/forum.yaml")

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]

# What each variable expects, in the words of the error line a person reads.
EXPECTED: dict[str, str] = {
    "BOT_TOKEN": "the token from @BotFather, like 123456:ABC-DEF...",
    "ADMIN_IDS": "comma-separated Telegram user ids (integers), like 12345,67890",
    "TELEGRAM_API_URL": "an http(s) base URL of a Bot API server, like https://api.telegram.org",
    "DATABASE_URL": "sqlite:///relative/path.db or sqlite:////absolute/path.db",
    "PROGRAM_FILE": "a path to the program YAML file",
    "LOG_LEVEL": "one of DEBUG, INFO, WARNING, ERROR, CRITICAL",
    "DELIVERY_RATE": "messages per second for the delivery queue, more than 0 and at most 1000",
    "PAID_BROADCAST": "true or false",
    "CHANGE_NOTICE_DELAY": "seconds, from 0 to 3600",
    "FORUM_NOW": "an ISO 8601 date-time with an offset, like 2026-12-10T09:30+05:00",
}


class ConfigError(Exception):
    """A setting is missing or malformed; `lines` holds one readable line per problem."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        frozen=True,
    )

    bot_token: SecretStr | None = None
    admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    telegram_api_url: str = OFFICIAL_API_URL
    database_url: str = DEFAULT_DATABASE_URL
    program_file: Path = DEFAULT_PROGRAM_FILE
    log_level: LogLevel = "INFO"
    # The delivery queue's own pace (Telegram allows about 30 messages a second) and whether
    # organizers may use paid broadcasting (up to 1000 a second, paid in Stars).
    delivery_rate: float = Field(default=30.0, gt=0, le=1000)
    paid_broadcast: bool = False
    # Program edits within this many seconds of each other are told to people as one notice.
    change_notice_delay: float = Field(default=60.0, ge=0, le=3600)
    # A rehearsal: the bot behaves as if it were this moment, time flowing on from there.
    forum_now: AwareDatetime | None = None

    @field_validator("bot_token", mode="before")
    @classmethod
    def _token(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = value.strip()
            if not value:
                return None
            head, sep, tail = value.partition(":")
            if not (sep and head.isdigit() and tail):
                raise ValueError("malformed token")
        return value

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _admin_ids(cls, value: Any) -> Any:
        if isinstance(value, str):
            parts = [part.strip() for part in value.split(",") if part.strip()]
            if not all(part.isdigit() for part in parts):
                raise ValueError("not a list of integers")
            return frozenset(int(part) for part in parts)
        if isinstance(value, int):
            return frozenset({value})
        return value

    @field_validator("telegram_api_url")
    @classmethod
    def _api_url(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        scheme, sep, rest = value.partition("://")
        if not sep or scheme not in {"http", "https"} or not rest:
            raise ValueError("not an http(s) URL")
        return value

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        database_path_from_url(value)
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _log_level(cls, value: Any) -> Any:
        return value.strip().upper() if isinstance(value, str) else value

    @property
    def database_path(self) -> Path | None:
        """The SQLite file, or None for an in-memory database."""
        return database_path_from_url(self.database_url)

    def is_admin(self, user_id: int) -> bool:
        return user_id in self.admin_ids

    def require_token(self) -> SecretStr:
        if self.bot_token is None:
            raise ConfigError(
                [
                    "BOT_TOKEN: not set; expected "
                    + EXPECTED["BOT_TOKEN"]
                    + " (to try the bot without Telegram, run: forum-bot console)"
                ]
            )
        return self.bot_token


def database_path_from_url(url: str) -> Path | None:
    """`sqlite:///data/forum.db` -> data/forum.db; `sqlite:////abs` -> /abs; `:memory:` -> None."""
    prefix = "sqlite:///"
    if not url.startswith(prefix) or len(url) == len(prefix):
        raise ValueError("not a sqlite:/// URL")
    rest = url[len(prefix) :]
    if rest == ":memory:":
        return None
    return Path(rest)


def load_settings(**overrides: Any) -> Settings:
    """Build settings from the environment; raise ConfigError with readable lines on failure."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        raise ConfigError(_describe(exc)) from None


def _describe(exc: ValidationError) -> list[str]:
    lines: list[str] = []
    for error in exc.errors():
        name = str(error["loc"][0]).upper() if error["loc"] else "configuration"
        expected = EXPECTED.get(name, error["msg"])
        given = error.get("input")
        shown = "" if name == "BOT_TOKEN" or not isinstance(given, str) else f", got {given!r}"
        lines.append(f"{name}: expected {expected}{shown}")
    return lines


def configure_logging(level: str) -> None:
    logging.basicConfig(
        level=level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


__all__ = [
    "ConfigError",
    "Settings",
    "configure_logging",
    "database_path_from_url",
    "load_settings",
]
