"""Dates and times in the reader's language (Babel) and the forum's timezone.

Babel is handed a parsed `Locale`, never the language's code: given a code it parses it and
builds a new `Locale` at every call, more than half of a call's time, and a schedule page
formats some forty times and days.

A time of day is the one thing here that reads the same in all three languages (24-hour,
two digits each: the program's own "09:30"), so it is written directly: Babel's pattern
machinery took about 13 µs a time for it, and /now, a card or a list of found events formats
a dozen. tests/test_i18n.py holds it to Babel's "HH:mm" for every minute of the day.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date as babel_date
from babel.dates import format_timedelta

from bot.program.models import LANGS, Lang

# Read-only, built once at import: Babel's locales for the bot's three languages.
LOCALES: dict[Lang, Locale] = {lang: Locale.parse(lang) for lang in LANGS}


def format_time(moment: datetime, lang: Lang, tz: ZoneInfo) -> str:
    """24-hour time as printed in the forum's program: 09:30 (the same in every language)."""
    local = moment.astimezone(tz)
    return f"{local.hour:02d}:{local.minute:02d}"


def format_day(day: date, lang: Lang) -> str:
    """Weekday and date: "Thursday, 10 December" / "четверг, 10 декабря"."""
    return babel_date(day, "EEEE, d MMMM", locale=LOCALES[lang])


def format_weekday(day: date, lang: Lang) -> str:
    """The short weekday: "Thu" / "чт" / "бс"."""
    return babel_date(day, "EEE", locale=LOCALES[lang])


def format_long_date(day: date, lang: Lang) -> str:
    """ "10 декабря 2026 г." / "10 December 2026" / "2026 ж. 10 желтоқсан".

    English takes the day-month order of `format_day` ("Thursday, 10 December"), not the US
    "December 10, 2026" of Babel's `long`: one reader, one order."""
    return babel_date(day, "d MMMM y" if lang == "en" else "long", locale=LOCALES[lang])


def format_date_range(first: date, last: date, lang: Lang) -> str:
    """A span of days with the month and year said once where they are shared."""
    if first == last:
        return format_long_date(first, lang)
    if (first.year, first.month) == (last.year, last.month):
        long_last = format_long_date(last, lang)
        spanned, count = re.subn(
            rf"(?<!\d){last.day}(?!\d)", f"{first.day}–{last.day}", long_last, count=1
        )
        if count:
            return spanned
    return f"{babel_date(first, 'd MMMM', locale=LOCALES[lang])} – {format_long_date(last, lang)}"


def format_when(start: datetime, end: datetime | None, lang: Lang, tz: ZoneInfo) -> str:
    """ "Thursday, 10 December, 10:00–12:00" in the forum's timezone ("…, 10:00" with no end)."""
    if end is None:
        return f"{format_day(start.astimezone(tz).date(), lang)}, {format_time(start, lang, tz)}"
    local_start, local_end = start.astimezone(tz), end.astimezone(tz)
    span = f"{format_time(local_start, lang, tz)}–{format_time(local_end, lang, tz)}"
    if local_end.date() != local_start.date():
        span = f"{format_time(local_start, lang, tz)} – {format_day(local_end.date(), lang)}, "
        span += format_time(local_end, lang, tz)
    return f"{format_day(local_start.date(), lang)}, {span}"


def format_in(seconds: float, lang: Lang) -> str:
    """How long until something happens: "in 1 minute" / "через 1 минуту" / "1 минуттан кейін"."""
    return format_timedelta(timedelta(seconds=seconds), locale=LOCALES[lang], add_direction=True)
