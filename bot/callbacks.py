"""Every inline button's callback data, typed. Packed forms stay far below 64 bytes.

Ids of the program are at most 32 characters (the loader enforces it), so even the longest
packed form here, a schedule page filtered by a section, stays under 50 bytes.
"""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData


class LanguageCb(CallbackData, prefix="lang"):
    code: str  # kk | ru | en; anything else is treated as a stale button
    greet: bool = False  # first contact: answer with the greeting, not just a confirmation


class MenuAction(StrEnum):
    HOME = "home"
    HELP = "help"
    LANGUAGE = "lang"
    CONTACTS = "contacts"
    SCHEDULE = "sched"
    NOW = "now"
    WHERE = "where"


class MenuCb(CallbackData, prefix="m"):
    action: MenuAction


class ScheduleView(StrEnum):
    DAY = "d"  # a page of a day's events
    KINDS = "k"  # choose a kind to filter by
    SECTIONS = "s"  # choose a section to filter by


class ScheduleCb(CallbackData, prefix="sch"):
    view: ScheduleView
    day: int  # index into the forum's days
    kind: int | None = None  # index into bot.services.schedule.FILTER_KINDS
    section: str | None = None  # a section id
    page: int = 0


class EventAction(StrEnum):
    OPEN = "o"  # send the event card
    WHERE = "w"  # send the venue pin
    CALENDAR = "c"  # send an .ics file


class EventCb(CallbackData, prefix="ev"):
    action: EventAction
    id: str


class VenueCb(CallbackData, prefix="ve"):
    id: str
    room: int | None = None  # index into the venue's rooms (room ids could overflow 64 bytes)
