"""Door QR codes: the links, the PNG files read back pixel by pixel, and the printable page."""

from __future__ import annotations

import copy
import struct
import zlib
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import segno

from bot.deeplinks import LinkKind, normalize_bot_username, parse_payload
from bot.formatting import format_when
from bot.i18n import create_i18n, in_language
from bot.program import Program
from bot.program.models import LANGS
from bot.qr import (
    INDEX_FILE,
    QUIET_ZONE,
    DoorCode,
    door_codes,
    page_labels,
    write_door_codes,
)
from bot.texts import plain_place
from tests.conftest import mini_raw, program_of

pytestmark = pytest.mark.usefixtures("i18n_context")

SCAN_LABEL = (
    "Telegram-да ашу үшін сканерлеңіз · Отсканируйте, чтобы открыть в Telegram · "
    "Scan to open in Telegram"
)
CANCELLED_LABEL = "Болдырылмады · Отменено · Cancelled"


def event_place(program: Program, event: Any, lang: str) -> str:
    with in_language(lang):
        return plain_place(program, event, lang)  # type: ignore[arg-type]


def test_the_page_labels_come_from_the_catalogs() -> None:
    labels = page_labels()
    assert labels["scan"] == SCAN_LABEL
    assert labels["cancelled"] == CANCELLED_LABEL


BOT = "forum_test_bot"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def sample_dir(sample_program: Program, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("doors") / "nested" / "codes"  # created by the writer
    with create_i18n().context():
        write_door_codes(sample_program, BOT, out)
    return out


# -- reading a PNG back with the standard library ---------------------------------------------


@dataclass(frozen=True)
class Png:
    width: int
    height: int
    rows: tuple[str, ...]  # one string per pixel row: "1" for a dark pixel, "0" for a light one


def _unfilter(kind: int, line: bytes, previous: bytes) -> bytes:
    """Undo a PNG scanline filter (1 byte per pixel unit for bit depths below 8)."""
    if kind == 0:
        return line
    out = bytearray(line)
    for i, value in enumerate(line):
        left = out[i - 1] if i else 0
        up = previous[i]
        upper_left = previous[i - 1] if i else 0
        if kind == 1:
            predictor = left
        elif kind == 2:
            predictor = up
        elif kind == 3:
            predictor = (left + up) // 2
        elif kind == 4:
            estimate = left + up - upper_left
            distances = (abs(estimate - left), abs(estimate - up), abs(estimate - upper_left))
            predictor = (left, up, upper_left)[distances.index(min(distances))]
        else:
            raise AssertionError(f"unknown PNG filter type {kind}")
        out[i] = (value + predictor) & 0xFF
    return bytes(out)


def read_png(path: Path) -> Png:
    data = path.read_bytes()
    assert data[:8] == PNG_SIGNATURE, f"{path.name} is not a PNG file"
    chunks: list[tuple[bytes, bytes]] = []
    pos = 8
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        body = data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])
        assert zlib.crc32(kind + body) == crc, f"bad CRC in the {kind!r} chunk of {path.name}"
        chunks.append((kind, body))
        pos += 12 + length
    assert pos == len(data)
    assert chunks[0][0] == b"IHDR" and chunks[-1] == (b"IEND", b"")
    width, height, depth, colour, compression, filtering, interlace = struct.unpack(
        ">IIBBBBB", chunks[0][1]
    )
    # segno writes a 1-bit greyscale image without interlacing.
    assert (depth, colour, compression, filtering, interlace) == (1, 0, 0, 0, 0)
    raw = zlib.decompress(b"".join(body for kind, body in chunks if kind == b"IDAT"))
    stride = (width + 7) // 8
    assert len(raw) == height * (stride + 1)
    rows: list[str] = []
    previous = bytes(stride)
    for y in range(height):
        start = y * (stride + 1)
        line = _unfilter(raw[start], raw[start + 1 : start + 1 + stride], previous)
        bits = format(int.from_bytes(line, "big"), f"0{stride * 8}b")[:width]
        rows.append(bits.translate(str.maketrans("01", "10")))  # greyscale 0 is black = dark
        previous = line
    return Png(width, height, tuple(rows))


