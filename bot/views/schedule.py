"""The schedule: a day's events page by page, filters, /now, and the event card."""

from __future__ import annotations

from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import get_i18n, ngettext
from aiogram.utils.i18n import gettext as _

from bot.buttons import Buttons
from bot.callbacks import (
    EventAction,
    EventCb,
    MenuAction,
    MenuCb,
    Origin,
    ScheduleCb,
    ScheduleView,
    SignupAction,
    SignupCb,
)
from bot.formatting import (
    format_date_range,
    format_day,
    format_long_date,
    format_time,
    format_when,
)
from bot.keyboards import home_button
from bot.program.models import Event, EventKind, Lang, Program
from bot.services.schedule import FILTER_KINDS, DayPage, Now, Phase, day_page, now_and_next
from bot.services.signups import EventState, signups_open
from bot.texts import capitalized, esc, fit, kind_icon, kind_label, kind_plural, pick, shorten

# Lengths that keep any page, card or list within Telegram's 4096 characters.
LIST_TITLE = 160
LIST_PLACE = 60
CARD_TITLE = 400
CARD_PLACE = 200
CARD_DESCRIPTION = 1600
CARD_SPEAKERS = 10
BUTTON_TEXT = 48
# Visible characters a list may fill before it stops and points to the schedule; Telegram's
# limit is 4096, the rest is head room for the header and the closing line.
LIST_BUDGET = 3500


def place_of(
    program: Program, event: Event, lang: Lang, *, floor: bool = False, limit: int = CARD_PLACE
) -> str:
    """Where an event is, escaped: the room (and floor) if it has one, otherwise the venue;
    its name cut to `limit` characters before escaping, so no entity is cut in two."""
    venue = program.venues_by_id[event.venue]
    if event.room is None:
        return esc(shorten(venue.name.get(lang), limit))
    room = venue.rooms_by_id[event.room]
    place = esc(shorten(room.name.get(lang), limit))
    if floor and room.floor is not None:
        place += ", " + _("floor {floor}").format(floor=room.floor)
    return place


def day_heading(day: date, lang: Lang) -> str:
    """A day as the heading of its events: "<b>Thursday, 10 December</b>"."""
    return f"<b>{capitalized(format_day(day, lang))}</b>"


def under_days(program: Program, lang: Lang, rows: Iterable[tuple[Event, str]]) -> list[str]:
    """Events' lines in the order given, a blank line and its day's heading before each day's
    first, as the schedule, the agenda and found events read."""
    lines: list[str] = []
    day = None
    for event, line in rows:
        local_day = event.starts_at.astimezone(program.tz).date()
        if local_day != day:
            day = local_day
            lines += ["", day_heading(day, lang)]
        lines.append(line)
    return lines


def event_line(program: Program, event: Event, lang: Lang, number: int | None = None) -> str:
    tz = program.tz
    span = f"{format_time(event.starts_at, lang, tz)}–{format_time(event.ends_at, lang, tz)}"
    title = esc(shorten(event.title.get(lang), LIST_TITLE))
    place = place_of(program, event, lang, limit=LIST_PLACE)
    head = f"<b>{number}.</b> " if number is not None else ""
    if event.cancelled:
        return f"{head}<s>{span} {kind_icon(event.kind)} {title}</s> · ❌ " + _("cancelled")
    return f"{head}{span} {kind_icon(event.kind)} {title} · {place}"


def not_a_forum_day(program: Program, lang: Lang) -> str:
    """Said over the schedule when a question names a day the forum is not on."""
    days = program.forum.days
    return _("The forum is on {dates}; here is its program.").format(
        dates=format_date_range(days[0], days[-1], lang)
    )


def filter_label(program: Program, lang: Lang, kind: EventKind | None, section: str | None) -> str:
    parts = []
    if kind is not None:
        parts.append(kind_plural(kind))
    if section is not None and section in program.sections_by_id:
        parts.append(esc(shorten(program.sections_by_id[section].title.get(lang), LIST_TITLE)))
    elif section is not None:
        parts.append(esc(section))
    return " · ".join(parts)


