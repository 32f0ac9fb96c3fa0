"""The rehearsal console: the real bot in a terminal, buttons pressed by number."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

from bot.cli import console
from bot.config import Settings
from bot.program import load_program
from tests.conftest import ROOT, SAMPLE_PROGRAM


async def lines(*typed: str) -> AsyncIterator[str]:
    for line in typed:
        yield line


async def rehearse(tmp_path: Path, *typed: str, lang: str = "en", organizer: bool = False) -> str:
    out = io.StringIO()
    settings = Settings(_env_file=None, program_file=SAMPLE_PROGRAM)
    code = await console(
        settings,
        load_program(SAMPLE_PROGRAM),
        as_organizer=organizer,
        lang=lang,
        database_url=f"sqlite:///{tmp_path / 'rehearsal.db'}",
        color=False,
        out=out,
        lines=lines(*typed),
    )
    assert code == 0
    return out.getvalue()


async def test_console_greets_numbers_buttons_and_presses_them(tmp_path: Path) -> None:
    output = await rehearse(tmp_path, "2", "/help", ":quit", "/never-sent")
    assert "Rehearsal console: you are Guest (attendee)." in output
    assert "you> /start" in output
    assert "🤖 Hello, Guest! 👋" in output
    assert "[1] 🇰🇿 Қазақша   [2] 🇷🇺 Русский   [3] 🇬🇧 English" in output
    assert "(pressed: 🇷🇺 Русский)" in output
    assert "🤖 ✏️ Здравствуйте, Guest! 👋" in output  # the message was edited in place
    assert "🤖 Что я умею" in output
    assert "<b>" not in output  # HTML is rendered, not shown
    assert "never-sent" not in output


async def test_console_shares_a_location(tmp_path: Path) -> None:
    output = await rehearse(tmp_path, ":loc 52.2869 76.9647")
    assert "🤖 You are at S. Toraighyrov" in output  # its very pin
    assert "🤖 📍 S. Toraighyrov Pavlodar Regional Universal Scientific Library — " in output


async def test_console_explains_what_it_cannot_do(tmp_path: Path) -> None:
    output = await rehearse(tmp_path, "9", ":loc north", ":loc nan nan", ":loc 999 0", lang="ru")
    assert "(кнопки 9 нет)" in output
    assert output.count("(формат: :loc ШИРОТА ДОЛГОТА)") == 3  # nothing impossible is sent
    assert "км" not in output
    output = await rehearse(tmp_path, ":help", lang="ru")
    assert "нажать эту кнопку" in output


async def test_console_keeps_its_state_between_rehearsals(tmp_path: Path) -> None:
    await rehearse(tmp_path, "1")  # chooses Kazakh
    output = await rehearse(tmp_path)
    assert "🤖 Сәлеметсіз бе, Guest! 👋" in output
    assert "Қазақша   [2]" not in output  # no language choice the second time


async def test_console_as_organizer(tmp_path: Path) -> None:
    output = await rehearse(tmp_path, organizer=True)
    assert "you are Organizer (organizer)" in output


def test_console_runs_in_a_terminal_process(tmp_path: Path) -> None:
    env = {**os.environ, "PROGRAM_FILE": str(SAMPLE_PROGRAM)}
    env.pop("BOT_TOKEN", None)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "bot",
            "console",
            "--lang",
            "kk",
            "--no-color",
            "--database-url",
            f"sqlite:///{tmp_path / 'r.db'}",
        ],
        input="3\n/help\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "🤖 Сәлеметсіз бе, Guest!" in result.stdout  # Telegram language kk
    assert "you> 3\n   (басылды: 🇬🇧 English)" in result.stdout  # piped input is echoed
    assert "🤖 ✏️ Hello, Guest!" in result.stdout
    assert "🤖 What I can do" in result.stdout
    assert "Traceback" not in result.stderr


async def test_pins_files_and_toasts_are_shown_as_text() -> None:
    from aiogram.types import BufferedInputFile

    from bot.app import create_bot
    from bot.console import ConsolePrinter
    from bot.offline import OfflineSession

    session = OfflineSession()
    out = io.StringIO()
    session.listeners.append(ConsolePrinter(session, out, color=False))
    bot = create_bot("1:offline", session)
    await bot.send_venue(7, 52.2869, 76.9647, "Library", "58 Satpayev St")
    await bot.send_document(
        7, BufferedInputFile(b"BEGIN:VCALENDAR", "agenda.ics"), caption="<b>All</b>"
    )
    await bot.answer_callback_query("q1", text="Saved")
    await bot.send_message(7, "<b>Bold</b> &amp; <a href='https://t.me/x'>link</a>")
    assert out.getvalue().splitlines() == [
        "🤖 📍 Library — 58 Satpayev St (52.2869, 76.9647)",
        "🤖 📎 agenda.ics (15 B)",
        "   All",
        "   💬 Saved",
        "🤖 Bold & link (https://t.me/x)",
    ]