def expected_rows(url: str, scale: int) -> tuple[str, ...]:
    """The pixels of `url`'s symbol, encoded by segno independently of bot.qr."""
    symbol = segno.make_qr(url, error="q", boost_error=False)
    return tuple(
        "".join("1" if dark else "0" for dark in row)
        for row in symbol.matrix_iter(scale=scale, border=QUIET_ZONE)
    )


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.images: list[str] = []
        self.cards: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img":
            self.images.append(dict(attrs)["src"] or "")
        if tag == "article":
            self.cards.append(dict(attrs)["class"] or "")

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse_page(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    page.close()
    return page


def card_of(html: str, code: DoorCode) -> str:
    start = html.index(f'<img src="{code.filename}"')
    return html[start : html.index("</article>", start)]


# -- the codes ----------------------------------------------------------------------------------


def test_codes_cover_every_event_in_time_order_then_every_venue(sample_program: Program) -> None:
    codes = door_codes(sample_program, BOT)
    events = [code for code in codes if code.kind is LinkKind.EVENT]
    venues = [code for code in codes if code.kind is LinkKind.VENUE]
    assert codes == events + venues
    assert {code.id for code in events} == set(sample_program.events_by_id)
    assert [code.id for code in venues] == [venue.id for venue in sample_program.venues]
    starts = [sample_program.events_by_id[code.id].starts_at for code in events]
    assert starts == sorted(starts)
    assert len({code.filename for code in codes}) == len(codes)


def test_urls_are_the_bots_start_links(sample_program: Program) -> None:
    for code in door_codes(sample_program, BOT):
        letter = "e" if code.kind is LinkKind.EVENT else "v"
        assert code.url == f"https://t.me/forum_test_bot?start={letter}-{code.id}"
        prefix = "event" if code.kind is LinkKind.EVENT else "venue"
        assert code.filename == f"{prefix}-{code.id}.png"
    assert door_codes(sample_program, "@forum_test_bot") == door_codes(sample_program, BOT)


def test_opening_code_of_the_mini_program(mini_program: Program) -> None:
    assert door_codes(mini_program, BOT)[0] == DoorCode(
        kind=LinkKind.EVENT,
        id="opening",
        url="https://t.me/forum_test_bot?start=e-opening",
        filename="event-opening.png",
    )


@pytest.mark.parametrize(
    "username",
    ["", "abcd", "a" * 33, "forum-bot", "forum bot", "@@forum_bot", "t.me/forum_bot", "форум_бот"],
)
def test_an_invalid_username_is_refused(
    username: str, mini_program: Program, tmp_path: Path
) -> None:
    with pytest.raises(ValueError, match="invalid bot username"):
        door_codes(mini_program, username)
    with pytest.raises(ValueError, match="invalid bot username"):
        write_door_codes(mini_program, username, tmp_path / "out")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("username", ["forum_bot", "@forum_bot", " forum_bot ", "A" * 32])
def test_valid_usernames(username: str) -> None:
    assert normalize_bot_username(username) == username.strip().removeprefix("@")


def test_every_start_payload_fits_telegrams_limit(sample_program: Program) -> None:
    raw = mini_raw()
    longest = "x" * 32  # the longest id the program format allows
    raw["events"][0]["id"] = longest
    raw["venues"][0]["id"] = longest
    for event in raw["events"]:
        event["venue"] = longest
    longest_program = program_of(raw)
    for program in (sample_program, longest_program):
        for code in door_codes(program, BOT):
            payload = code.url.split("?start=", 1)[1]
            assert len(payload) <= 64
            parsed = parse_payload(payload)
            assert parsed is not None and (parsed.kind, parsed.value) == (code.kind, code.id)


# -- the files ----------------------------------------------------------------------------------


def test_written_paths_are_the_pngs_then_the_page(mini_program: Program, tmp_path: Path) -> None:
    paths = write_door_codes(mini_program, BOT, tmp_path)
    codes = door_codes(mini_program, BOT)
    assert paths == [tmp_path / code.filename for code in codes] + [tmp_path / INDEX_FILE]
    assert sorted(tmp_path.iterdir()) == sorted(paths)


def test_pngs_hold_exactly_the_symbol_of_their_url(
    sample_program: Program, sample_dir: Path
) -> None:
    for code in door_codes(sample_program, BOT):
        png = read_png(sample_dir / code.filename)
        expected = expected_rows(code.url, scale=10)
        assert (png.width, png.height) == (len(expected[0]), len(expected))
        assert png.rows == expected, code.filename
        # The quiet zone: the outer four modules are light on every side.
        border = QUIET_ZONE * 10
        assert set("".join(png.rows[:border] + png.rows[-border:])) == {"0"}
        assert all(set(row[:border] + row[-border:]) == {"0"} for row in png.rows)


def test_scale_sets_the_pixels_per_module(mini_program: Program, tmp_path: Path) -> None:
    write_door_codes(mini_program, BOT, tmp_path, scale=3)
    url = "https://t.me/forum_test_bot?start=v-library"
    symbol = segno.make_qr(url, error="q", boost_error=False)
    png = read_png(tmp_path / "venue-library.png")
    assert (png.width, png.height) == symbol.symbol_size(scale=3, border=QUIET_ZONE)
    assert png.rows == expected_rows(url, scale=3)
    with pytest.raises(ValueError, match="scale"):
        write_door_codes(mini_program, BOT, tmp_path, scale=0)


def test_no_delegation_code_or_link_is_written(sample_program: Program, sample_dir: Path) -> None:
    assert sample_program.delegations, (
        "the sample must have delegations for this test to mean much"
    )
    secrets = [d.join_code.encode() for d in sample_program.delegations]
    secrets += [f"d-{d.join_code}".encode() for d in sample_program.delegations]
    files = list(sample_dir.iterdir())
    assert len(files) == len(door_codes(sample_program, BOT)) + 1
    for path in files:
        content = path.read_bytes()
        if path.suffix == ".png":  # look inside the image data too
            content += b"".join(row.encode() for row in read_png(path).rows)
        assert b"start=d-" not in content, path.name
        for secret in secrets:
            assert secret not in content, path.name
    assert {path.name for path in files} == {
        code.filename for code in door_codes(sample_program, BOT)
    } | {INDEX_FILE}


# -- the printable page -------------------------------------------------------------------------


def test_the_page_lists_every_code_in_three_languages(
    sample_program: Program, sample_dir: Path
) -> None:
    html = (sample_dir / INDEX_FILE).read_text(encoding="utf-8")
    page = parse_page(html)
    codes = door_codes(sample_program, BOT)
    assert page.images == [code.filename for code in codes]
    text = "\n".join(page.text)
    assert text.count(SCAN_LABEL) == len(codes)
    for code in codes:
        assert code.url in text
        card = card_of(html, code)
        for lang in LANGS:
            assert f'lang="{lang}"' in card
        if code.kind is LinkKind.EVENT:
            event = sample_program.events_by_id[code.id]
            names = [event.title.get(lang) for lang in LANGS]
            names += [
                format_when(event.starts_at, event.ends_at, lang, sample_program.tz)
                for lang in LANGS
            ]
            names += [event_place(sample_program, event, lang) for lang in LANGS]
        else:
            venue = sample_program.venues_by_id[code.id]
            names = [venue.name.get(lang) for lang in LANGS]
            names += [venue.address.get(lang) for lang in LANGS]
        for name in names:
            assert name in text, name
    assert "@page" in html and "size: A4" in html and "page-break-inside: avoid" in html
    assert CANCELLED_LABEL not in text  # nothing is cancelled in the sample


def test_times_are_in_the_forums_timezone(mini_program: Program, tmp_path: Path) -> None:
    write_door_codes(mini_program, BOT, tmp_path)
    text = "\n".join(parse_page((tmp_path / INDEX_FILE).read_text(encoding="utf-8")).text)
    # opening: 2026-12-10 10:00-12:00 in Asia/Almaty
    assert "Thursday, 10 December, 10:00–12:00" in text
    assert "четверг, 10 декабря, 10:00–12:00" in text
    assert "Main hall, floor 1" in text and "Үлкен зал, 1-қабат" in text


def test_titles_are_escaped(tmp_path: Path) -> None:
    raw = mini_raw()
    raw["events"][0]["title"] = {"kk": "Ашылу <b>&", "ru": "Открытие <b>&", "en": 'Open <b>& "x"'}
    raw["venues"][0]["name"]["en"] = "Library <script>alert(1)</script>"
    program = program_of(raw)
    write_door_codes(program, BOT, tmp_path)
    html = (tmp_path / INDEX_FILE).read_text(encoding="utf-8")
    assert "<b>" not in html and "<script>" not in html
    assert "Ашылу &lt;b&gt;&amp;" in html
    assert "Library &lt;script&gt;alert(1)&lt;/script&gt;" in html
    text = "\n".join(parse_page(html).text)
    assert 'Open <b>& "x"' in text and "Открытие <b>&" in text


def test_a_cancelled_event_keeps_its_code_and_says_so(tmp_path: Path) -> None:
    raw = copy.deepcopy(mini_raw())
    raw["events"][1]["cancelled"] = True  # digital-1
    program = program_of(raw)
    paths = write_door_codes(program, BOT, tmp_path)
    assert tmp_path / "event-digital-1.png" in paths
    html = (tmp_path / INDEX_FILE).read_text(encoding="utf-8")
    codes = {code.id: code for code in door_codes(program, BOT)}
    cancelled_card = card_of(html, codes["digital-1"])
    assert CANCELLED_LABEL in cancelled_card
    for word in ("Cancelled", "Болдырылмады", "Отменено"):
        assert word in cancelled_card
    assert html.count(CANCELLED_LABEL) == 1
    assert parse_page(html).cards == ["card", "card cancelled", "card", "card"]
