"""Replies more than one feature sends: a message edited in place, an event's card, a venue's
pin, the offer to join a delegation (a deep link and a question reach them too)."""

from __future__ import annotations

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import InaccessibleMessage, InlineKeyboardMarkup, MaybeInaccessibleMessageUnion

from bot.program import Event, Lang, Program, Room, Venue
from bot.services.delegations import DelegationService, JoinCheck
from bot.services.signups import SignupService
from bot.storage import Person
from bot.views import delegations as delegation_views
from bot.views import places as place_views
from bot.views import schedule as schedule_views

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


async def send_event_card(
    bot: Bot, chat_id: int, program: Program, event: Event, lang: Lang, signups: SignupService
) -> None:
    """The card of one event with the reader's standing, as a new message (lists stay put)."""
    state = await signups.state(chat_id, event)
    text = schedule_views.event_card(program, event, lang, state=state)
    await bot.send_message(
        chat_id, text, reply_markup=schedule_views.event_card_keyboard(event, state)
    )


async def send_venue(
    bot: Bot, chat_id: int, venue: Venue, lang: Lang, room: Room | None = None
) -> None:
    """The venue as a native map pin (titled with the room, if any), then directions and rooms."""
    title, address = place_views.pin(venue, lang, room)
    await bot.send_venue(chat_id, venue.lat, venue.lon, title, address)
    await bot.send_message(chat_id, place_views.venue_details(venue, lang, room=room))


async def offer_to_join(
    bot: Bot, chat_id: int, person: Person, code: str, lang: Lang, delegations: DelegationService
) -> None:
    """`/start d-<code>`: ask before linking (saying which delegation joining leaves, or that
    the person is in this one already); a wrong code is counted and explained."""
    check, delegation = await delegations.check_code(person.id, code)
    if check is JoinCheck.TOO_MANY:
        await bot.send_message(chat_id, delegation_views.too_many_codes())
        return
    if delegation is None:
        await bot.send_message(chat_id, delegation_views.unknown_code())
        return
    current = delegations.delegation_of(person)
    if current is not None and current.id == delegation.id:
        text, markup = delegation_views.already_member(delegation, lang)
    else:
        text, markup = delegation_views.join_prompt(delegation, lang, code, leaving=current)
    await bot.send_message(chat_id, text, reply_markup=markup)
