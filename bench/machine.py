"""What every benchmark prints beside its table: the machine, and a percentile helper."""

from __future__ import annotations

import os
import platform
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path


def percentile(ordered: Sequence[float], share: float) -> float:
    """The value below which `share` of the sorted samples lie (nearest rank)."""
    index = min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))
    return float(ordered[index])


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def pin_to_one_core() -> str:
    """Measure on one core, as the goals are stated."""
    if hasattr(os, "sched_setaffinity") and hasattr(os, "sched_getaffinity"):
        core = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {core})
        return f"pinned to core {core}"
    return "not pinned"


def describe(pinned: str) -> str:
    return (
        f"Machine: {cpu_model()}, {os.cpu_count()} cores ({pinned}); "
        f"Python {platform.python_version()} ({sys.implementation.name}); "
        f"{datetime.now(UTC).date().isoformat()}."
    )
