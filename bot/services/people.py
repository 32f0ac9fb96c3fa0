"""Who is talking to the bot, and in which language they read."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from bot.clock import Clock
from bot.program.models import Lang
from bot.storage.people import PeopleRepository, Person


class PeopleService:
    """Recognises people on each update without writing to the database every time.

    The person's row is refreshed when something about them changed (name, username,
    Telegram language) or when `touch_interval` has passed since `last_seen` was written, so
    `last_seen` is accurate to that interval.
    """

    def __init__(
        self,
        repo: PeopleRepository,
        clock: Clock,
        *,
        touch_interval: timedelta = timedelta(minutes=5),
    ) -> None:
        self._repo = repo
        self._clock = clock
        self._touch_interval = touch_interval
        self._known: dict[int, Person] = {}
        self._reach_changed: Callable[[], None] = lambda: None

    def on_reach_change(self, listener: Callable[[], None]) -> None:
        """Called when someone blocks the bot or comes back (their reminders change)."""
        self._reach_changed = listener

    async def recognize(
        self,
        person_id: int,
        *,
        full_name: str,
        username: str | None,
        telegram_language: str | None,
    ) -> Person:
        now = self._clock.now()
        known = self._known.get(person_id)
        if (
            known is not None
            and known.full_name == full_name
            and known.username == username
            and known.telegram_language == telegram_language
            and not known.blocked
            and now - known.last_seen < self._touch_interval
        ):
            return known
        before = known or await self._repo.get(person_id)  # once per person and process
        person = await self._repo.seen(
            person_id,
            full_name=full_name,
            username=username,
            telegram_language=telegram_language,
            now=now,
        )
        self._known[person_id] = person
        if before is not None and before.blocked:  # writing again clears the block
            self._reach_changed()
        return person

    async def get(self, person_id: int) -> Person | None:
        known = self._known.get(person_id)
        if known is not None:
            return known
        return await self._repo.get(person_id)

    async def choose_language(self, person_id: int, language: Lang) -> Person | None:
        person = await self._repo.set_language(person_id, language)
        if person is not None:
            self._known[person_id] = person
        return person

    async def set_delegation(self, person_id: int, delegation_id: str | None) -> bool:
        linked = await self._repo.set_delegation(person_id, delegation_id)
        self._known.pop(person_id, None)
        return linked

    async def mark_blocked(self, person_id: int, blocked: bool) -> None:
        changed = await self._repo.set_blocked(person_id, blocked)
        self._known.pop(person_id, None)
        if changed:
            self._reach_changed()
