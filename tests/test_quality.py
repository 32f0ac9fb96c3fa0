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
    for router in (r for root in handlers.routers() for r in root.chain_tail):
        for name, observer in router.observers.items():
            for filter_ in observer._handler.filters or ():
                if not filter_.awaitable:
                    in_threads.append(f"{router.name} {name} root filter {filter_.callback}")
            for handler in observer.handlers:
                callables = [handler, *(handler.filters or ())]
                in_threads += [
                    f"{router.name} {name}: {c.callback}" for c in callables if not c.awaitable
                ]
    assert in_threads == []
