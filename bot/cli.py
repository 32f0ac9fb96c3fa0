"""`forum-bot` / `python -m bot`: run the bot, rehearse it in a terminal, check the program."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import TextIO

from aiogram.exceptions import TelegramNetworkError, TelegramUnauthorizedError

from bot.app import App, create_app, create_bot, telegram_session
from bot.config import (
    ConfigError,
    Settings,
    configure_logging,
    database_path_from_url,
    load_settings,
)
from bot.formatting import format_date_range
from bot.i18n import create_i18n
from bot.memory import settle_soon
from bot.program import LANGS, LoadedProgram, ProgramError, load_program
from bot.program.loader import summary_counts
from bot.qr import write_delegation_codes, write_door_codes
from bot.storage import Database, DatabaseRefused

log = logging.getLogger("bot")

EXIT_USAGE = 2  # bad configuration, program or database: fix it and start again
REHEARSAL_DATABASE_URL = "sqlite:///data/rehearsal.db"
CONSOLE_USER_ID = 100_000_001
NOW_HELP = (
    "rehearse as if it were this moment (time flows on from it), e.g. 2026-12-10T09:30; "
    "without an offset, in the forum's timezone"
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="forum-bot",
        description="Telegram companion bot of the international library forum.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    run_parser = commands.add_parser("run", help="run the bot with long polling (the default)")
    run_parser.add_argument("--now", help=NOW_HELP)
    console = commands.add_parser(
        "console", help="chat with the bot offline in this terminal (no token, no network)"
    )
    console.add_argument(
        "--as-organizer", action="store_true", help="chat as an organizer (admin)"
    )
    console.add_argument(
        "--lang", choices=LANGS, default=None, help="the Telegram language of the console user"
    )
    console.add_argument(
        "--database-url",
        default=REHEARSAL_DATABASE_URL,
        help=f"where the rehearsal keeps its state (default {REHEARSAL_DATABASE_URL})",
    )
    console.add_argument("--no-color", action="store_true", help="plain text output")
    console.add_argument("--now", help=NOW_HELP)
    check = commands.add_parser("check-program", help="validate a program file and summarise it")
    check.add_argument("file", nargs="?", type=Path, help="default: PROGRAM_FILE")
    qr = commands.add_parser(
        "qr", help="write a QR code per event and venue (PNG) and a printable index page"
    )
    qr.add_argument("--out", type=Path, required=True, help="the folder to write into")
    qr.add_argument(
        "--invites",
        type=Path,
        help="also write the delegations' invite codes (secret) into this folder, not --out",
    )
    qr.add_argument(
        "--username", help="the bot's username (default: asked from Telegram with BOT_TOKEN)"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    sys.exit(run(argv))


def run(argv: Sequence[str] | None = None, *, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    args = build_parser().parse_args(argv)
    try:
        if args.command == "check-program" and args.file is not None:
            return check_program(args.file, out)
        settings = load_settings()
        level = settings.log_level
        if args.command == "console" and "log_level" not in settings.model_fields_set:
            level = "WARNING"  # the console is a conversation, not a log
        configure_logging(level)
        if args.command == "check-program":
            return check_program(settings.program_file, out)
        loaded = _load(settings.program_file)
        if getattr(args, "now", None):
            settings = settings.model_copy(update={"forum_now": _moment(args.now, loaded)})
        if args.command == "qr":
            if args.invites is not None and _same_or_inside(args.invites, args.out):
                raise ConfigError(
                    ["--invites: give a folder apart from --out (the door codes are public)"]
                )
            return asyncio.run(
                door_codes(settings, loaded, args.out, args.invites, args.username, out)
            )
        if args.command == "console":
            return asyncio.run(
                console(
                    settings,
                    loaded,
                    as_organizer=args.as_organizer,
                    lang=args.lang,
                    database_url=args.database_url,
                    color=not args.no_color and out.isatty(),
                    out=out,
                )
            )
        settings.require_token()
        return asyncio.run(serve(settings, loaded))
    except ConfigError as exc:
        for line in exc.lines:
            print(f"forum-bot: {line}", file=sys.stderr)
        return EXIT_USAGE
    except ProgramError as exc:
        print(exc.render(), file=sys.stderr)
        return EXIT_USAGE
    except DatabaseRefused as exc:
        print(f"forum-bot: database refused: {exc}", file=sys.stderr)
        return EXIT_USAGE


def _moment(typed: str, loaded: LoadedProgram) -> datetime:
    try:
        moment = datetime.fromisoformat(typed)
    except ValueError:
        raise ConfigError(
            [f"--now: expected a date and time like 2026-12-10T09:30, got {typed!r}"]
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=loaded.program.tz)


def _load(path: Path) -> LoadedProgram:
    loaded = load_program(path)
    for warning in loaded.render_warnings():
        log.warning("%s", warning)
    return loaded


def check_program(path: Path, out: TextIO) -> int:
    loaded = load_program(path)  # a ProgramError is reported by the caller
    program = loaded.program
    counts = summary_counts(program)
    forum = program.forum
    kinds = ", ".join(f"{kind} {n}" for kind, n in counts["by_kind"].items())
    lines = [
        f"{path}: OK — {forum.title.en}",
        f"  days: {len(forum.days)} ({format_date_range(forum.starts_on, forum.ends_on, 'en')},"
        f" {forum.timezone})",
        f"  events: {counts['events']} ({kinds})",
        f"  sections: {counts['sections']}",
        f"  venues: {counts['venues']} with {counts['rooms']} rooms",
        f"  delegations: {counts['delegations']}",
        f"  faq: {counts['faq']}",
    ]
    lines += [f"  warning: {warning}" for warning in loaded.render_warnings()]
    out.write("\n".join(lines) + "\n")
    return 0


def _same_or_inside(path: Path, folder: Path) -> bool:
    path, folder = path.resolve(), folder.resolve()
    return path == folder or folder in path.parents


async def door_codes(
    settings: Settings,
    loaded: LoadedProgram,
    folder: Path,
    invites_folder: Path | None,
    username: str | None,
    out: TextIO,
) -> int:
    """`forum-bot qr`: the QR codes organizers print and put at the room doors."""
    if username is None:
        bot = create_bot(settings.require_token().get_secret_value(), telegram_session(settings))
        try:
            username = (await bot.get_me()).username
        except (TelegramUnauthorizedError, TelegramNetworkError) as exc:
            raise ConfigError(
                [
                    f"BOT_TOKEN: could not ask Telegram for the bot's username ({exc}); "
                    "give it with --username"
                ]
            ) from None
        finally:
            await bot.session.close()
    try:
        with create_i18n().context():
            written = write_door_codes(loaded.program, username or "", folder)
            invites = (
                write_delegation_codes(loaded.program, username or "", invites_folder)
                if invites_folder is not None
                else []
            )
    except ValueError as exc:
        raise ConfigError([f"--username: {exc}"]) from None
    out.write(f"{len(written) - 1} QR codes and {written[-1].name} written to {folder}\n")
    if invites:
        out.write(
            f"{len(invites) - 1} delegation invite codes written to {invites_folder} "
            "(secret: for the delegations' liaisons only)\n"
        )
    return 0


async def serve(settings: Settings, loaded: LoadedProgram) -> int:
    db = await Database.open(settings.database_path)
    app = await create_app(settings, loaded.program, db=db)
    dispatcher = app.dispatcher
    settle_soon(app.prepare)
    try:
        await dispatcher.start_polling(
            app.bot,
            allowed_updates=dispatcher.resolve_used_update_types(),
            handle_signals=True,
        )
    except TelegramUnauthorizedError:
        print(
            f"forum-bot: BOT_TOKEN: {settings.telegram_api_url} refused the token "
            "(401 Unauthorized); check it with @BotFather",
            file=sys.stderr,
        )
        return EXIT_USAGE
    except TelegramNetworkError as exc:
        print(
            f"forum-bot: cannot reach the Bot API at {settings.telegram_api_url}: {exc}",
            file=sys.stderr,
        )
        return 1
    finally:
        await db.close()
    return 0


async def console(
    settings: Settings,
    loaded: LoadedProgram,
    *,
    as_organizer: bool,
    lang: str | None,
    database_url: str,
    color: bool,
    out: TextIO,
    lines: AsyncIterator[str] | None = None,
) -> int:
    """Run the rehearsal console until the input ends or the person types :quit."""
    from bot.console import ConsolePrinter, banner, converse, stdin_lines
    from bot.i18n import resolve_locale
    from bot.offline import OfflineChat, OfflineSession, OfflineUser

    try:
        path = database_path_from_url(database_url)
    except ValueError:
        raise ConfigError(["--database-url: expected sqlite:///relative/path.db"]) from None
    user = OfflineUser(
        id=CONSOLE_USER_ID,
        first_name="Organizer" if as_organizer else "Guest",
        username="rehearsal",
        language_code=lang or "ru",
    )
    if as_organizer:
        settings = settings.model_copy(update={"admin_ids": settings.admin_ids | {user.id}})
    session = OfflineSession()
    db = await Database.open(path)
    app: App = await create_app(
        settings, loaded.program, db=db, session=session, token="1:offline"
    )
    printer = ConsolePrinter(session, out, color)
    session.listeners.append(printer)
    chat = OfflineChat(app.dispatcher, app.bot, session, user)
    try:
        await app.on_startup()
        with app.i18n.context(), app.i18n.use_locale(resolve_locale(None, user.language_code)):
            printer.write(banner(user.first_name, as_organizer))
        await converse(app, chat, printer, lines or stdin_lines("you> ", printer))
    finally:
        await app.on_shutdown()
    return 0
