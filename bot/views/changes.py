"""The notice of program changes: old → new, in the reader's language; events and the items of
the reader's delegation's itinerary alike."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, TypeGuard, TypeVar, cast

from aiogram.utils.i18n import gettext as _

from bot.formatting import format_when
from bot.program.models import Event, ItineraryItem, Lang, Program
from bot.texts import esc, fit, shorten
from bot.views.delegations import ITEM_ICONS, item_place
from bot.views.schedule import CARD_TITLE, place_of

if TYPE_CHECKING:
    from bot.services.changes import Change, ItemChange

PLACE = 120  # characters of a venue's name or an item's place
T = TypeVar("T", Event, ItineraryItem)


def _when(program: Program, event: Event, lang: Lang) -> str:
    return format_when(event.starts_at, event.ends_at, lang, program.tz)


def _where(program: Program, event: Event, lang: Lang) -> str:
    venue = program.venues_by_id.get(event.venue)
    name = esc(shorten(venue.name.get(lang), PLACE)) if venue else esc(event.venue)
    if event.room is None or venue is None or event.room not in venue.rooms_by_id:
        return name
    return place_of(program, event, lang, floor=True)


def _item_where(program: Program, item: ItineraryItem, lang: Lang) -> str:
    """The item's place as its line in the itinerary says it; "" if it gives none."""
    return item_place(program, item, lang, PLACE) or esc(item.venue or "")


def notice(program: Program, changes: Sequence[Change | ItemChange], lang: Lang) -> str:
    """All of one person's changes in one message; `program` is the one now in force."""
    lines = [_("📢 <b>Changes in the program</b>")]
    for change in changes:
        lines.append("")
        if _of_item(change):
            lines += _item_lines(program, change, lang)
        else:
            lines += _event_lines(program, cast("Change", change), lang)
    return fit(lines)


def _of_item(change: Change | ItemChange) -> TypeGuard[ItemChange]:
    return isinstance(change.subject, ItineraryItem)


def _event_lines(program: Program, change: Change, lang: Lang) -> list[str]:
    event = change.subject
    title = esc(shorten(event.title.get(lang), CARD_TITLE))
    return _lines(
        change.kind,
        change.old,
        change.new,
        head=f"<b>{title}</b>",
        added=_("🆕 New: <b>{title}</b>").format(title=title),
        removed=_("❌ <b>{title}</b> is cancelled.").format(title=title),
        when=lambda event: _when(program, event, lang),
        where=lambda event: _where(program, event, lang),
    )


def _item_lines(program: Program, change: ItemChange, lang: Lang) -> list[str]:
    item = change.subject
    title = esc(shorten(item.title.get(lang), CARD_TITLE))
    head = f"{ITEM_ICONS[item.kind]} <b>{title}</b>"
    if change.kind == "room" and change.old is not None and change.new is not None:
        place = _item_where(program, change.new, lang)
        if _item_where(program, change.old, lang) == place:  # the same words, another point
            if not place:
                return [head, _("📍 A new point on the map")]
            return [head, _("📍 {place}: a new point on the map").format(place=place)]
    return _lines(
        change.kind,
        change.old,
        change.new,
        head=head,
        added=_("🆕 New in your itinerary: <b>{title}</b>").format(title=title),
        removed=_("❌ <b>{title}</b> is no longer in your itinerary.").format(title=title),
        when=lambda item: format_when(item.starts_at, item.ends_at, lang, program.tz),
        where=lambda item: _item_where(program, item, lang),
    )


def _lines(
    kind: str,
    old: T | None,
    new: T | None,
    *,
    head: str,
    added: str,
    removed: str,
    when: Callable[[T], str],
    where: Callable[[T], str],
) -> list[str]:
    """An event's or an item's change: what is new, what is gone, old → new time or place."""
    if kind == "new" and new is not None:
        place = where(new)
        return [added, f"🗓 {when(new)} · 📍 {place}" if place else f"🗓 {when(new)}"]
    if kind == "cancelled":
        return [removed]
    assert old is not None and new is not None
    if kind == "moved":
        return [head, f"🗓 <s>{when(old)}</s> → {when(new)}"]
    return [head, f"📍 <s>{where(old) or '—'}</s> → {where(new) or '—'}"]
