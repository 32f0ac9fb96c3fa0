"""/schedule, /now and the event card with its buttons."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.types import BufferedInputFile, CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot import texts
from bot.calendar import calendar_filename, event_calendar
from bot.callbacks import EventAction, EventCb, MenuAction, MenuCb, ScheduleCb, ScheduleView
from bot.clock import Clock
from bot.filters import Cmd, Pressed
from bot.program import Lang, ProgramHolder
from bot.replies import edit_in_place, send_event_card
from bot.services.schedule import default_day_index
from bot.services.signups import SignupService
from bot.views import places as place_views
from bot.views import schedule as views
from bot.views.schedule import ScheduleScreens


async def schedule_command(
    message: Message, lang: Lang, programs: ProgramHolder, clock: Clock, screens: ScheduleScreens
) -> None:
    program = programs.current
    now = clock.now()
    text, markup = screens.screen(program, lang, default_day_index(program, now), now)
    await message.answer(text, reply_markup=markup)


async def schedule_pressed(
    query: CallbackQuery,
    callback_data: ScheduleCb,
    bot: Bot,
    lang: Lang,
    programs: ProgramHolder,
    clock: Clock,
    screens: ScheduleScreens,
) -> None:
    program = programs.current
    data = callback_data
    if data.view is ScheduleView.KINDS:
        text, markup = views.kinds_menu(data.day, data.kind, data.section)
    elif data.view is ScheduleView.SECTIONS:
        text, markup = views.sections_menu(program, lang, data.day, data.kind, data.section)
    else:
        text, markup = screens.screen(
            program,
            lang,
            data.day,
            clock.now(),
            kind=data.kind,
            section=data.section,
            page=data.page,
        )
    await edit_in_place(bot, query.message, text, markup)


async def now_command(
    message: Message, lang: Lang, programs: ProgramHolder, clock: Clock, screens: ScheduleScreens
) -> None:
    text, markup = screens.now(programs.current, lang, clock.now())
    await message.answer(text, reply_markup=markup)


async def screen_from_menu(
    query: CallbackQuery,
    callback_data: MenuCb,
    bot: Bot,
    lang: Lang,
    programs: ProgramHolder,
    clock: Clock,
    screens: ScheduleScreens,
) -> None:
    """📅 Schedule and ⏱ Now (🔄 Refresh too) from a menu: the screen replaces the menu."""
    program, now = programs.current, clock.now()
    if callback_data.action is MenuAction.NOW:
        text, markup = screens.now(program, lang, now)
    else:
        text, markup = screens.screen(program, lang, default_day_index(program, now), now)
    await edit_in_place(bot, query.message, text, markup)


async def event_pressed(
    query: CallbackQuery,
    callback_data: EventCb,
    callback_answer: CallbackAnswer,
    bot: Bot,
    lang: Lang,
    programs: ProgramHolder,
    signups: SignupService,
) -> None:
    program = programs.current
    event = program.events_by_id.get(callback_data.id)
    if event is None:
        callback_answer.text = texts.event_gone()
        return
    chat_id = query.from_user.id
    if callback_data.action is EventAction.OPEN:
        await send_event_card(bot, chat_id, program, event, lang, signups)
    elif callback_data.action is EventAction.WHERE:
        venue = program.venues_by_id[event.venue]
        room = venue.rooms_by_id.get(event.room) if event.room else None
        title, address = place_views.pin(venue, lang, room)
        await bot.send_venue(chat_id, venue.lat, venue.lon, title, address)
    else:
        me = await bot.me()
        data = event_calendar(program, event, lang=lang, bot_username=me.username)
        document = BufferedInputFile(data, filename=calendar_filename(event.id))
        caption = texts.esc(texts.shorten(event.title.get(lang), 200))
        await bot.send_document(chat_id, document, caption=caption)


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(schedule_command, Cmd("schedule"))
    router.message.register(now_command, Cmd("now"))
    router.callback_query.register(
        screen_from_menu, Pressed(MenuCb, F.action.in_({MenuAction.SCHEDULE, MenuAction.NOW}))
    )
    router.callback_query.register(schedule_pressed, Pressed(ScheduleCb))
    router.callback_query.register(event_pressed, Pressed(EventCb))
    return router
