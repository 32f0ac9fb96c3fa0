"""The command line: check-program, exit codes, and `python -m bot` as a real process."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import sys
from pathlib import Path

import pytest

from bot.cli import run
from tests.conftest import ROOT, SAMPLE_PROGRAM
from tests.fakes.telegram import FakeTelegram, FakeUser


def test_check_program_summarises_the_sample(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["check-program", str(SAMPLE_PROGRAM)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"{SAMPLE_PROGRAM}: OK")
    assert "days: 2 (10–11 December 2026, Asia/Almaty)" in out
    assert "events: " in out and "section 8" in out
    assert "delegations: 10" in out


def test_check_program_uses_program_file_by_default(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PROGRAM_FILE", str(ROOT / "tests" / "data" / "mini.yaml"))
    assert run(["check-program"]) == 0
    assert "Mini forum" in capsys.readouterr().out


def test_invalid_program_is_reported_with_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "forum.yaml"
    text = SAMPLE_PROGRAM.read_text(encoding="utf-8").replace(
        'timezone: "Asia/Almaty"', 'timezone: "Asia/Pavlodar"'
    )
    broken.write_text(text, encoding="utf-8")
    assert run(["check-program", str(broken)]) == 2
    err = capsys.readouterr().err
    assert f"{broken}: 1 problem in the program file" in err
    assert "forum.timezone: unknown timezone 'Asia/Pavlodar'" in err


def test_an_impossible_date_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "forum.yaml"
    text = SAMPLE_PROGRAM.read_text(encoding="utf-8")
    assert text.count("starts_on: 2026-12-10\n") == 1
    broken.write_text(
        text.replace("starts_on: 2026-12-10\n", "starts_on: 2026-12-32\n"), encoding="utf-8"
    )
    line = text.splitlines().index("  starts_on: 2026-12-10") + 1
    assert run(["check-program", str(broken)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert err.splitlines()[0] == f"{broken}: 1 problem in the program file"
    assert err.splitlines()[1].startswith(
        f"{broken}:{line}: forum.starts_on: '2026-12-32' is not a real date: "
    )
    assert len(err.splitlines()) == 2


def test_bot_refuses_to_start_on_an_invalid_program(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "forum.yaml"
    broken.write_text("forum: {id: x}\n", encoding="utf-8")
    monkeypatch.setenv("PROGRAM_FILE", str(broken))
    monkeypatch.setenv("BOT_TOKEN", "123:abc")
    assert run([]) == 2
    assert "problems in the program file" in capsys.readouterr().err


def test_missing_token_is_one_line_and_exit_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PROGRAM_FILE", str(SAMPLE_PROGRAM))
    assert run(["run"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("forum-bot: BOT_TOKEN: not set")


def test_malformed_setting_is_one_line_and_exit_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ADMIN_IDS", "alice,bob")
    assert run([]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        "forum-bot: ADMIN_IDS: expected comma-separated Telegram user ids (integers), "
        "like 12345,67890, got 'alice,bob'"
    ]


def test_a_foreign_database_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    foreign = tmp_path / "accounts.db"
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE ledger (id INTEGER)")
    monkeypatch.setenv("BOT_TOKEN", "123:abc")
    monkeypatch.setenv("PROGRAM_FILE", str(SAMPLE_PROGRAM))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{foreign}")
    assert run([]) == 2
    assert "belongs to another program" in capsys.readouterr().err


def test_qr_writes_door_codes_with_the_given_username(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PROGRAM_FILE", str(SAMPLE_PROGRAM))
    out = tmp_path / "doors"
    assert run(["qr", "--out", str(out), "--username", "@forum_pvl_bot"]) == 0
    assert capsys.readouterr().out == f"35 QR codes and index.html written to {out}\n"
    page = (out / "index.html").read_text(encoding="utf-8")
    assert "https://t.me/forum_pvl_bot?start=e-opening" in page
    assert (out / "venue-library.png").read_bytes().startswith(b"\x89PNG")
    written = [path.name for path in out.rglob("*")]
    assert len(written) == 36  # 35 codes and the page: no invite anywhere in the folder
    assert not [name for name in written if "delegation" in name]
    assert "start=d-" not in page


def test_qr_writes_the_secret_invite_codes_only_when_asked_and_apart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PROGRAM_FILE", str(SAMPLE_PROGRAM))
    out, secret = tmp_path / "doors", tmp_path / "liaisons"
    argv = ["qr", "--out", str(out), "--invites", str(secret), "--username", "forum_pvl_bot"]
    assert run(argv) == 0
    assert capsys.readouterr().out == (
        f"35 QR codes and index.html written to {out}\n"
        f"10 delegation invite codes written to {secret} "
        "(secret: for the delegations' liaisons only)\n"
    )
    invites = (secret / "index.html").read_text(encoding="utf-8")
    assert invites.count("https://t.me/forum_pvl_bot?start=d-") == 10
    assert "start=d-" not in (out / "index.html").read_text(encoding="utf-8")

    inside = out / "delegations"
    argv = ["qr", "--out", str(out), "--invites", str(inside), "--username", "forum_pvl_bot"]
    assert run(argv) == 2
    assert "--invites: give a folder apart from --out" in capsys.readouterr().err
    assert not inside.exists()


def test_qr_asks_telegram_for_the_username_without_a_flag(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PROGRAM_FILE", str(SAMPLE_PROGRAM))
    assert run(["qr", "--out", str(tmp_path)]) == 2
    assert "BOT_TOKEN: not set" in capsys.readouterr().err


async def test_qr_takes_the_username_from_get_me(tmp_path: Path) -> None:
    async with FakeTelegram(bot_username="pavlodar_forum_bot") as fake:
        env = {
            **os.environ,
            "BOT_TOKEN": fake.token,
            "TELEGRAM_API_URL": fake.url,
            "PROGRAM_FILE": str(SAMPLE_PROGRAM),
        }
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "qr",
            "--out",
            str(tmp_path / "doors"),
            env=env,
            cwd=tmp_path,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        stdout, stderr = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, stderr.decode()
    assert b"35 QR codes" in stdout
    assert [call.method for call in fake.calls] == ["getMe"]
    assert_page_links(tmp_path / "doors" / "index.html", "pavlodar_forum_bot")


def assert_page_links(page: Path, username: str) -> None:
    assert f"https://t.me/{username}?start=v-museum" in page.read_text(encoding="utf-8")


HELLO = {"kk": "Сәлеметсіз бе, ", "ru": "Здравствуйте, ", "en": "Hello, "}
HELP_TITLE = {"kk": "Мен не істей аламын", "ru": "Что я умею", "en": "What I can do"}


async def test_python_m_bot_answers_in_three_languages_and_stops_on_sigterm(
    tmp_path: Path,
) -> None:
    database = tmp_path / "forum.db"
    async with FakeTelegram() as fake:
        env = {
            **os.environ,
            "BOT_TOKEN": fake.token,
            "TELEGRAM_API_URL": fake.url,
            "DATABASE_URL": f"sqlite:///{database}",
            "PROGRAM_FILE": str(SAMPLE_PROGRAM),
            "LOG_LEVEL": "INFO",
        }
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            env=env,
            cwd=tmp_path,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            for number, lang in enumerate(("kk", "ru", "en")):
                user = FakeUser(id=3000 + number, first_name="Asel", language_code=lang)
                fake.send_message(user, "/start")
                (greeting,) = await fake.wait_messages(user.id, 1, timeout=20)
                assert greeting.text is not None and greeting.text.startswith(HELLO[lang])
                fake.send_message(user, "/help")
                replies = await fake.wait_messages(user.id, 2, timeout=20)
                assert replies[1].text is not None and replies[1].text.startswith(HELP_TITLE[lang])
        finally:
            process.send_signal(signal.SIGTERM)
            _, stderr = await asyncio.wait_for(process.communicate(), 30)
    log = stderr.decode()
    assert process.returncode == 0, log
    assert "Traceback" not in log
    assert "database closed" in log
    assert fake.token.split(":")[1] not in log  # the token is never logged
    assert_closed_cleanly(database, people=3)


def assert_closed_cleanly(database: Path, *, people: int) -> None:
    assert not Path(f"{database}-wal").exists()  # the WAL was checkpointed on close
    with sqlite3.connect(database) as conn:
        assert conn.execute("SELECT count(*) FROM people").fetchone() == (people,)
