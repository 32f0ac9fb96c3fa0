"""Inline keyboards: pure functions of what they show (testable without a bot)."""

from __future__ import annotations

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from bot import texts
from bot.buttons import Buttons
from bot.callbacks import LanguageCb, MenuAction, MenuCb
from bot.i18n import LANGUAGE_FLAGS, LANGUAGE_NAMES
from bot.program.models import LANGS, Lang


def language_keyboard(current: Lang | None, *, greet: bool = False) -> InlineKeyboardMarkup:
    builder = Buttons()
    for lang in LANGS:
        mark = " ✓" if lang == current else ""
        builder.button(
            text=f"{LANGUAGE_FLAGS[lang]} {LANGUAGE_NAMES[lang]}{mark}",
            callback_data=LanguageCb(code=lang, greet=greet),
        )
    builder.adjust(3)
    return builder.as_markup()


def main_menu() -> InlineKeyboardMarkup:
    builder = Buttons()
    builder.button(text=_("📅 Schedule"), callback_data=MenuCb(action=MenuAction.SCHEDULE))
    builder.button(text=_("⏱ Now"), callback_data=MenuCb(action=MenuAction.NOW))
    builder.button(text=_("📍 Venues"), callback_data=MenuCb(action=MenuAction.WHERE))
    builder.button(text=_("🗂 My agenda"), callback_data=MenuCb(action=MenuAction.MY))
    builder.button(text=_("🧳 Itinerary"), callback_data=MenuCb(action=MenuAction.ITINERARY))
    builder.button(text=_("❓ Help"), callback_data=MenuCb(action=MenuAction.HELP))
    builder.button(text=_("☎️ Contacts"), callback_data=MenuCb(action=MenuAction.CONTACTS))
    builder.button(text=_("🌐 Language"), callback_data=MenuCb(action=MenuAction.LANGUAGE))
    builder.adjust(3, 2, 3)
    return builder.as_markup()


def home_button(builder: Buttons) -> Buttons:
    """The way back to the main menu, last on every screen the menu opens."""
    return builder.button(text=_("« Main menu"), callback_data=MenuCb(action=MenuAction.HOME))


def back_to_menu() -> InlineKeyboardMarkup:
    return home_button(Buttons()).as_markup()


def language_choice(chosen: Lang | None) -> tuple[str, InlineKeyboardMarkup]:
    """What /language shows: the question and a button per language."""
    return texts.language_prompt(), language_keyboard(chosen)
