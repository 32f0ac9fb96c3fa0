"""The program currently in force; a reload swaps the whole snapshot in one assignment."""

from __future__ import annotations

from bot.program.models import Program


class ProgramHolder:
    def __init__(self, program: Program) -> None:
        self._program = program

    @property
    def current(self) -> Program:
        return self._program

    def swap(self, program: Program) -> Program:
        """Put `program` in force and return the one it replaces."""
        old, self._program = self._program, program
        return old
