"""Where "now" comes from. Injected wherever an answer depends on the time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware (UTC)."""
        ...

    def to_system(self, moment: datetime) -> datetime:
        """When `moment` (in this clock's time) comes on the system clock (for schedulers)."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    def to_system(self, moment: datetime) -> datetime:
        return moment


class ShiftedClock:
    """Behaves as if it were `start` when created; time keeps flowing from there.

    Used for rehearsals: organizers can live through a forum day before it happens.
    """

    def __init__(self, start: datetime, base: Clock | None = None) -> None:
        if start.tzinfo is None:
            raise ValueError("a rehearsal start must be timezone-aware")
        self._base = base or SystemClock()
        self._offset = start - self._base.now()

    def now(self) -> datetime:
        return self._base.now() + self._offset

    def to_system(self, moment: datetime) -> datetime:
        return self._base.to_system(moment - self._offset)


class ManualClock:
    """A clock that only moves when told to (tests, benchmarks)."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("a clock must be timezone-aware")
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def to_system(self, moment: datetime) -> datetime:
        return moment  # nothing runs on the system clock against a manual one

    def set(self, when: datetime) -> None:
        if when.tzinfo is None:
            raise ValueError("a clock must be timezone-aware")
        self._now = when.astimezone(UTC)

    def advance(self, delta: timedelta) -> None:
        self._now += delta
