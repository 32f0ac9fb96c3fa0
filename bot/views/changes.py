"""The notice of program changes: old → new, in the reader's language."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiogram.utils.i18n import gettext as _

from bot.formatting import format_when
from bot.program.models import Event, Lang, Program
from bot.texts import esc, fit, shorten
from bot.views.schedule import CARD_TITLE, place_of

if TYPE_CHECKING:
    from bot.services.changes import Change


def _when(program: Program, event: Event, lang: Lang) -> str:
    return format_when(event.starts_at, event.ends_at, lang, program.tz)


def _where(program: Program, event: Event, lang: Lang) -> str:
    venue = program.venues_by_id.get(event.venue)
    name = esc(shorten(venue.name.get(lang), 120)) if venue else esc(event.venue)
    if event.room is None or venue is None or event.room not in venue.rooms_by_id:
        return name
    return place_of(program, event, lang, floor=True)


def notice(program: Program, changes: list[Change], lang: Lang) -> str:
    """All of one person's changes in one message; `program` is the one now in force."""
    lines = [_("📢 <b>Changes in the program</b>")]
    for change in changes:
        event = change.new or change.old
        assert event is not None
        title = esc(shorten(event.title.get(lang), CARD_TITLE))
        lines.append("")
        if change.kind == "new" and change.new is not None:
            lines.append(_("🆕 New: <b>{title}</b>").format(title=title))
            lines.append(
                f"🗓 {_when(program, change.new, lang)} · 📍 {_where(program, change.new, lang)}"
            )
        elif change.kind == "cancelled":
            lines.append(_("❌ <b>{title}</b> is cancelled.").format(title=title))
        elif change.kind == "moved" and change.old is not None and change.new is not None:
            lines.append(f"<b>{title}</b>")
            before, after = _when(program, change.old, lang), _when(program, change.new, lang)
            lines.append(f"🗓 <s>{before}</s> → {after}")
        elif change.old is not None and change.new is not None:
            lines.append(f"<b>{title}</b>")
            before, after = _where(program, change.old, lang), _where(program, change.new, lang)
            lines.append(f"📍 <s>{before}</s> → {after}")
    return fit(lines)
