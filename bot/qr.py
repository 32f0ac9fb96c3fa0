"""Door QR codes: one per event and per venue, and a printable page with all of them.

Organizers print the page and put each card at the room's door; scanning a code opens the bot
on that event or venue (`https://t.me/<bot>?start=e-<event id>` / `v-<venue id>`). Delegation
join links are secret and never written here.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from html import escape
from pathlib import Path

import segno
from aiogram.utils.i18n import gettext as _

from bot.deeplinks import DeepLink, LinkKind, normalize_bot_username, parse_payload, start_link
from bot.formatting import format_when
from bot.i18n import in_each_language, in_language
from bot.program.models import LANGS, Event, Lang, Program, Text, Venue
from bot.texts import plain_place

# Error correction "Q" recovers about 25% of the symbol: a print on a door gets scuffed, taped
# over at a corner or photographed at an angle, and the links are short enough that the code
# stays small. Boosting is off so that the level is exactly the one stated here.
ERROR_LEVEL = "Q"
# The standard's quiet zone for QR codes is four modules on every side.
QUIET_ZONE = 4
INDEX_FILE = "index.html"


def page_labels() -> dict[str, str]:
    """The printable page's fixed labels, each in the three languages of the forum."""

    def all_three(render: Callable[[], str]) -> str:
        return " · ".join(dict.fromkeys(in_each_language(render).values()))

    return {
        "scan": all_three(lambda: _("Scan to open in Telegram")),
        "cancelled": all_three(lambda: _("Cancelled")),
        "event": all_three(lambda: _("Event")),
        "venue": all_three(lambda: _("Venue")),
        "heading": all_three(lambda: _("Door QR codes")),
    }


_CSS = """
@page { size: A4; margin: 12mm; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", "Noto Sans", Arial, sans-serif; color: #000; margin: 0; }
header { margin-bottom: 6mm; }
header h1 { font-size: 14pt; margin: 0 0 2mm; }
header p { margin: 0; font-size: 10pt; }
.card {
  display: flex; gap: 8mm; align-items: center;
  border: 0.4mm solid #000; border-radius: 3mm; padding: 6mm; margin: 0 0 6mm;
  page-break-inside: avoid; break-inside: avoid;
}
.card img { width: 75mm; height: 75mm; flex: none; image-rendering: pixelated; }
.card .text { flex: 1; min-width: 0; }
.kind { font-size: 9pt; text-transform: uppercase; letter-spacing: 0.05em; margin: 0 0 2mm; }
.card h2 { font-size: 15pt; margin: 0 0 1.5mm; }
.when, .place { font-size: 10.5pt; margin: 0 0 1mm; }
.scan { font-size: 9pt; margin: 3mm 0 1mm; }
.url { font-family: "DejaVu Sans Mono", monospace; font-size: 9pt; word-break: break-all; }
.cancelled-note { font-weight: bold; font-size: 13pt; color: #b00; margin: 0 0 2mm; }
.cancelled h2 { text-decoration: line-through; }
@media screen { body { max-width: 210mm; margin: 10mm auto; } }
""".strip()


@dataclass(frozen=True, slots=True)
class DoorCode:
    kind: LinkKind  # EVENT or VENUE
    id: str
    url: str  # the deep link
    filename: str  # e.g. "event-opening.png", "venue-library.png"


def _ordered_events(program: Program) -> list[Event]:
    return list(program.events_in_order)


def _door_code(bot_username: str, kind: LinkKind, id_: str) -> DoorCode:
    link = DeepLink(kind, id_)
    if parse_payload(link.payload) != link:  # program ids are short; this guards the contract
        raise ValueError(f"{id_!r} cannot be a Telegram start payload (at most 64 characters)")
    prefix = "event" if kind is LinkKind.EVENT else "venue"
    return DoorCode(
        kind=kind, id=id_, url=start_link(bot_username, link), filename=f"{prefix}-{id_}.png"
    )


def door_codes(program: Program, bot_username: str) -> list[DoorCode]:
    """A code for every event (in time order, cancelled ones included), then every venue."""
    username = normalize_bot_username(bot_username)
    codes = [_door_code(username, LinkKind.EVENT, e.id) for e in _ordered_events(program)]
    codes += [_door_code(username, LinkKind.VENUE, v.id) for v in program.venues]
    return codes


def make_symbol(url: str) -> segno.QRCode:
    """The QR symbol of a door link (always a full QR code: cameras do not read Micro QR)."""
    return segno.make_qr(url, error=ERROR_LEVEL, boost_error=False)


def png_of(url: str, *, scale: int = 10) -> bytes:
    """One QR code as PNG bytes (to send in a chat)."""
    buffer = io.BytesIO()
    make_symbol(url).save(buffer, kind="png", scale=scale, border=QUIET_ZONE)
    return buffer.getvalue()


