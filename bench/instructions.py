"""Instructions an update, counted by valgrind: `python -m bench.instructions [--kinds]`.

Timings on a shared machine swing by 10-40% within minutes, which hides a change of a few
percent. Instructions do not: this feeds the whole-bot benchmark's mix (bench/whole.py, 50
people, two rounds of their ten updates) to the real dispatcher in process, with a session
that answers every request at once, under valgrind's callgrind with collection switched on
for the fed updates only, and the count repeats run after run to about half a percent. It
counts the bot's own work (routing, middlewares, handlers, SQLite and its thread, building the
requests, and the offline session's bookkeeping of them), not HTTP or the validation of
updates, and it needs valgrind on the PATH.

`--kinds` also counts each of the mix's ten kinds of update alone; `--bare` the bare aiogram
bot of bench/botproc.py answering the same updates.

`--whole` counts everything instead: each bot's own process in the whole-bot benchmark's
answers-per-second run (bench/whole.py, real polling against the fake Bot API), under
valgrind and counted for the timed part only: polling, HTTP, reading updates and answers,
routing, handlers, SQLite's thread, the collector. The ratio of the two counts has tracked
the answers-per-second ratio (0.63 against 0.6-0.65 in timed runs of the same code) without
the machine's noise. A few minutes: the bots run some thirty times slower under valgrind.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import itertools
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from bench.botproc import FORUM_NOW, bare_dispatcher
from bench.table import Row, render

PEOPLE = 50
ROUNDS = 2
KINDS = 10  # updates in a person's mix


def _measure(kind: int | None, bare: bool) -> None:
    """Run inside valgrind: feed the mix with collection on, and nothing else."""
    asyncio.run(_feed(kind, bare))


async def _feed(kind: int | None, bare: bool) -> None:
    from aiogram import Bot
    from aiogram.types import Update

    import bench.whole as whole
    from bot.app import create_app
    from bot.config import Settings
    from bot.offline import OfflineSession
    from bot.program import load_program
    from bot.storage import Database

    folder = Path(tempfile.mkdtemp())
    db = await Database.open(folder / "forum.db")
    session = OfflineSession()  # answers every request at once
    settings = Settings(
        _env_file=None, delivery_rate=1000, forum_now=datetime.fromisoformat(FORUM_NOW)
    )
    app = await create_app(
        settings, load_program(whole.SAMPLE).program, db=db, session=session, token="1:x"
    )
    app.prepare()
    dispatcher, bot = app.dispatcher, app.bot
    if bare:
        dispatcher = bare_dispatcher()
        bot = Bot("1:x", session=session)

    ids = itertools.count(1)

    def person(user: int) -> dict[str, Any]:
        lang = whole.LANGS[user % 3]
        return {"id": user, "is_bot": False, "first_name": "P", "language_code": lang}

    def update(user: int, what: str, value: str) -> Update:
        chat = {"id": user, "type": "private", "first_name": "P"}
        if what == "text":
            entities = (
                [{"type": "bot_command", "offset": 0, "length": len(value)}]
                if value.startswith("/")
                else None
            )
            body: dict[str, Any] = {
                "message": {
                    "message_id": next(ids),
                    "date": 1795657243,
                    "chat": chat,
                    "from": person(user),
                    "text": value,
                    "entities": entities,
                }
            }
        else:
            body = {
                "callback_query": {
                    "id": str(next(ids)),
                    "chat_instance": "1",
                    "data": value,
                    "from": person(user),
                    "message": {"message_id": 5, "date": 1795657243, "chat": chat, "text": "x"},
                }
            }
        return Update.model_validate({"update_id": next(ids), **body}, context={"bot": bot})

    users = [10_000 + n for n in range(PEOPLE)]
    day = whole.day_of(datetime.fromisoformat(FORUM_NOW))

    def one_round(only: int | None) -> list[Update]:
        return [
            update(user, what, value)
            for n, user in enumerate(users)
            for k, (what, value) in enumerate(whole.mix(n, day))
            if only is None or k == only
        ]

    warm_up = [update(user, "text", "/schedule") for user in users] + one_round(None)
    rounds = [one_round(kind) for _ in range(ROUNDS)]
    for warm in warm_up:
        await dispatcher.feed_update(bot, warm)
    await asyncio.sleep(0.05)
    gc.collect()
    gc.freeze()  # as the bot does once it has settled (bot/memory.py)
    _collection(on=True)
    for updates in rounds:
        for start in range(0, len(updates), 100):  # as polling hands them over
            batch = updates[start : start + 100]
            await asyncio.gather(*(dispatcher.feed_update(bot, u) for u in batch))
    _collection(on=False)
    await app.close()


def _collection(*, on: bool) -> None:
    """Switch callgrind's counting for this process, waiting for it: nothing else may run."""
    _switch(os.getpid(), on=on)


