"""The rehearsal console: chat with the real bot in a terminal, without Telegram.

The real dispatcher, handlers, database and program run behind an OfflineSession. The bot's
messages are printed with their HTML rendered readably and inline buttons numbered; typing a
number presses a button, anything else is sent as a message.
"""

from __future__ import annotations

import asyncio
import math
import os
import sys
import threading
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, TextIO

from aiogram.methods import (
    AnswerCallbackQuery,
    EditMessageReplyMarkup,
    EditMessageText,
    SendDocument,
    SendLocation,
    SendMessage,
    SendPhoto,
    SendVenue,
    TelegramMethod,
)
from aiogram.types import InlineKeyboardButton, Message
from aiogram.utils.i18n import gettext as _

from bot.app import App
from bot.htmltext import render_terminal
from bot.i18n import locale_of, resolve_locale
from bot.offline import OfflineChat, OfflineSession

QUIT = {":q", ":quit", ":exit"}


@dataclass
class ConsolePrinter:
    """Prints what the bot does, and remembers the buttons a number can press."""

    session: OfflineSession
    out: TextIO
    color: bool
    buttons: list[tuple[Message, InlineKeyboardButton]] = field(default_factory=list)
    gone: bool = False  # the terminal went away (`forum-bot console | head`)

    def __call__(self, method: TelegramMethod[Any], result: Any) -> None:
        if isinstance(method, (SendMessage, EditMessageText)):
            mark = "🤖 ✏️ " if isinstance(method, EditMessageText) else "🤖 "
            self.write(mark + self.indent(render_terminal(method.text or "", color=self.color)))
            self.show_buttons(result)
        elif isinstance(method, EditMessageReplyMarkup):
            self.show_buttons(result)
        elif isinstance(method, SendVenue):
            self.write(
                f"🤖 📍 {method.title} — {method.address} ({method.latitude}, {method.longitude})"
            )
            self.show_buttons(result)
        elif isinstance(method, SendLocation):
            self.write(f"🤖 📍 ({method.latitude}, {method.longitude})")
        elif isinstance(method, (SendDocument, SendPhoto)) and isinstance(result, Message):
            sent = self.session.files.get((result.chat.id, result.message_id))
            if sent is not None:
                self.write(f"🤖 📎 {sent.filename} ({len(sent.data)} B)")
            if method.caption:
                self.write("   " + self.indent(render_terminal(method.caption, color=self.color)))
            self.show_buttons(result)
        elif isinstance(method, AnswerCallbackQuery) and method.text:
            self.write(f"   💬 {method.text}")

    def indent(self, text: str) -> str:
        return "\n".join(
            ("   " + line).rstrip() if n else line for n, line in enumerate(text.split("\n"))
        )

    def show_buttons(self, message: Any) -> None:
        if not isinstance(message, Message) or message.reply_markup is None:
            return
        self.buttons = []
        for row in message.reply_markup.inline_keyboard:
            labels = []
            for button in row:
                self.buttons.append((message, button))
                label = f"[{len(self.buttons)}] {button.text}"
                if button.url:
                    label += f" → {button.url}"
                labels.append(label)
            self.write("   " + "   ".join(labels))

    def write(self, line: str, end: str = "\n") -> None:
        if self.gone:
            return
        try:
            self.out.write(line + end)
            self.out.flush()
        except BrokenPipeError:
            self.gone = True
            if self.out is sys.stdout:  # keep Python's own flush at exit quiet too
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


async def stdin_lines(prompt: str, printer: ConsolePrinter) -> AsyncIterator[str]:
    """Lines typed at the terminal; a daemon thread reads, so Ctrl-C and Ctrl-D end cleanly."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[str | None] = asyncio.Queue()

    def read() -> None:
        for line in sys.stdin:
            loop.call_soon_threadsafe(queue.put_nowait, line.rstrip("\n"))
        loop.call_soon_threadsafe(queue.put_nowait, None)

    threading.Thread(target=read, name="console-input", daemon=True).start()
    echo = not sys.stdin.isatty()  # piped input is not echoed by a terminal: show it
    while not printer.gone:
        printer.write(prompt, end="")
        line = await queue.get()
        if line is None:
            printer.write("")
            return
        if echo:
            printer.write(line)
        yield line


async def converse(
    app: App,
    chat: OfflineChat,
    printer: ConsolePrinter,
    lines: AsyncIterator[str],
) -> None:
    """The console's loop: numbers press buttons, `:loc LAT LON` sends a location."""
    printer.write("you> /start")
    await chat.send("/start")
    async for raw in lines:
        if printer.gone:
            break
        line = raw.strip()
        if not line:
            continue
        if line in QUIT:
            break
        person = await app.people.get(chat.user.id)
        lang = locale_of(person) if person else resolve_locale(None, None)
        with app.i18n.context(), app.i18n.use_locale(lang):
            await _one_line(chat, printer, line)


async def _one_line(chat: OfflineChat, printer: ConsolePrinter, line: str) -> None:
    if line.isdigit():
        number = int(line)
        if not 1 <= number <= len(printer.buttons):
            printer.write("   " + _("(there is no button {number})").format(number=number))
            return
        message, button = printer.buttons[number - 1]
        if button.url:
            printer.write("   " + _("(opens {url})").format(url=button.url))
            return
        if button.callback_data is None:
            printer.write("   " + _("(this button does nothing offline)"))
            return
        printer.write("   " + _("(pressed: {label})").format(label=button.text))
        await chat.press(button.callback_data, message)
        return
    if line.startswith(":loc"):
        parts = line.split()
        try:
            latitude, longitude = float(parts[1]), float(parts[2])
        except (IndexError, ValueError):
            latitude = longitude = math.nan
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):  # NaN fails too
            printer.write("   " + _("(usage: :loc LATITUDE LONGITUDE)"))
            return
        await chat.send_location(latitude, longitude)
        return
    if line in {":help", ":h"}:
        printer.write(console_help())
        return
    await chat.send(line)


def console_help() -> str:
    return _(
        "Rehearsal console: type as you would in Telegram.\n"
        "  a number         press that button\n"
        "  :loc LAT LON     share a location\n"
        "  :quit            leave (Ctrl-D also works)"
    )


def banner(name: str, organizer: bool) -> str:
    role = _("organizer") if organizer else _("attendee")
    return _(
        "Rehearsal console: you are {name} ({role}). No message leaves this computer.\n"
        "Type :help for help, :quit to leave."
    ).format(name=name, role=role)
