"""Helpers for answering in place."""

from __future__ import annotations

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import InaccessibleMessage, InlineKeyboardMarkup, MaybeInaccessibleMessageUnion

# Edits Telegram refuses for a message that is too old or gone: answer with a new message.
_CANNOT_EDIT = ("message can't be edited", "message to edit not found")


async def edit_in_place(
    bot: Bot,
    message: MaybeInaccessibleMessageUnion | None,
    text: str,
    reply_markup: InlineKeyboardMarkup | None = None,
) -> None:
    """Replace a message's text and keyboard, so navigation never floods the chat.

    A message too old to edit gets a fresh message instead; an edit that changes nothing
    (a double tap) is not an error.
    """
    if message is None:
        return
    if not isinstance(message, InaccessibleMessage):
        try:
            await bot.edit_message_text(
                text=text,
                chat_id=message.chat.id,
                message_id=message.message_id,
                reply_markup=reply_markup,
            )
            return
        except TelegramBadRequest as exc:
            if "message is not modified" in exc.message:
                return
            if not any(reason in exc.message for reason in _CANNOT_EDIT):
                raise
    await bot.send_message(message.chat.id, text, reply_markup=reply_markup)
