"""Benchmark of the free-text answers: `python -m bench.answers` from the repository root.

Builds the answer index for the sample program (data/forum.yaml) and for a generated program of
300 events (tests/programgen.py), then times `AnswerIndex.search` over a realistic mix of
questions (the golden set and the refusals of tests/test_answers.py, plus questions generated
from each program: title fragments, speakers, rooms, kinds, FAQ keywords, with and without typos)
many times on one core. Prints a Markdown table with the machine noted and whether the goal
(p99 under 5 ms per question) is met. Options: --rounds N, --events N.
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.machine import describe, percentile, pin_to_one_core
from bot.program import LANGS, Program, load_program
from bot.services.answers import KIND_NAMES, AnswerIndex
from tests.programgen import generate_program
from tests.test_answers import GOLDEN, NEGATIVE

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "forum.yaml"
GOAL_P99_US = 5_000
ASK = {
    "kk": ("қашан?", "қайда?", "туралы", "қай залда?", ""),
    "ru": ("когда?", "где?", "подскажите, где", "во сколько", ""),
    "en": ("when is", "where is", "what time is", "please,", ""),
}


@dataclass(frozen=True)
class Result:
    name: str
    events: int
    docs: int
    terms: int
    questions: int
    searches: int
    median_us: float
    p99_us: float
    max_us: float
    build_ms: float
    answered: float  # share of questions with at least one hit


def typo(word: str, rng: random.Random) -> str:
    """One realistic typo: two letters swapped, one dropped or one doubled."""
    if len(word) < 4:
        return word
    i = rng.randrange(1, len(word) - 1)
    match rng.randrange(3):
        case 0:
            return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
        case 1:
            return word[:i] + word[i + 1 :]
        case _:
            return word[:i] + word[i] + word[i:]


def generated_questions(program: Program, count: int, *, seed: int = 1) -> list[str]:
    """Questions a visitor might type about this program."""
    rng = random.Random(seed)
    rooms = [room for venue in program.venues for room in venue.rooms]
    questions: list[str] = []
    while len(questions) < count:
        lang = rng.choice(LANGS)
        roll = rng.random()
        if roll < 0.45:
            words = rng.choice(program.events).title.get(lang).split()
            start = rng.randrange(len(words))
            text = " ".join(words[start : start + rng.randint(1, 4)])
        elif roll < 0.6:
            event = rng.choice([e for e in program.events if e.speakers] or program.events)
            speakers = event.speakers or (event.title,)
            text = rng.choice(speakers).get(lang).split()[-1]
        elif roll < 0.7 and rooms:
            text = rng.choice(rooms).name.get(lang)
        elif roll < 0.8:
            names = [name for names in KIND_NAMES.values() for name in names]
            text = rng.choice(names)
        elif roll < 0.9 and program.faq:
            entry = rng.choice(program.faq)
            text = rng.choice(entry.keywords.get(lang) or (entry.question.get(lang),))
        else:
            text = "".join(
                rng.choice("абвгдежзиклмнопрстуфхцчшщыэюяqwertyuiop ") for _ in "x" * 12
            )
        words = text.split()
        if words and rng.random() < 0.35:
            index = rng.randrange(len(words))
            words[index] = typo(words[index], rng)
        ask = rng.choice(ASK[lang])
        questions.append(" ".join([*words, ask] if rng.random() < 0.5 else [ask, *words]).strip())
    return questions


def bench(name: str, program: Program, questions: list[str], rounds: int) -> Result:
    builds = []
    for _ in range(5):
        started = time.perf_counter_ns()
        index = AnswerIndex.build(program)
        builds.append(time.perf_counter_ns() - started)
    answered = sum(bool(index.search(question)) for question in questions)  # also warms up
    timings: list[int] = []
    gc.collect()
    for _ in range(rounds):
        for question in questions:
            started = time.perf_counter_ns()
            index.search(question)
            timings.append(time.perf_counter_ns() - started)
    timings.sort()
    docs, terms = index.size
    return Result(
        name=name,
        events=len(program.events),
        docs=docs,
        terms=terms,
        questions=len(questions),
        searches=len(timings),
        median_us=statistics.median(timings) / 1000,
        p99_us=percentile(timings, 0.99) / 1000,
        max_us=timings[-1] / 1000,
        build_ms=statistics.median(builds) / 1e6,
        answered=answered / len(questions),
    )


def render(results: list[Result], machine: str) -> str:
    lines = [
        machine,
        "",
        "| program | events | index (docs / terms) | questions | searches | median µs "
        "| p99 µs | max µs | build ms | answered |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r.name} | {r.events} | {r.docs} / {r.terms} | {r.questions} | {r.searches} "
            f"| {r.median_us:.0f} | {r.p99_us:.0f} | {r.max_us:.0f} | {r.build_ms:.0f} "
            f"| {r.answered:.0%} |"
        )
    lines.append("")
    for r in results:
        verdict = "met" if r.p99_us < GOAL_P99_US else "NOT met"
        lines.append(
            f"- {r.name}: goal p99 < {GOAL_P99_US / 1000:.0f} ms per question {verdict} "
            f"(p99 {r.p99_us / 1000:.2f} ms)."
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=30, help="passes over the questions")
    parser.add_argument("--events", type=int, default=300, help="events in the generated program")
    args = parser.parse_args(argv)

    pinned = pin_to_one_core()
    golden = [golden.question for golden in GOLDEN.values()] + list(NEGATIVE.values())
    sample = load_program(SAMPLE).program
    generated = generate_program(args.events, seed=1)
    results = [
        bench(
            "sample (data/forum.yaml)",
            sample,
            golden + generated_questions(sample, 200, seed=1),
            args.rounds,
        ),
        bench(
            f"generated, {args.events} events",
            generated,
            golden + generated_questions(generated, 200, seed=2),
            args.rounds,
        ),
    ]
    print(render(results, describe(pinned)))
    return 0 if all(r.p99_us < GOAL_P99_US for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
