"""Every inline button's callback data, typed. Packed forms stay far below 64 bytes."""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData


class LanguageCb(CallbackData, prefix="lang"):
    code: str  # kk | ru | en; anything else is treated as a stale button
    greet: bool = False  # first contact: answer with the greeting, not just a confirmation


class MenuAction(StrEnum):
    HOME = "home"
    HELP = "help"
    LANGUAGE = "lang"
    CONTACTS = "contacts"


class MenuCb(CallbackData, prefix="m"):
    action: MenuAction
