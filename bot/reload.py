"""Putting a new program file in force: the rule /reload follows, out of the handler."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.notify import Notifier
from bot.program import LoadedProgram, Program, ProgramHolder, load_program
from bot.reminders import Reminders
from bot.services.changes import ProgramChanges
from bot.services.signups import SignupService


@dataclass(frozen=True, slots=True)
class Reloaded:
    loaded: LoadedProgram
    leaders_changed: frozenset[int]  # became or stopped being a leader: their menus change


def _leaders(program: Program) -> frozenset[int]:
    return frozenset(leader for d in program.delegations for leader in d.leaders)


class ProgramReload:
    def __init__(
        self,
        programs: ProgramHolder,
        signups: SignupService,
        notifier: Notifier,
        changes: ProgramChanges,
        reminders: Reminders,
    ) -> None:
        self._programs = programs
        self._signups = signups
        self._notifier = notifier
        self._changes = changes
        self._reminders = reminders

    async def reload(self, path: Path) -> Reloaded:
        """Load the file and put it in force: seats added are filled from the waitlists (and
        those promoted told), the people concerned are told of the changes after the quiet
        window, reminders are planned again. An invalid file raises `ProgramError` and
        changes nothing."""
        loaded = load_program(path)
        before = self._programs.swap(loaded.program)
        await self.fill_free_seats()
        self._changes.reloaded()
        self._reminders.request_replan()
        return Reloaded(loaded, _leaders(before) ^ _leaders(loaded.program))

    async def fill_free_seats(self) -> None:
        """Seats free while people wait go to the waitlists, and those promoted are told: after
        a reload, and at start-up (the file may have been edited while the bot was down)."""
        await self._notifier.seats_granted(await self._signups.fill_free_seats())
