"""The forum program: typed models, the validating loader and the holder of the current one."""

from bot.program.holder import ProgramHolder
from bot.program.loader import LoadedProgram, ProgramError, load_program, parse_program
from bot.program.models import (
    LANGS,
    Delegation,
    Event,
    EventKind,
    FaqEntry,
    Forum,
    ItineraryItem,
    ItineraryKind,
    Lang,
    Program,
    Room,
    Section,
    Text,
    Venue,
)

__all__ = [
    "LANGS",
    "Delegation",
    "Event",
    "EventKind",
    "FaqEntry",
    "Forum",
    "ItineraryItem",
    "ItineraryKind",
    "Lang",
    "LoadedProgram",
    "Program",
    "ProgramError",
    "ProgramHolder",
    "Room",
    "Section",
    "Text",
    "Venue",
    "load_program",
    "parse_program",
]