def schedule_text(
    program: Program,
    page: DayPage,
    lang: Lang,
    *,
    kind: EventKind | None,
    section: str | None,
    joinable: bool = False,
    note: str | None = None,
) -> str:
    lines = [note, ""] if note else []
    lines.append(f"📅 {day_heading(page.day, lang)}")
    chosen = filter_label(program, lang, kind, section)
    if chosen:
        lines.append("🔎 " + chosen)
    if page.pages > 1:
        lines.append(_("Page {page} of {pages}").format(page=page.page + 1, pages=page.pages))
    lines.append("")
    if not page.events:
        lines.append(_("Nothing of this kind on this day. Choose another day or filter."))
    for offset, event in enumerate(page.events):
        lines.append(event_line(program, event, lang, page.first_number + offset))
    if page.events:
        lines += ["", _("Tap a number to open the event.")]
    if joinable:
        lines.append(_("✍️ N signs you up for event N."))
    return fit(lines)


@dataclass(frozen=True, slots=True)
class _SchedulePage:
    """Everything a schedule page shows besides the language and a note: `now` counts only
    through the events that take sign-ups."""

    day: int
    kind: int | None
    section: str | None
    page: int
    joinable: frozenset[str]


def _asked_page(
    program: Program,
    day: int,
    now: datetime,
    kind: int | None,
    section: str | None,
    page: int,
) -> tuple[DayPage, _SchedulePage]:
    """The page asked for (filters that no longer exist fall back to "all", days and pages
    out of range to the nearest), and what identifies it."""
    kind = kind if kind is not None and 0 <= kind < len(FILTER_KINDS) else None
    section = section if section in program.sections_by_id else None
    kind_filter = FILTER_KINDS[kind] if kind is not None else None
    shown = day_page(program, day, kind=kind_filter, section=section, page=page)
    joinable = frozenset(
        event.id
        for event in shown.events
        if event.capacity is not None and signups_open(program, event, now)
    )
    return shown, _SchedulePage(shown.day_index, kind, section, shown.page, joinable)


def _render_page(
    program: Program, lang: Lang, shown: DayPage, wanted: _SchedulePage, note: str | None
) -> tuple[str, InlineKeyboardMarkup]:
    kind_filter = FILTER_KINDS[wanted.kind] if wanted.kind is not None else None
    text = schedule_text(
        program,
        shown,
        lang,
        kind=kind_filter,
        section=wanted.section,
        joinable=bool(wanted.joinable),
        note=note,
    )
    markup = schedule_keyboard(
        program,
        shown,
        lang,
        kind_index=wanted.kind,
        section=wanted.section,
        joinable=wanted.joinable,
    )
    return text, markup


class ScheduleScreens:
    """Schedule pages and /now, each rendered once per program, language and moment, and
    reused.

    A page is the same for everyone reading it in one language until the program changes or
    an event on it stops taking sign-ups, and it took about 250 µs to render (forty times
    and days formatted, twenty-odd buttons built): the largest part of a press on a day.
    /now is the same for everyone in one language within a minute, until an event begins or
    ends. The words of the interface come from the current gettext locale and the program's
    from `lang` (the same in every handler); both are in the key. The last `size` screens are
    kept; the keyboards are frozen models, safe to send again.
    """

    def __init__(self, size: int = 128) -> None:
        self._size = size
        self._program: Program | None = None
        self._moments: tuple[datetime, ...] = ()  # every event's start and end, in order
        self._pages: OrderedDict[
            tuple[Lang, str, _SchedulePage | _NowMoment, str | None],
            tuple[str, InlineKeyboardMarkup],
        ] = OrderedDict()

    def _for(self, program: Program) -> None:
        if program is not self._program:
            self._program = program
            # In UTC: times sharing the program's zone compare by their local clock, and one in
            # the hour skipped when summer time begins would sort out of its instant's order.
            self._moments = tuple(
                sorted(
                    moment.astimezone(UTC)
                    for e in program.events
                    for moment in (e.starts_at, e.ends_at)
                )
            )
            self._pages.clear()

    def now(self, program: Program, lang: Lang, now: datetime) -> tuple[str, InlineKeyboardMarkup]:
        """What /now shows at `now` (`now_screen`).

        It reads `now` only by comparing it with the events' starts and ends (which of them
        have passed: a position among them) and by the minute and day it shows, so those two
        identify it."""
        self._for(program)
        moment = _NowMoment(
            now.astimezone(program.tz).replace(second=0, microsecond=0),
            bisect_right(self._moments, now),
        )
        return self._memo(
            (lang, get_i18n().current_locale, moment, None),
            lambda: now_screen(program, lang, now),
        )

    def _memo(
        self,
        key: tuple[Lang, str, _SchedulePage | _NowMoment, str | None],
        render: Callable[[], tuple[str, InlineKeyboardMarkup]],
    ) -> tuple[str, InlineKeyboardMarkup]:
        found = self._pages.get(key)
        if found is not None:
            self._pages.move_to_end(key)
            return found
        found = self._pages[key] = render()
        if len(self._pages) > self._size:
            self._pages.popitem(last=False)
        return found

    def screen(
        self,
        program: Program,
        lang: Lang,
        day: int,
        now: datetime,
        *,
        kind: int | None = None,
        section: str | None = None,
        page: int = 0,
        note: str | None = None,
    ) -> tuple[str, InlineKeyboardMarkup]:
        """A page of a day, with ✍️ for the events taking sign-ups at `now` and `note` on top;
        filters that no longer exist (an old button) fall back to "all"."""
        self._for(program)
        shown, wanted = _asked_page(program, day, now, kind, section, page)
        return self._memo(
            (lang, get_i18n().current_locale, wanted, note),
            lambda: _render_page(program, lang, shown, wanted, note),
        )


