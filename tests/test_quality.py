"""ruff (lint and format) and mypy --strict stay clean: CI runs them with the tests."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT


def run_tool(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *command], cwd=ROOT, capture_output=True, text=True, check=False
    )


def test_ruff_check() -> None:
    result = run_tool("ruff", "check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format() -> None:
    result = run_tool("ruff", "format", "--check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict() -> None:
    result = run_tool("mypy")
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_handler_and_filter_runs_on_the_event_loop() -> None:
    """aiogram runs a plain function (a magic filter such as `F.text` included) in a worker
    thread for every check: a dozen thread trips per update, and the GIL fought over. Routers
    use the async filters of bot/filters.py instead."""
    import handlers

    in_threads = []
    checked = 0
    for router in (r for root in handlers.routers() for r in root.chain_tail):
        for name, observer in router.observers.items():
            for filter_ in observer._handler.filters or ():
                if not filter_.awaitable:
                    in_threads.append(f"{router.name} {name} root filter {filter_.callback}")
            for handler in observer.handlers:
                callables = [handler, *(handler.filters or ())]
                checked += len(callables)
                in_threads += [
                    f"{router.name} {name}: {c.callback}" for c in callables if not c.awaitable
                ]
    assert checked > 50  # the routers were found: every handler and its filters
    assert in_threads == []


def test_buttons_and_commands_are_matched_by_the_bots_own_filters() -> None:
    """aiogram's `Command` and `CallbackData.filter()` parse every text and button they meet
    (raising for each miss); `Cmd` and `Pressed` turn the others away first (bot/filters.py)."""
    from aiogram.filters import Command
    from aiogram.filters.callback_data import CallbackQueryFilter

    import handlers
    from bot.filters import Cmd, CmdStart, Pressed

    slow = []
    seen = 0
    for router in (r for root in handlers.routers() for r in root.chain_tail):
        for name, observer in router.observers.items():
            for handler in observer.handlers:
                for filter_ in handler.filters or ():
                    check = filter_.callback
                    seen += isinstance(check, Command | CallbackQueryFilter)
                    if isinstance(check, Command) and not isinstance(check, Cmd | CmdStart):
                        slow.append(f"{router.name} {name}: {check}")
                    if isinstance(check, CallbackQueryFilter) and not isinstance(check, Pressed):
                        slow.append(f"{router.name} {name}: {check}")
    assert seen > 30  # the commands and buttons of every router were looked at
    assert slow == []


def test_the_routers_after_the_questions_take_commands_only() -> None:
    """Questions in plain words come early among the routers, for speed (handlers/__init__.py):
    a router after them that took typed text would silently lose it to the questions."""
    import handlers
    from bot.filters import Cmd, CmdStart

    routers = handlers.routers()
    names = [router.name for router in routers]
    after = routers[names.index("handlers.ask") + 1 : names.index("handlers.fallback")]
    takes_text = [
        f"{router.name}: {handler.callback.__name__}"
        for router in after
        for handler in router.message.handlers
        if not any(isinstance(f.callback, Cmd | CmdStart) for f in handler.filters or ())
    ]
    assert len(after) >= 5  # menu, start, language, settings, delegations, organizer, ...
    assert takes_text == []


def test_no_feature_router_reaches_into_another() -> None:
    """A step shared by two features lives in bot/ (or the press is routed to its owner):
    one handlers module importing another ties their routers' order and state together."""
    import ast

    found = []
    for path in sorted((ROOT / "handlers").glob("*.py")):
        if path.name == "__init__.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("handlers"):
                found.append(f"{path.name}: from {node.module} import ...")
            if isinstance(node, ast.Import):
                found += [
                    f"{path.name}: import {a.name}"
                    for a in node.names
                    if a.name.startswith("handlers")
                ]
    assert len(list((ROOT / "handlers").glob("*.py"))) > 10  # the modules were read
    assert found == []


def test_the_methods_prepared_after_start_up_are_all_the_code_sends() -> None:
    """`App.prepare` builds the schemas of SENT_METHODS; a method the code calls and the list
    misses would make its first caller wait for its schema again."""
    import re
    from typing import Any

    from aiogram import Bot, methods
    from aiogram.methods.base import TelegramMethod
    from aiogram.types import CallbackQuery, Message

    from bot.app import SENT_METHODS

    called: set[type[TelegramMethod[Any]]] = set()
    for path in [*ROOT.joinpath("bot").rglob("*.py"), *ROOT.joinpath("handlers").rglob("*.py")]:
        code = path.read_text(encoding="utf-8")
        for name in set(re.findall(r"(?:bot|message|query|chat)\.([a-z_]+)\(", code)):
            camel = "".join(part.title() for part in name.split("_"))
            if hasattr(Bot, name) and isinstance(getattr(methods, camel, None), type):
                called.add(getattr(methods, camel))  # bot.send_venue(...) sends SendVenue
            for shortcuts in (Message, CallbackQuery):  # message.answer(...) sends SendMessage
                returns = getattr(getattr(shortcuts, name, None), "__annotations__", {})
                sent = getattr(methods, str(returns.get("return")), None)
                if isinstance(sent, type) and issubclass(sent, TelegramMethod):
                    called.add(sent)
    start_up = {methods.GetMe, methods.SetMyCommands}  # sent before the first update
    assert {methods.SendMessage, methods.AnswerCallbackQuery, methods.SendVenue} <= called
    assert called - start_up - set(SENT_METHODS) == set()
