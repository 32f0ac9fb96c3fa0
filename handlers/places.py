"""/where, a venue's pin and details, and the nearest venue to a shared location."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot import texts
from bot.callbacks import MenuAction, MenuCb, VenueCb
from bot.filters import Cmd, Magic, Pressed
from bot.program import Lang, ProgramHolder
from bot.replies import edit_in_place, send_venue
from bot.services.schedule import is_far, nearest_venue
from bot.views import places as views


async def where_command(message: Message, lang: Lang, programs: ProgramHolder) -> None:
    text, markup = views.venues_overview(programs.current, lang)
    await message.answer(text, reply_markup=markup)


async def where_from_menu(
    query: CallbackQuery, bot: Bot, lang: Lang, programs: ProgramHolder
) -> None:
    text, markup = views.venues_overview(programs.current, lang)
    await edit_in_place(bot, query.message, text, markup)


async def venue_pressed(
    query: CallbackQuery,
    callback_data: VenueCb,
    callback_answer: CallbackAnswer,
    bot: Bot,
    lang: Lang,
    programs: ProgramHolder,
) -> None:
    venue = programs.current.venues_by_id.get(callback_data.id)
    if venue is None:
        callback_answer.text = texts.stale_button()
        return
    key = callback_data.room
    room = venue.rooms_by_key.get(key) if key is not None else None
    await send_venue(bot, query.from_user.id, venue, lang, room)


async def location_shared(message: Message, bot: Bot, lang: Lang, programs: ProgramHolder) -> None:
    assert message.location is not None  # the filter guarantees it
    venue, meters = nearest_venue(
        programs.current, message.location.latitude, message.location.longitude
    )
    if is_far(meters):  # another city: the venues and how to reach them, not a pin
        text, markup = views.venues_overview(programs.current, lang)
        await message.answer(f"{views.far_away(meters, lang)}\n\n{text}", reply_markup=markup)
        return
    await message.answer(views.nearest(venue, meters, lang))
    title, address = views.pin(venue, lang)
    await bot.send_venue(message.chat.id, venue.lat, venue.lon, title, address)


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(where_command, Cmd("where"))
    router.message.register(location_shared, Magic(F.location))
    router.callback_query.register(where_from_menu, Pressed(MenuCb, F.action == MenuAction.WHERE))
    router.callback_query.register(venue_pressed, Pressed(VenueCb))
    return router
