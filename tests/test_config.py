"""Configuration: defaults, parsing, and one clear line per bad variable."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import (
    OFFICIAL_API_URL,
    ConfigError,
    database_path_from_url,
    load_settings,
)


def test_defaults_without_any_environment() -> None:
    settings = load_settings(_env_file=None)
    assert settings.bot_token is None
    assert settings.admin_ids == frozenset()
    assert settings.telegram_api_url == OFFICIAL_API_URL
    assert settings.database_path == Path("data/forum.db")
    assert settings.program_file == Path("data/forum.yaml")
    assert settings.log_level == "INFO"


def test_reads_every_variable_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_TOKEN", "123456:ABC-def")
    monkeypatch.setenv("ADMIN_IDS", " 11, 22 ,33 ")
    monkeypatch.setenv("TELEGRAM_API_URL", "http://127.0.0.1:8081/")
    monkeypatch.setenv("DATABASE_URL", "sqlite:////var/lib/forum/forum.db")
    monkeypatch.setenv("PROGRAM_FILE", "/etc/forum/program.yaml")
    monkeypatch.setenv("LOG_LEVEL", "debug")
    settings = load_settings(_env_file=None)
    assert settings.require_token().get_secret_value() == "123456:ABC-def"
    assert settings.admin_ids == frozenset({11, 22, 33})
    assert settings.is_admin(22) and not settings.is_admin(44)
    assert settings.telegram_api_url == "http://127.0.0.1:8081"
    assert settings.database_path == Path("/var/lib/forum/forum.db")
    assert settings.program_file == Path("/etc/forum/program.yaml")
    assert settings.log_level == "DEBUG"


def test_dotenv_file_is_read(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("ADMIN_IDS=7\nLOG_LEVEL=WARNING\n", encoding="utf-8")
    settings = load_settings()  # the fixture made tmp_path the working directory
    assert settings.admin_ids == frozenset({7})
    assert settings.log_level == "WARNING"


def test_token_is_never_shown() -> None:
    settings = load_settings(_env_file=None, bot_token="123456:very-secret")
    assert "very-secret" not in repr(settings)
    assert "very-secret" not in str(settings.model_dump())


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("ADMIN_IDS", "12,abc", "ADMIN_IDS: expected comma-separated Telegram user ids"),
        ("TELEGRAM_API_URL", "api.telegram.org", "TELEGRAM_API_URL: expected an http(s) base URL"),
        ("DATABASE_URL", "postgres://db/forum", "DATABASE_URL: expected sqlite:///"),
        ("LOG_LEVEL", "LOUD", "LOG_LEVEL: expected one of DEBUG, INFO"),
        ("BOT_TOKEN", "not-a-token", "BOT_TOKEN: expected the token from @BotFather"),
    ],
)
def test_malformed_value_gives_one_line_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, expected: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError) as caught:
        load_settings(_env_file=None)
    assert len(caught.value.lines) == 1
    assert caught.value.lines[0].startswith(expected)
    if variable == "BOT_TOKEN":
        assert value not in caught.value.lines[0]


def test_missing_token_is_reported_only_when_telegram_is_needed() -> None:
    settings = load_settings(_env_file=None)
    with pytest.raises(ConfigError) as caught:
        settings.require_token()
    assert caught.value.lines[0].startswith("BOT_TOKEN: not set")
    assert "forum-bot console" in caught.value.lines[0]


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("sqlite:///data/forum.db", Path("data/forum.db")),
        ("sqlite:////srv/forum.db", Path("/srv/forum.db")),
        ("sqlite:///:memory:", None),
    ],
)
def test_database_urls(url: str, path: Path | None) -> None:
    assert database_path_from_url(url) == path
