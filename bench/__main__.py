"""Every benchmark in one run: `python -m bench` from the repository root.

Prints one table (measure, result, goal, whether it is met) with the machine and the date, and
writes it into docs/PERFORMANCE.md between the summary markers (`--no-write` leaves the file
alone). Each part also runs on its own with more detail: `python -m bench.whole`,
`bench.answers`, `bench.signups`, `bench.broadcast`, `bench.reminders`.

The whole-bot measures run first, with the bot in a process of its own beside the fake Bot API;
the single-process ones after, pinned to one core as their goals are stated.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
from collections.abc import Sequence
from pathlib import Path

from bench import answers, broadcast, reminders, signups, whole
from bench.machine import describe, pin_to_one_core
from bench.table import Row, render
from bot.program import load_program
from tests.programgen import generate_program
from tests.test_answers import GOLDEN, NEGATIVE

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "docs" / "PERFORMANCE.md"
START = "<!-- bench:summary:start -->"
END = "<!-- bench:summary:end -->"


def question_rows() -> list[Row]:
    golden = [g.question for g in GOLDEN.values()] + list(NEGATIVE.values())
    sample = load_program(answers.SAMPLE).program
    generated = generate_program(300, seed=1)
    rows = []
    for name, program, seed in (("sample program", sample, 1), ("300 events", generated, 2)):
        asked = golden + answers.generated_questions(program, 200, seed=seed)
        result = answers.bench(name, program, asked, rounds=10)
        rows.append(
            Row(
                f"a free-text question, p99 ms ({name})",
                f"{result.p99_us / 1000:.2f}",
                f"< {answers.GOAL_P99_US / 1000:.0f}",
                result.p99_us < answers.GOAL_P99_US,
            )
        )
    return rows


def signup_rows() -> list[Row]:
    runs = asyncio.run(signups.main_async(1000, 3))
    per_second = statistics.median(run.sequential_per_second for run in runs)
    burst = statistics.median(run.burst_seconds for run in runs)
    exact = all(run.seats == 30 and run.waiting == 170 for run in runs)
    return [
        Row("sign-up presses per second, one after another", f"{per_second:.0f}", "", None),
        Row(
            "200 presses at once on 30 seats: s, and 30 seats + 170 waiting",
            f"{burst:.2f}",
            "exact",
            exact,
        ),
    ]


def broadcast_rows(recipients: int) -> list[Row]:
    result = asyncio.run(broadcast.run(recipients, 30.0, 30.0, "30/s"))
    share = result.too_many / max(result.sends, 1)
    return [
        Row(
            f"broadcast to {recipients:,} at Telegram's 30/s, delivered per s",
            f"{result.rate:.1f}",
            "≥ 28",
            result.rate >= 28,
        ),
        Row("… its sends answered 429", f"{share:.1%}", "< 1%", share < 0.01),
    ]


def reminder_rows(recipients: int) -> list[Row]:
    plan_s, jobs, count = asyncio.run(reminders.planning(1000, 20, 3))
    _, last, _ = asyncio.run(reminders.lateness(recipients))
    return [
        Row(
            f"plan {count:,} reminders into {jobs} jobs, ms",
            f"{plan_s * 1000:.0f}",
            "< 1000",
            plan_s < 1,
        ),
        Row(
            f"one training, {recipients:,} reminded at 30/s: the last one vs its lead time, s",
            f"{last:+.1f}",
            "≤ 0",
            last <= 0,
        ),
    ]


def write_report(table: str) -> None:
    text = REPORT.read_text(encoding="utf-8")
    block = f"{START}\n{table}\n{END}"
    if START in text and END in text:
        head, rest = text.split(START, 1)
        _, tail = rest.split(END, 1)
        text = head + block + tail
    else:
        title, _, body = text.partition("\n")
        text = f"{title}\n\n{block}\n{body}"
    REPORT.write_text(text, encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--no-write", action="store_true", help="leave docs/PERFORMANCE.md alone")
    parser.add_argument("--recipients", type=int, default=1000, help="for broadcast, reminders")
    args = parser.parse_args(argv)

    figures = asyncio.run(whole.measure(people=100, rounds=5, writers=300, starts=5, crowd=10_000))
    rows = figures.rows()
    pinned = pin_to_one_core()
    rows += question_rows() + signup_rows()
    rows += broadcast_rows(args.recipients) + reminder_rows(args.recipients)

    table = "\n".join(
        [
            f"**{describe(pinned)}** The whole-bot rows ran before the pinning, the bot and "
            "the fake Bot API in two processes.",
            "",
            render(rows),
        ]
    )
    print(table)
    if not args.no_write:
        write_report(table)
        print(f"\nwritten to {REPORT.relative_to(ROOT)}")
    return 0 if all(row.met is not False for row in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
