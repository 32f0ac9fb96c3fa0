"""The one table every benchmark contributes rows to (see bench/__main__.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Row:
    measure: str
    result: str
    goal: str
    met: bool | None  # None: no goal, a figure for the record


def render(rows: Sequence[Row]) -> str:
    lines = ["| measure | result | goal | met |", "|---|---:|---:|:---:|"]
    for row in rows:
        met = "" if row.met is None else ("yes" if row.met else "**no**")
        lines.append(f"| {row.measure} | {row.result} | {row.goal} | {met} |")
    return "\n".join(lines)