def _switch(pid: int, *, on: bool) -> None:
    control = shutil.which("callgrind_control") or "callgrind_control"
    switch = "on" if on else "off"
    subprocess.run([control, "-i", switch, str(pid)], check=True, capture_output=True)


class Callgrind:
    """A bot's process under valgrind's callgrind, counting only while switched on."""

    def __init__(self, folder: Path) -> None:
        self._out = folder / "callgrind.out"

    def prefix(self) -> list[str]:
        return [
            "valgrind",
            "--tool=callgrind",
            "--instr-atstart=no",
            f"--callgrind-out-file={self._out}",
        ]

    def switch(self, pid: int, *, on: bool) -> None:
        _switch(pid, on=on)

    def collected(self) -> int:
        """Instructions counted, once the process has ended."""
        found = re.search(r"^totals:\s*(\d+)", self._out.read_text(), re.MULTILINE)
        if found is None:
            raise RuntimeError(f"no count in {self._out}")
        return int(found.group(1))


def whole_process(kind: str, people: int = 100) -> float:
    """Millions of instructions an update of the bot's whole process, `kind` "whole" or
    "bare", in the whole-bot benchmark's answers-per-second run."""
    import bench.whole as whole

    with tempfile.TemporaryDirectory() as folder:
        counter = Callgrind(Path(folder))
        result = asyncio.run(whole.throughput(kind, people, counter))
        return counter.collected() / result.updates / 1e6


def count(kind: int | None, bare: bool) -> float:
    """Millions of instructions an update (`kind`: one of the mix's ten, or None for all)."""
    with tempfile.TemporaryDirectory() as folder:
        command = [
            "valgrind",
            "--tool=callgrind",
            "--instr-atstart=no",
            f"--callgrind-out-file={Path(folder) / 'callgrind.out'}",
            sys.executable,
            "-m",
            "bench.instructions",
            "--measure",
            "" if kind is None else str(kind),
            *(["--bare"] if bare else []),
        ]
        done = subprocess.run(
            command,
            cwd=Path(__file__).resolve().parent.parent,
            env={**os.environ, "PYTHONHASHSEED": "0"},
            capture_output=True,
            text=True,
            check=False,
        )
    found = re.search(r"Collected\s*:\s*([\d,]+)", done.stderr)
    if done.returncode != 0 or found is None:
        raise RuntimeError(f"valgrind failed ({done.returncode}):\n{done.stderr[-2000:]}")
    updates = PEOPLE * ROUNDS * (KINDS if kind is None else 1)
    return int(found.group(1).replace(",", "")) / updates / 1e6


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--kinds", action="store_true", help="each kind of update alone too")
    parser.add_argument("--bare", action="store_true", help="the bare aiogram bot too")
    parser.add_argument(
        "--whole", action="store_true", help="each bot's whole process, polling and HTTP included"
    )
    parser.add_argument("--measure", help=argparse.SUPPRESS)  # inside valgrind
    args = parser.parse_args(argv)
    if args.measure is not None:
        _measure(int(args.measure) if args.measure else None, args.bare)
        return 0
    if shutil.which("valgrind") is None:
        print("valgrind is not installed: apt-get install valgrind", file=sys.stderr)
        return 2
    import bench.whole as whole

    if args.whole:
        forum, bare = whole_process("whole"), whole_process("bare")
        print("Million instructions an update (valgrind callgrind, each bot's whole process):\n")
        print(
            render(
                [
                    Row("forum bot, the mix", f"{forum:.2f}", "", None),
                    Row("bare aiogram bot, the mix", f"{bare:.2f}", "", None),
                    Row("bare ÷ forum", f"{bare / forum:.2f}", "", None),
                ]
            )
        )
        return 0
    rows = [Row("forum bot, the mix", f"{count(None, False):.2f}", "", None)]
    if args.bare:
        rows.append(Row("bare aiogram bot, the mix", f"{count(None, True):.2f}", "", None))
    if args.kinds:
        day = whole.day_of(datetime.fromisoformat(FORUM_NOW))
        for kind, (what, value) in enumerate(whole.mix(0, day)):
            label = f"forum bot, {what} {value.split(':')[0] if what == 'press' else value}"
            rows.append(Row(label, f"{count(kind, False):.2f}", "", None))
    print("Million instructions an update (valgrind callgrind, in process):\n")
    print(render(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
