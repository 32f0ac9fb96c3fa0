"""Three languages: complete catalogs that match the code, locale choice, dates in each."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot.formatting import format_date_range, format_day, format_time, format_when
from bot.i18n import DOMAIN, LOCALES_DIR, create_i18n, resolve_locale, supported
from bot.program.models import LANGS, Lang
from tests.conftest import ROOT

PLACEHOLDER = re.compile(r"\{[a-z_]*\}")
TAG = re.compile(r"</?[a-z]+[^>]*>")


def forms(value: str | tuple[str, ...]) -> tuple[str, ...]:
    """A message id or translation as its forms (plural messages have several)."""
    return value if isinstance(value, tuple) else (value,)


def source_messages() -> set[str]:
    found: set[str] = set()
    for package in ("bot", "handlers"):
        for _filename, _lineno, message, _comments, _context in extract_from_dir(
            ROOT / package, keywords={"_": None, "__": None, "ngettext": (1, 2)}
        ):
            found.add(message if isinstance(message, str) else message[0])
    return found


def catalog(lang: str):  # type: ignore[no-untyped-def]
    with (LOCALES_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po").open("rb") as handle:
        return read_po(handle, locale=lang)


@pytest.mark.parametrize("lang", LANGS)
def test_catalog_is_complete_and_not_fuzzy(lang: Lang) -> None:
    messages = [m for m in catalog(lang) if m.id]
    untranslated = [m.id for m in messages if not all(forms(m.string))]
    fuzzy = [m.id for m in messages if m.fuzzy]
    assert untranslated == []
    assert fuzzy == []


@pytest.mark.parametrize("lang", LANGS)
def test_catalog_holds_every_message_of_the_code_and_no_stale_ones(lang: Lang) -> None:
    in_catalog = {forms(m.id)[0] for m in catalog(lang) if m.id}
    in_code = source_messages()
    assert in_code - in_catalog == set(), "run pybabel extract + update (see README)"
    assert in_catalog - in_code == set(), "stale entries: run pybabel update"


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_translations_keep_placeholders_and_markup(lang: Lang) -> None:
    for message in catalog(lang):
        if not message.id:
            continue
        source = forms(message.id)[-1]  # the plural form names every placeholder
        for translated in forms(message.string):
            assert sorted(set(PLACEHOLDER.findall(translated))) == sorted(
                set(PLACEHOLDER.findall(source))
            ), message.id
            assert sorted(TAG.findall(translated)) == sorted(TAG.findall(source)), message.id
            assert translated != source or not re.search("[a-z]{4}", source), message.id


def test_i18n_loads_the_three_catalogs_without_compiling() -> None:
    i18n = create_i18n()
    assert set(i18n.available_locales) == set(LANGS)
    assert i18n.gettext("This button is out of date.", locale="kk") == "Бұл батырма ескірген."
    assert i18n.gettext("This button is out of date.", locale="ru") == "Эта кнопка устарела."


@pytest.mark.parametrize(
    ("chosen", "telegram", "expected"),
    [
        ("kk", "en", "kk"),
        (None, "kk", "kk"),
        (None, "kz", "kk"),
        (None, "ru-RU", "ru"),
        (None, "en-GB", "en"),
        (None, "de", "ru"),
        (None, None, "ru"),
        ("xx", "en", "en"),
    ],
)
def test_locale_resolution(chosen: str | None, telegram: str | None, expected: Lang) -> None:
    assert resolve_locale(chosen, telegram) == expected


def test_supported() -> None:
    assert supported("uk") is None
    assert supported("EN") == "en"


def test_dates_and_times_in_each_language() -> None:
    tz = ZoneInfo("Asia/Almaty")
    start = datetime(2026, 12, 10, 5, 0, tzinfo=ZoneInfo("UTC"))  # 10:00 in Pavlodar
    end = datetime(2026, 12, 10, 7, 30, tzinfo=ZoneInfo("UTC"))
    assert format_time(start, "en", tz) == "10:00"
    assert format_day(date(2026, 12, 10), "en") == "Thursday, 10 December"
    assert format_day(date(2026, 12, 10), "ru") == "четверг, 10 декабря"
    assert format_day(date(2026, 12, 10), "kk") == "бейсенбі, 10 желтоқсан"
    assert format_when(start, end, "ru", tz) == "четверг, 10 декабря, 10:00–12:30"
    first, last = date(2026, 12, 10), date(2026, 12, 11)
    assert format_date_range(first, last, "en") == "10–11 December 2026"
    assert format_date_range(first, last, "ru") == "10–11 декабря 2026\u202fг."
    assert format_date_range(first, last, "kk") == "2026\u202fж. 10–11 желтоқсан"
    assert format_date_range(date(2026, 11, 30), first, "en") == "30 November – 10 December 2026"


@pytest.mark.parametrize("lang", LANGS)
def test_a_time_of_day_reads_as_babel_writes_it_in_each_language(lang: Lang) -> None:
    """format_time writes the time itself; Babel's "HH:mm" is what it must say, every minute."""
    from babel.dates import format_time as babel_time

    from bot.formatting import LOCALES

    tz = ZoneInfo("Asia/Almaty")
    start = datetime(2026, 12, 9, 19, 0, tzinfo=ZoneInfo("UTC"))  # midnight in Pavlodar
    for minute in range(24 * 60):
        moment = start + timedelta(minutes=minute)
        expected = babel_time(moment.astimezone(tz), "HH:mm", locale=LOCALES[lang])
        assert format_time(moment, lang, tz) == expected


def test_time_does_not_depend_on_the_process_timezone(monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    tz = ZoneInfo("Asia/Almaty")
    start = datetime(2026, 12, 10, 5, 0, tzinfo=ZoneInfo("UTC"))
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        assert format_time(start, "kk", tz) == "10:00"
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
