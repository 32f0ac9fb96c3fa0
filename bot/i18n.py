"""Three languages: gettext catalogs for the interface, and the person's locale per update.

The catalogs in `locales/` are `.po` files compiled in memory at start-up, so a fresh checkout
runs without a compile step and a stale `.mo` file can never shadow a newer translation.
"""

from __future__ import annotations

import gettext
import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

from aiogram.types import TelegramObject, User
from aiogram.utils.i18n import I18n, I18nMiddleware
from aiogram.utils.i18n.context import get_i18n
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from bot.program.models import LANGS, Lang

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "messages"
DEFAULT_LOCALE: Lang = "ru"

# Telegram's language_code is an IETF tag ("en", "ru", "kk", "en-GB"); people on Kazakh
# devices sometimes arrive as "kz", which is not a language code but means Kazakh.
_ALIASES: dict[str, Lang] = {"kz": "kk"}

LANGUAGE_NAMES: dict[Lang, str] = {"kk": "Қазақша", "ru": "Русский", "en": "English"}
LANGUAGE_FLAGS: dict[Lang, str] = {"kk": "🇰🇿", "ru": "🇷🇺", "en": "🇬🇧"}


def supported(code: str | None) -> Lang | None:
    """The forum language for a Telegram language_code, or None if it is not one of ours."""
    if not code:
        return None
    primary = code.replace("_", "-").split("-", 1)[0].lower()
    primary = _ALIASES.get(primary, primary)
    for lang in LANGS:
        if lang == primary:
            return lang
    return None


class Speaker(Protocol):
    """Anything that knows a person's languages: a Person, an export row, a group of people."""

    @property
    def language(self) -> str | None: ...  # chosen in the bot

    @property
    def telegram_language(self) -> str | None: ...  # the language_code Telegram sent


def resolve_locale(chosen: str | None, telegram_code: str | None) -> Lang:
    """The person's choice; until they choose, Telegram's language; otherwise Russian."""
    return supported(chosen) or supported(telegram_code) or DEFAULT_LOCALE


class CatalogI18n(I18n):
    """aiogram's I18n reading `.po` catalogs directly (compiled in memory, fuzzy skipped)."""

    @contextmanager
    def context(self) -> Iterator[I18n]:
        # aiogram's `gettext` helpers look up the current *I18n*; a subclass would otherwise
        # register itself under its own context variable, where they never look.
        token = I18n.set_current(self)
        try:
            yield self
        finally:
            I18n.reset_current(token)

    def find_locales(self) -> dict[str, gettext.GNUTranslations]:
        translations: dict[str, gettext.GNUTranslations] = {}
        for lang in LANGS:
            po_path = self.path / lang / "LC_MESSAGES" / f"{self.domain}.po"
            if not po_path.exists():
                continue
            with po_path.open("rb") as handle:
                catalog = read_po(handle, locale=lang, domain=self.domain)
            buffer = io.BytesIO()
            write_mo(buffer, catalog, use_fuzzy=False)
            buffer.seek(0)
            translations[lang] = gettext.GNUTranslations(buffer)
        return translations


@contextmanager
def in_language(lang: str) -> Iterator[None]:
    """Speak `lang` for a moment: for texts made in several languages at once, or in a
    language other than the current reader's (the calendar file, the printed door codes)."""
    with get_i18n().use_locale(lang):
        yield


def in_each_language(render: Callable[[], str]) -> dict[Lang, str]:
    """`render()` in each language of the forum."""
    out: dict[Lang, str] = {}
    for lang in LANGS:
        with in_language(lang):
            out[lang] = render()
    return out


def create_i18n(path: Path = LOCALES_DIR) -> I18n:
    return CatalogI18n(path=path, default_locale=DEFAULT_LOCALE, domain=DOMAIN)


class PersonI18nMiddleware(I18nMiddleware):
    """Sets the locale from the person the PersonMiddleware put into the update's data.

    Handlers also get it as `lang`, typed as one of the forum's languages, and aiogram's `i18n`;
    not the middleware itself, which no handler asks for: every key of the handler data is
    copied at each router an update passes (bot/middlewares.py, `Services`).
    """

    def __init__(self, i18n: I18n) -> None:
        super().__init__(i18n, middleware_key="")  # aiogram adds no key for an empty one

    async def get_locale(self, event: TelegramObject, data: dict[str, Any]) -> str:
        lang = data["lang"] = locale_from_data(data)
        return lang


def locale_of(person: Speaker) -> Lang:
    """The language to speak to a person in: their choice, else Telegram's, else the default."""
    return resolve_locale(person.language, person.telegram_language)


def locale_from_data(data: dict[str, Any]) -> Lang:
    person = data.get("person")
    if person is not None:
        return locale_of(person)
    user: User | None = data.get("event_from_user")
    return resolve_locale(None, user.language_code if user else None)
