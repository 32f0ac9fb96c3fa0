"""The broadcast composer's screens, its preview summary, progress reports and the list."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from bot.buttons import Buttons
from bot.callbacks import BroadcastAction, BroadcastCb
from bot.formatting import format_day, format_time
from bot.i18n import LANGUAGE_FLAGS, LANGUAGE_NAMES
from bot.program.models import LANGS, Lang, Program
from bot.services.broadcasts import Audience, AudienceKind, Report
from bot.services.roles import Removal
from bot.texts import esc, fit, shorten

BUTTON = 48
PICKS = 25  # a page of choices: 25 lines of up to ~115 characters fit in one message


def _button(builder: Buttons, text: str, action: BroadcastAction, value: str = "") -> None:
    builder.button(text=text, callback_data=BroadcastCb(action=action, value=value))


def audience_menu() -> tuple[str, InlineKeyboardMarkup]:
    builder = Buttons()
    for text, kind in (
        (_("👥 Everyone"), AudienceKind.EVERYONE),
        (_("🌐 By language"), AudienceKind.LANGUAGE),
        (_("🏛 A delegation"), AudienceKind.DELEGATION),
        (_("✍️ An event's participants"), AudienceKind.EVENT),
        (_("⏳ An event's waitlist"), AudienceKind.WAITLIST),
        (_("🗂 A section's participants"), AudienceKind.SECTION),
    ):
        _button(builder, text, BroadcastAction.AUDIENCE, kind.value)
    _button(builder, _("✖ Cancel"), BroadcastAction.CANCEL)
    builder.adjust(1)
    return _("📣 <b>New broadcast.</b> Who should receive it?"), builder.as_markup()


def audience_choices(
    program: Program, kind: AudienceKind, lang: Lang, page: int = 0
) -> tuple[str, InlineKeyboardMarkup]:
    """The languages, delegations, events or sections to choose one from, `PICKS` a page:
    "« 1–25" and "51–62 »" turn the pages (a page out of range shows the last one)."""
    builder = Buttons()
    lines: list[str] = [_("Choose one:"), ""]
    if kind is AudienceKind.LANGUAGE:
        for code in LANGS:
            _button(
                builder,
                f"{LANGUAGE_FLAGS[code]} {LANGUAGE_NAMES[code]}",
                BroadcastAction.PICK,
                f"{kind}.{code}",
            )
        _button(builder, _("« Back"), BroadcastAction.AUDIENCE, "")
        builder.adjust(1)
        return fit(lines), builder.as_markup()
    choices: list[tuple[str, str]]  # (the button's label, the id picked)
    numbered = kind in (AudienceKind.EVENT, AudienceKind.WAITLIST)
    if kind is AudienceKind.DELEGATION:
        choices = [(d.name.get(lang), d.id) for d in program.delegations]
    elif kind is AudienceKind.SECTION:
        choices = [(s.title.get(lang), s.id) for s in program.sections]
    else:
        events = [e for e in program.events if e.capacity is not None]
        events.sort(key=lambda e: (e.starts_at, e.id))
        choices = [(e.title.get(lang), e.id) for e in events]
    pages = max(1, -(-len(choices) // PICKS))
    page = min(max(page, 0), pages - 1)
    first = page * PICKS
    shown = choices[first : first + PICKS]
    for number, (label, picked) in enumerate(shown, first + 1):
        if numbered:
            event = program.events_by_id[picked]
            when = format_time(event.starts_at, lang, program.tz)
            day = format_day(event.starts_at.astimezone(program.tz).date(), lang).split(",")[0]
            lines.append(f"{number}. {day} {when} {esc(shorten(label, 90))}")
            label = str(number)
        _button(builder, shorten(label, BUTTON), BroadcastAction.PICK, f"{kind}.{picked}")
    turns = []
    if page > 0:
        turns.append((f"« {first - PICKS + 1}–{first}", page - 1))
    if page < pages - 1:
        last = min(first + 2 * PICKS, len(choices))
        turns.append((f"{first + PICKS + 1}–{last} »", page + 1))
    for text, to in turns:
        _button(builder, text, BroadcastAction.AUDIENCE, f"{kind}.{to}")
    _button(builder, _("« Back"), BroadcastAction.AUDIENCE, "")
    width = 5 if numbered else 1
    rows = [width] * (len(shown) // width) + ([len(shown) % width] if len(shown) % width else [])
    builder.adjust(*rows, *([len(turns)] if turns else []), 1)
    return fit(lines), builder.as_markup()


def describe(program: Program, audience: Audience, lang: Lang) -> str:
    value = audience.value or ""
    match audience.kind:
        case AudienceKind.EVERYONE:
            return _("everyone")
        case AudienceKind.LANGUAGE:
            return _("everyone reading {language}").format(
                language=LANGUAGE_NAMES.get(value, value)  # type: ignore[call-overload]
            )
        case AudienceKind.DELEGATION:
            name = (
                program.delegations_by_id[value].name.get(lang)
                if value in program.delegations_by_id
                else value
            )
            return _("the delegation «{name}»").format(name=esc(shorten(name, 80)))
        case AudienceKind.SECTION:
            title = (
                program.sections_by_id[value].title.get(lang)
                if value in program.sections_by_id
                else value
            )
            return _("the participants of the section «{title}»").format(
                title=esc(shorten(title, 80))
            )
    title = program.events_by_id[value].title.get(lang) if value in program.events_by_id else value
    if audience.kind is AudienceKind.WAITLIST:
        return _("the waitlist of «{title}»").format(title=esc(shorten(title, 80)))
    return _("the participants of «{title}»").format(title=esc(shorten(title, 80)))


def ask_text(program: Program, audience: Audience, lang: Lang, count: int) -> str:
    people = ngettext("{count} person", "{count} people", count).format(count=count)
    return _(
        "To: {audience} — {people}.\n\n"
        "Now send the message: text with formatting (HTML: &lt;b&gt;, &lt;i&gt;, "
        '&lt;a href="…"&gt;), or a photo with the text as its caption. /cancel stops.'
    ).format(audience=describe(program, audience, lang), people=people)


def ask_version(lang: Lang) -> str:
    return _("Send the text in {language}.").format(language=LANGUAGE_NAMES[lang])


def versions_menu(texts: dict[str, str], default: Lang) -> tuple[str, InlineKeyboardMarkup]:
    builder = Buttons()
    for code in LANGS:
        if code == default:
            continue
        mark = "✓ " if code in texts else "+ "
        _button(
            builder,
            f"{mark}{LANGUAGE_FLAGS[code]} {LANGUAGE_NAMES[code]}",
            BroadcastAction.VERSION,
            code,
        )
    _button(builder, _("Continue »"), BroadcastAction.TEXTS_DONE)
    _button(builder, _("✖ Cancel"), BroadcastAction.CANCEL)
    builder.adjust(2, 1, 1)
    text = _(
        "Saved. Add a version in another language? Everyone gets their language's version; "
        "the others get the text in {language}."
    ).format(language=LANGUAGE_NAMES[default])
    return text, builder.as_markup()


def when_menu() -> tuple[str, InlineKeyboardMarkup]:
    builder = Buttons()
    _button(builder, _("▶️ Now"), BroadcastAction.NOW)
    _button(builder, _("🕒 At a time…"), BroadcastAction.LATER)
    _button(builder, _("✖ Cancel"), BroadcastAction.CANCEL)
    builder.adjust(2, 1)
    return _("When should it go out?"), builder.as_markup()


def ask_time(program: Program) -> str:
    return _(
        "Send the time in the forum's timezone ({zone}): HH:MM for the next such time, "
        "or YYYY-MM-DD HH:MM."
    ).format(zone=program.forum.timezone)


def bad_time() -> str:
    return _("I could not read that time, or it has passed. Example: 2026-12-10 15:30")


def invalid_message(reason: str) -> str:
    return _("The message cannot be sent as it is: {reason}\nPlease send it again.").format(
        reason=esc(reason)
    )


def text_or_photo() -> str:
    return _(
        "Only text or a photo can be broadcast, so this message was not kept. "
        "Please send text, or a photo with a caption."
    )


def album_first_photo() -> str:
    return _(
        "An announcement carries one photo, so I kept the album's first and left out the others."
    )


def version_too_long_for_photo(lang: Lang) -> str:
    return _(
        "With a photo, every language's text becomes its caption, which holds at most 1,024 "
        "characters, and the {language} text is longer. Shorten it first, or send the text "
        "without the photo."
    ).format(language=LANGUAGE_NAMES[lang])


def version_is_text(lang: Lang) -> str:
    return _(
        "A version in another language is text only (the photo, if there is one, is the same "
        "for every language), so this message was not kept. Please send the text in {language}."
    ).format(language=LANGUAGE_NAMES[lang])


def summary(
    program: Program,
    audience: Audience,
    lang: Lang,
    languages: dict[Lang, int],
    send_at: datetime | None,
    *,
    paid: bool | None,
) -> tuple[str, InlineKeyboardMarkup]:
    """The last step: who, how many per language, when; Send or Cancel."""
    total = sum(languages.values())
    split = ", ".join(f"{code} {count}" for code, count in languages.items()) or "—"
    if send_at is None:
        when = _("now")
    else:
        local = send_at.astimezone(program.tz)
        when = f"{format_day(local.date(), lang)}, {format_time(local, lang, program.tz)}"
    lines = [
        _("👆 This is how it will look."),
        "",
        _("To: {audience}").format(audience=describe(program, audience, lang)),
        _("People: {total} ({split})").format(total=total, split=split),
        _("When: {when}").format(when=when),
    ]
    builder = Buttons()
    _button(builder, _("✅ Send"), BroadcastAction.SEND)
    _button(builder, _("✖ Cancel"), BroadcastAction.CANCEL)
    if paid is not None:
        label = _("💸 Paid broadcast: on") if paid else _("💸 Paid broadcast: off")
        _button(builder, label, BroadcastAction.PAID)
        lines.append(_("Paid broadcasting sends up to 1000 messages a second and costs Stars."))
    builder.adjust(2, 1)
    return "\n".join(lines), builder.as_markup()


def cancelled() -> str:
    return _("Cancelled: nothing was sent.")


def progress(
    program: Program, report: Report, lang: Lang, rate: float
) -> tuple[str, InlineKeyboardMarkup | None]:
    broadcast = report.broadcast
    audience = describe(program, Audience.from_json(broadcast.audience), lang)
    lines = [
        _("📣 Broadcast #{number} to {audience}").format(number=broadcast.id, audience=audience)
    ]
    if broadcast.status == "cancelled" and broadcast.total == 0:  # stopped before its time
        lines.append(_("⛔ Stopped before it went out: nobody got it."))
        return "\n".join(lines), None
    if broadcast.status == "scheduled":
        local = broadcast.send_at.astimezone(program.tz)
        lines.append(
            _("🕒 Goes out {day}, {time}.").format(
                day=format_day(local.date(), lang), time=format_time(local, lang, program.tz)
            )
        )
    else:
        lines.append(
            _("Sent {sent} of {total}; failed {failed}; blocked the bot {blocked}.").format(
                sent=report.sent,
                total=broadcast.total,
                failed=report.failed,
                blocked=report.blocked,
            )
        )
    if broadcast.status == "sending":
        lines.append(_("About {seconds} s left.").format(seconds=report.eta_seconds(rate)))
    elif broadcast.status == "done":
        lines.append(_("✅ Done."))
    elif broadcast.status == "cancelled":
        lines.append(_("⛔ Stopped: {count} not sent.").format(count=report.cancelled))
    markup = None
    if broadcast.status in ("sending", "scheduled"):
        builder = Buttons()
        _button(builder, _("⛔ Stop"), BroadcastAction.STOP, str(broadcast.id))
        markup = builder.as_markup()
    return "\n".join(lines), markup


def recent(
    program: Program, reports: Sequence[Report], lang: Lang, rate: float
) -> tuple[str, InlineKeyboardMarkup | None]:
    if not reports:
        return _("No broadcasts yet. /broadcast starts one."), None
    lines = [_("📣 <b>Recent broadcasts</b>")]
    builder = Buttons()
    for report in reports:
        text, _markup = progress(program, report, lang, rate)
        lines += ["", text]
        if report.broadcast.status in ("sending", "scheduled"):
            _button(
                builder,
                _("⛔ Stop #{number}").format(number=report.broadcast.id),
                BroadcastAction.STOP,
                str(report.broadcast.id),
            )
    builder.adjust(2)
    return fit(lines), builder.as_markup() if builder.buttons else None


def stopped(number: int) -> str:
    return _("Broadcast #{number} is stopped.").format(number=number)


def not_stoppable(status: str) -> str:
    if status == "cancelled":
        return _("It has been stopped already.")
    return _("It has already finished.")


def organizers_list(admins: Sequence[int], added: Sequence[int], *, manage: bool) -> str:
    """Who the organizers are; to an admin (`manage`), how to add and remove them too."""
    lines = [_("<b>Organizers</b>"), ""]
    lines += [f"• {person} (ADMIN_IDS)" for person in admins]
    lines += [f"• {person}" for person in added]
    if manage:
        how = _("Add: /organizers add TELEGRAM_ID\nRemove: /organizers remove TELEGRAM_ID")
        lines += ["", how]
    return "\n".join(lines)


def organizer_added(person: int, added: bool) -> str:
    if not added:
        return _("{person} is an organizer already: nothing has changed.").format(person=person)
    return _("{person} is an organizer now.").format(person=person)


def organizer_removed(person: int, removal: Removal) -> str:
    match removal:
        case Removal.REMOVED:
            text = _("{person} is not an organizer any more.")
        case Removal.NOT_ORGANIZER:
            text = _("{person} was not an organizer: nothing has changed.")
        case Removal.ADMIN:
            text = _(
                "{person} is an admin (ADMIN_IDS) and stays an organizer: admins are changed "
                "in the bot's configuration only."
            )
    return text.format(person=person)


def telegram_id_needed(verb: str) -> str:
    return _("A Telegram ID is a number, for example /organizers {verb} 123456789.").format(
        verb=verb
    )


def admins_only() -> str:
    return _("Only the admins (ADMIN_IDS) manage organizers.")
