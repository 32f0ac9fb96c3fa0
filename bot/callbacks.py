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
    MY = "my"
    ITINERARY = "itin"


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


class SignupAction(StrEnum):
    JOIN = "j"  # take a seat, or a waitlist place when full
    SWITCH = "s"  # take this one, giving up the overlapping seats
    BOTH = "b"  # take this one and keep the overlapping seats
    ASK_CANCEL = "q"  # ask to confirm giving up a seat or place
    CANCEL = "x"  # give it up (confirmed, or one tap from a seat-granted message)
    KEEP = "k"  # do not give it up: back to what was shown
    # "remind me" for an event without sign-up, on or off: the state wanted, not a switch, so
    # a double tap does not undo itself (the old switch, "r", answers as out of date)
    REMIND_ON = "r1"
    REMIND_OFF = "r0"


class Origin(StrEnum):
    """Where the button was, so the answer can update that message."""

    CARD = "c"  # an event card: edited in place
    LIST = "l"  # a list of events: answered with a short notice
    AGENDA = "m"  # /my: the agenda is redrawn


class SignupCb(CallbackData, prefix="su"):
    action: SignupAction
    id: str
    origin: Origin = Origin.CARD


class AgendaCb(CallbackData, prefix="my"):
    calendar: bool = False  # True: send the agenda as one .ics file


class StatsCb(CallbackData, prefix="st"):
    export: str  # an event id: send its participants as CSV


class BroadcastAction(StrEnum):
    AUDIENCE = "a"  # value: an AudienceKind; languages, delegations, events, sections follow
    PICK = "p"  # value: "<kind>.<id>" — the audience chosen (":" separates the fields)
    VERSION = "v"  # value: a language to add a version in
    TEXTS_DONE = "t"
    NOW = "n"
    LATER = "l"
    PAID = "$"  # switch paid broadcasting (where the settings allow it)
    SEND = "s"
    CANCEL = "x"
    STOP = "k"  # value: a broadcast id, to stop while sending or before its time


class BroadcastCb(CallbackData, prefix="bc"):
    action: BroadcastAction
    value: str = ""


class SettingsCb(CallbackData, prefix="set"):
    lead: int | None = None  # -1: as the program says; 0: none; 10, 30, 60 minutes
    everyone: bool = False  # True: switch the reminders everyone gets


class JoinAction(StrEnum):
    JOIN = "j"
    DECLINE = "n"
    MESSAGE = "m"  # a leader: write to the delegation (the broadcast flow)


class JoinCb(CallbackData, prefix="dj"):
    action: JoinAction
    code: str = ""  # the invite code: joining needs it, never just a delegation id
    delegation: str = ""  # MESSAGE: which of the leader's delegations (checked again on press)


class ItineraryCb(CallbackData, prefix="it"):
    pin: str | None = None  # an item's key in the delegation's itinerary: send its pin
    calendar: bool = False  # send the whole itinerary as one .ics file


class DelegationsCb(CallbackData, prefix="dl"):
    qr: str  # a delegation id: send its invite link as a QR code (organizers)


class VenueCb(CallbackData, prefix="ve"):
    id: str
    room: str | None = None  # the room's key (`Room.key`): room ids could overflow 64 bytes
