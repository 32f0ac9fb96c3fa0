"""Who may do what: admins (ADMIN_IDS), organizers they add, and delegation leaders."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum

from bot.clock import Clock
from bot.config import Settings
from bot.program.holder import ProgramHolder
from bot.program.models import Delegation
from bot.services.broadcasts import Audience, AudienceKind
from bot.storage.organizers import OrganizerRepository

log = logging.getLogger(__name__)


class Removal(StrEnum):
    REMOVED = "removed"
    NOT_ORGANIZER = "not_organizer"  # nothing to remove
    ADMIN = "admin"  # in ADMIN_IDS: an organizer for as long as the configuration says so


@dataclass(frozen=True, slots=True)
class Standing:
    """What a person's role shows them: the organizers' and the leaders' commands."""

    organizer: bool = False
    leader: bool = False


class Roles:
    def __init__(
        self,
        settings: Settings,
        repo: OrganizerRepository,
        programs: ProgramHolder,
        clock: Clock,
    ) -> None:
        self._settings = settings
        self._repo = repo
        self._programs = programs
        self._clock = clock
        self._added: set[int] | None = None  # loaded once, kept in step with every change

    async def _organizers(self) -> set[int]:
        if self._added is None:
            self._added = await self._repo.all()
        return self._added

    @property
    def admins(self) -> frozenset[int]:
        return self._settings.admin_ids

    def is_admin(self, person_id: int) -> bool:
        return self._settings.is_admin(person_id)

    async def is_organizer(self, person_id: int) -> bool:
        return self.is_admin(person_id) or person_id in await self._organizers()

    async def standing(self, person_id: int) -> Standing:
        return Standing(await self.is_organizer(person_id), bool(self.led_delegations(person_id)))

    def leads(self, person_id: int, delegation_id: str | None) -> bool:
        return any(
            delegation.id == delegation_id for delegation in self.led_delegations(person_id)
        )

    def led_delegations(self, person_id: int) -> list[Delegation]:
        return [d for d in self._programs.current.delegations if person_id in d.leaders]

    async def may_see_organizers(self, person_id: int, *, changing: bool) -> bool:
        """Organizers see who the organizers are; only admins change it."""
        return self.is_admin(person_id) or (not changing and await self.is_organizer(person_id))

    async def may_broadcast(self, person_id: int) -> bool:
        return await self.is_organizer(person_id) or bool(self.led_delegations(person_id))

    async def added_organizers(self) -> list[int]:
        return sorted(await self._organizers())

    async def add_organizer(self, person_id: int, by: int) -> bool:
        """False if they were an organizer already (an admin is one by configuration)."""
        if self.is_admin(person_id):
            return False
        added = await self._repo.add(person_id, by, self._clock.now())
        (await self._organizers()).add(person_id)
        log.info("organizer %d added by %d", person_id, by)
        return added

    async def remove_organizer(self, person_id: int, by: int) -> Removal:
        """Take an added organizer off the list; admins stay (their list is ADMIN_IDS)."""
        if self.is_admin(person_id):
            return Removal.ADMIN
        removed = await self._repo.remove(person_id)
        (await self._organizers()).discard(person_id)
        if not removed:
            return Removal.NOT_ORGANIZER
        log.info("organizer %d removed by %d", person_id, by)
        return Removal.REMOVED

    async def may_address(self, person_id: int, audience: Audience) -> bool:
        """Organizers may write to any audience; a leader only to a delegation they lead."""
        if await self.is_organizer(person_id):
            return True
        return audience.kind is AudienceKind.DELEGATION and self.leads(person_id, audience.value)

    async def may_stop(self, person_id: int, author_id: int) -> bool:
        """Organizers may stop any broadcast; a leader only their own."""
        if await self.is_organizer(person_id):
            return True
        return person_id == author_id and await self.may_broadcast(person_id)

    def refused(self, person_id: int, what: str) -> None:
        log.warning("refused %s to %d: not allowed", what, person_id)
