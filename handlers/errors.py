"""The last resort: log the failure and tell the person, in their language."""

from __future__ import annotations

import logging
import sqlite3
from typing import Any

from aiogram import Bot, Router
from aiogram.exceptions import TelegramAPIError, TelegramForbiddenError
from aiogram.types import ErrorEvent
from aiogram.utils.i18n import I18n

from bot import texts
from bot.i18n import locale_from_data

log = logging.getLogger(__name__)


async def on_error(event: ErrorEvent, bot: Bot, i18n: I18n, **data: Any) -> None:
    update = event.update
    if isinstance(event.exception, TelegramForbiddenError):
        log.info("update %d: the person blocked the bot", update.update_id)
        return
    log.error("update %d failed", update.update_id, exc_info=event.exception)
    storage = isinstance(event.exception, sqlite3.OperationalError)  # locked, or disk full
    with i18n.context(), i18n.use_locale(locale_from_data(data)):
        apology = texts.storage_trouble() if storage else texts.something_went_wrong()
    try:
        if update.callback_query is not None:
            await bot.answer_callback_query(update.callback_query.id, apology, show_alert=True)
        elif update.message is not None and update.message.chat.type == "private":
            await bot.send_message(update.message.chat.id, apology)
    except TelegramAPIError as exc:
        log.warning("update %d: could not apologise: %s", update.update_id, exc)


def create_router() -> Router:
    router = Router(name=__name__)
    router.errors.register(on_error)
    return router