def write_delegation_codes(
    program: Program, bot_username: str, out_dir: Path, *, scale: int = 10
) -> list[Path]:
    """The delegations' invite links as QR codes, apart from the door codes: they are secret,
    for the organizers to hand to each delegation's liaison."""
    username = normalize_bot_username(bot_username)
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    rows: list[str] = []
    for delegation in program.delegations:
        url = start_link(username, DeepLink(LinkKind.DELEGATION, delegation.join_code))
        path = out_dir / f"delegation-{delegation.id}.png"
        make_symbol(url).save(
            str(path), kind="png", scale=scale, border=QUIET_ZONE, dark="black", light="white"
        )
        written.append(path)
        names = " · ".join(dict.fromkeys(delegation.name.get(lang) for lang in LANGS))
        rows.append(
            f'<article class="card"><img src="{escape(path.name)}" alt="QR">'
            f'<div class="text"><h2>{escape(names)}</h2><p class="url">{escape(url)}</p>'
            "</div></article>"
        )
    heading = " · ".join(
        dict.fromkeys(in_each_language(lambda: _("Delegation invite links")).values())
    )
    page = "\n".join(
        [
            "<!DOCTYPE html>",
            '<html><head><meta charset="utf-8">',
            f"<title>{escape(heading)}</title>",
            f"<style>\n{_CSS}\n</style></head><body>",
            f"<header><h1>{escape(heading)}</h1></header><main>",
            *rows,
            "</main></body></html>",
            "",
        ]
    )
    index = out_dir / INDEX_FILE
    index.write_text(page, encoding="utf-8")
    written.append(index)
    return written


def write_door_codes(
    program: Program, bot_username: str, out_dir: Path, *, scale: int = 10
) -> list[Path]:
    """Write a PNG per door code and a printable `index.html`; return the paths written."""
    if scale < 1:
        raise ValueError(f"scale must be at least 1 pixel per module, got {scale}")
    codes = door_codes(program, bot_username)
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for code in codes:
        path = out_dir / code.filename
        make_symbol(code.url).save(
            str(path), kind="png", scale=scale, border=QUIET_ZONE, dark="black", light="white"
        )
        written.append(path)
    index = out_dir / INDEX_FILE
    index.write_text(door_codes_page(program, codes), encoding="utf-8")
    written.append(index)
    return written


# -- the printable page -----------------------------------------------------------------------


def _in_languages(text: Text) -> dict[Lang, str]:
    return {lang: text.get(lang) for lang in LANGS}


def _lines(values: Mapping[Lang, str], css_class: str, tag: str = "p") -> Iterator[str]:
    """A line per language (a language that says the same as an earlier one is skipped)."""
    seen: set[str] = set()
    for lang, value in values.items():
        if value and value not in seen:
            seen.add(value)
            yield f'<{tag} class="{css_class}" lang="{lang}">{escape(value)}</{tag}>'


def _event_card(program: Program, event: Event, labels: Mapping[str, str]) -> Iterator[str]:
    yield f'<p class="kind">{escape(labels["event"])}</p>'
    if event.cancelled:
        yield f'<p class="cancelled-note">{escape(labels["cancelled"])}</p>'
    yield from _lines(_in_languages(event.title), "title", "h2")
    when = {lang: format_when(event.starts_at, event.ends_at, lang, program.tz) for lang in LANGS}
    yield from _lines(when, "when")
    places: dict[Lang, str] = {}
    for lang in LANGS:
        with in_language(lang):
            places[lang] = plain_place(program, event, lang)
    yield from _lines(places, "place")


def _venue_card(venue: Venue, labels: Mapping[str, str]) -> Iterator[str]:
    yield f'<p class="kind">{escape(labels["venue"])}</p>'
    yield from _lines(_in_languages(venue.name), "title", "h2")
    yield from _lines(_in_languages(venue.address), "place")


def door_codes_page(program: Program, codes: list[DoorCode]) -> str:
    """The HTML page (A4, one card per code) that shows `codes` next to their PNG files."""
    forum = program.forum
    labels = page_labels()
    cards: list[str] = []
    for code in codes:
        cancelled = False
        if code.kind is LinkKind.EVENT:
            event = program.events_by_id[code.id]
            cancelled = event.cancelled
            body = list(_event_card(program, event, labels))
        else:
            body = list(_venue_card(program.venues_by_id[code.id], labels))
        css_class = "card cancelled" if cancelled else "card"
        anchor = code.filename.removesuffix(".png")
        cards.append(
            "\n".join(
                [
                    f'<article class="{css_class}" id="{escape(anchor)}">',
                    f'<img src="{escape(code.filename)}" alt="QR: {escape(code.url)}">',
                    '<div class="text">',
                    *body,
                    '<p class="scan">' + escape(labels["scan"]) + "</p>",
                    f'<p class="url">{escape(code.url)}</p>',
                    "</div>",
                    "</article>",
                ]
            )
        )
    titles = " · ".join(dict.fromkeys(forum.title.get(lang) for lang in LANGS))
    return "\n".join(
        [
            "<!DOCTYPE html>",
            "<html>",
            "<head>",
            '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{escape(labels['heading'])}</title>",
            f"<style>\n{_CSS}\n</style>",
            "</head>",
            "<body>",
            "<header>",
            f"<h1>{escape(labels['heading'])}</h1>",
            f"<p>{escape(titles)}</p>",
            "</header>",
            "<main>",
            *cards,
            "</main>",
            "</body>",
            "</html>",
            "",
        ]
    )