@dataclass(frozen=True, slots=True)
class _NowMoment:
    """What /now depends on of the moment: the local minute, how many starts and ends passed."""

    minute: datetime
    passed: int


def _open_buttons(builder: Buttons, events: Sequence[Event], first: int) -> int:
    """Number buttons that open the cards; returns how many were added."""
    for offset, event in enumerate(events):
        builder.button(
            text=str(first + offset), callback_data=EventCb(action=EventAction.OPEN, id=event.id)
        )
    return len(events)


def _rows_of(count: int, width: int) -> list[int]:
    return [width] * (count // width) + ([count % width] if count % width else [])


def schedule_keyboard(
    program: Program,
    page: DayPage,
    lang: Lang,
    *,
    kind_index: int | None,
    section: str | None,
    joinable: Collection[str] = (),
) -> InlineKeyboardMarkup:
    builder = Buttons()
    rows = _rows_of(_open_buttons(builder, page.events, page.first_number), 4)
    signing = [
        (page.first_number + offset, event)
        for offset, event in enumerate(page.events)
        if event.id in joinable
    ]
    for number, event in signing:
        builder.button(
            text=f"✍️ {number}",
            callback_data=SignupCb(action=SignupAction.JOIN, id=event.id, origin=Origin.LIST),
        )
    rows += _rows_of(len(signing), 4)

    def at(view: ScheduleView, **changes: object) -> ScheduleCb:
        fields: dict[str, object] = {
            "view": view,
            "day": page.day_index,
            "kind": kind_index,
            "section": section,
            "page": page.page,
        }
        fields.update(changes)
        return ScheduleCb(**fields)

    if page.pages > 1:
        if page.page > 0:
            builder.button(
                text="« " + _("Back"), callback_data=at(ScheduleView.DAY, page=page.page - 1)
            )
        if page.page < page.pages - 1:
            builder.button(
                text=_("Next") + " »", callback_data=at(ScheduleView.DAY, page=page.page + 1)
            )
        rows.append(int(page.page > 0) + int(page.page < page.pages - 1))
    days = program.forum.days
    for index, day in enumerate(days[:8]):
        mark = "✓ " if index == page.day_index else ""
        label = mark + capitalized(format_day(day, lang).split(",")[0])
        if len(days) > 1:
            label += f" {day.day}"
        builder.button(text=label, callback_data=at(ScheduleView.DAY, day=index, page=0))
    rows.append(min(len(days), 8))
    kind_text = kind_plural(FILTER_KINDS[kind_index]) if kind_index is not None else _("All kinds")
    builder.button(text="🔎 " + kind_text, callback_data=at(ScheduleView.KINDS))
    if program.sections:
        chosen = program.sections_by_id.get(section) if section is not None else None
        section_title = (
            shorten(chosen.title.get(lang), BUTTON_TEXT) if chosen else _("All sections")
        )
        builder.button(text="🗂 " + section_title, callback_data=at(ScheduleView.SECTIONS))
        rows.append(2)
    else:
        rows.append(1)
    home_button(builder)
    rows.append(1)
    builder.adjust(*[row for row in rows if row])
    return builder.as_markup()


def kinds_menu(
    day_index: int, kind_index: int | None, section: str | None
) -> tuple[str, InlineKeyboardMarkup]:
    builder = Buttons()
    choices: list[tuple[int | None, str]] = [(None, _("All kinds"))]
    choices += [
        (index, f"{kind_icon(kind)} {kind_plural(kind)}")
        for index, kind in enumerate(FILTER_KINDS)
    ]
    for index, label in choices:
        mark = "✓ " if index == kind_index else ""
        builder.button(
            text=mark + label,
            callback_data=ScheduleCb(
                view=ScheduleView.DAY, day=day_index, kind=index, section=section, page=0
            ),
        )
    builder.adjust(1, 2, 2, 2)
    return _("🔎 Which events should I show?"), builder.as_markup()


def sections_menu(
    program: Program, lang: Lang, day_index: int, kind_index: int | None, section: str | None
) -> tuple[str, InlineKeyboardMarkup]:
    builder = Buttons()
    choices: list[tuple[str | None, str]] = [(None, _("All sections"))]
    choices += [
        (item.id, shorten(item.title.get(lang), BUTTON_TEXT)) for item in program.sections[:90]
    ]
    for section_id, label in choices:
        mark = "✓ " if section_id == section else ""
        builder.button(
            text=mark + label,
            callback_data=ScheduleCb(
                view=ScheduleView.DAY, day=day_index, kind=kind_index, section=section_id, page=0
            ),
        )
    builder.adjust(1)
    lines = [_("🗂 Which section?"), ""]
    lines += [
        f"• {esc(shorten(item.title.get(lang), LIST_TITLE))}" for item in program.sections[:90]
    ]
    return "\n".join(lines), builder.as_markup()


def format_duration(duration: timedelta) -> str:
    minutes = int(duration.total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    if hours and minutes:
        return _("{hours} h {minutes} min").format(hours=hours, minutes=minutes)
    if hours:
        return _("{hours} h").format(hours=hours)
    return _("{minutes} min").format(minutes=minutes)


def event_card(
    program: Program, event: Event, lang: Lang, *, state: EventState | None = None
) -> str:
    venue = program.venues_by_id[event.venue]
    title = esc(shorten(event.title.get(lang), CARD_TITLE))
    lines = [f"{kind_icon(event.kind)} {kind_label(event.kind)}"]
    lines.append(f"<s>{title}</s>" if event.cancelled else f"<b>{title}</b>")
    if event.cancelled:
        lines.append(_("❌ This event is cancelled."))
    when = format_when(event.starts_at, event.ends_at, lang, program.tz)
    lines.append(f"🗓 {when} ({format_duration(event.duration)})")
    where = esc(shorten(venue.name.get(lang), CARD_PLACE))
    if event.room is not None:
        where = place_of(program, event, lang, floor=True) + " · " + where
    lines.append(f"📍 {where}")
    if event.section is not None and event.section in program.sections_by_id:
        section = program.sections_by_id[event.section].title.get(lang)
        lines.append("🗂 " + esc(shorten(section, LIST_TITLE)))
    if event.speakers:
        names = [esc(shorten(s.get(lang), 80)) for s in event.speakers[:CARD_SPEAKERS]]
        if len(event.speakers) > CARD_SPEAKERS:
            names.append("…")
        lines.append("🎙 " + ", ".join(names))
    if event.capacity is not None and not event.cancelled:
        lines.append("🪑 " + seats_line(event.capacity, state.seats_left if state else None))
    if state is not None:
        lines += status_lines(event, state)
    if event.description is not None:
        lines += ["", esc(shorten(event.description.get(lang), CARD_DESCRIPTION))]
    return fit(lines)


def seats_line(capacity: int, seats_left: int | None) -> str:
    if seats_left is None:
        return ngettext("{capacity} seat", "{capacity} seats", capacity).format(capacity=capacity)
    if seats_left > 0:
        return ngettext(
            "{left} seat left of {capacity}", "{left} seats left of {capacity}", seats_left
        ).format(left=seats_left, capacity=capacity)
    return _("No seats left ({capacity} taken); the waitlist is open").format(capacity=capacity)


def status_lines(event: Event, state: EventState) -> list[str]:
    """The reader's own standing: seat, waitlist place, reminder, or closed sign-ups."""
    signup = state.signup
    if signup is not None and signup.status == "seat":
        return [_("✅ You have a seat.")]
    if signup is not None:
        return [
            _("⏳ You are number {position} on the waitlist.").format(position=signup.position)
        ]
    lines = []
    if state.reminded and not state.started:
        lines.append(_("🔔 I will remind you before it starts."))
    if event.capacity is not None and not state.open and not event.cancelled:
        lines.append(_("🔒 Sign-ups are closed."))
    return lines


def signup_button(builder: Buttons, event: Event, state: EventState, origin: Origin) -> bool:
    """The button that changes the reader's standing, if there is one to press."""

    def button(text: str, action: SignupAction) -> None:
        builder.button(
            text=text, callback_data=SignupCb(action=action, id=event.id, origin=origin)
        )

    signup = state.signup
    if signup is not None and signup.status == "seat":
        button(_("❌ Cancel my seat"), SignupAction.ASK_CANCEL)
    elif signup is not None:
        button(_("❌ Leave the waitlist"), SignupAction.ASK_CANCEL)
    elif event.capacity is not None:
        if not state.open:
            return False
        full = state.seats_left == 0
        button(_("✍️ Join the waitlist") if full else _("✍️ Sign up"), SignupAction.JOIN)
    elif event.cancelled or state.started:
        return False
    elif state.reminded:
        button(_("🔕 Don't remind me"), SignupAction.REMIND_OFF)
    else:
        button(_("🔔 Remind me"), SignupAction.REMIND_ON)
    return True


def event_card_keyboard(event: Event, state: EventState | None = None) -> InlineKeyboardMarkup:
    builder = Buttons()
    first_row = signup_button(builder, event, state, Origin.CARD) if state else False
    builder.button(
        text=_("📍 Where is it?"), callback_data=EventCb(action=EventAction.WHERE, id=event.id)
    )
    builder.button(
        text=_("📅 Add to calendar"),
        callback_data=EventCb(action=EventAction.CALENDAR, id=event.id),
    )
    builder.adjust(*([1, 2] if first_row else [2]))
    return builder.as_markup()


def _when_next(program: Program, event: Event, lang: Lang, now: datetime) -> str:
    time = format_time(event.starts_at, lang, program.tz)
    if event.starts_at.astimezone(program.tz).date() != now.astimezone(program.tz).date():
        return format_day(event.starts_at.astimezone(program.tz).date(), lang) + ", " + time
    return time


def now_screen(program: Program, lang: Lang, now: datetime) -> tuple[str, InlineKeyboardMarkup]:
    """What /now shows at `now`."""
    return now_view(program, now_and_next(program, now), lang, now)


def now_view(
    program: Program, view: Now, lang: Lang, now: datetime
) -> tuple[str, InlineKeyboardMarkup]:
    head: list[str] = []
    rows: list[tuple[str, Event | None]] = []  # lines, each with the event it numbers
    if view.phase is Phase.BEFORE:
        first = program.starts_at.astimezone(program.tz)  # the first of `view.first`, if any
        head.append(
            _("⏳ The forum starts on {day} at {time}.").format(
                day=format_long_date(first.date(), lang), time=format_time(first, lang, program.tz)
            )
        )
        if view.first:  # none when every event is cancelled
            rows += [("", None), (_("It opens with:"), None)]
            rows += [("", event) for event in view.first]
    elif view.phase is Phase.AFTER:
        head.append(_("🙏 The forum is over. Thank you for taking part!"))
        materials = program.forum.materials or program.forum.contacts
        if materials is not None:
            head += ["", pick(materials, lang)]
    else:
        head.append(_("⏱ Now, {time}").format(time=format_time(now, lang, program.tz)))
        if not view.venues:
            head += ["", _("Nothing more is planned today.")]
        for venue_now in view.venues:
            name = esc(shorten(venue_now.venue.name.get(lang), CARD_PLACE))
            rows += [("", None), (f"📍 <b>{name}</b>", None)]
            rows += [("▶️ " + _("now:") + " ", event) for event in venue_now.current]
            rows += [
                (
                    "⏭ "
                    + _("next at {when}:").format(when=_when_next(program, e, lang, now))
                    + " ",
                    e,
                )
                for e in venue_now.upcoming
            ]
    lines, listed = list(head), list[Event]()
    budget = LIST_BUDGET - sum(len(line) for line in head)
    for prefix, event in rows:
        line = prefix + event_line(program, event, lang, len(listed) + 1) if event else prefix
        budget -= len(line) + 1
        if budget < 0 or len(listed) >= 20:
            lines += ["", _("… and more: see the schedule.")]
            break
        lines.append(line)
        if event is not None:
            listed.append(event)
    builder = Buttons()
    rows_of_buttons = _rows_of(_open_buttons(builder, listed, 1), 5)
    builder.button(text=_("🔄 Refresh"), callback_data=MenuCb(action=MenuAction.NOW))
    builder.button(text=_("📅 Schedule"), callback_data=MenuCb(action=MenuAction.SCHEDULE))
    home_button(builder)
    builder.adjust(*rows_of_buttons, 2, 1)
    return "\n".join(lines), builder.as_markup()
