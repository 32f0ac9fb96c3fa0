"""Questions in plain words, in any of the three languages."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.types import Message

from bot import texts
from bot.clock import Clock
from bot.filters import Magic
from bot.keyboards import language_choice, main_menu
from bot.program import Lang, ProgramHolder
from bot.replies import send_event_card, send_venue
from bot.services.answers import Answers
from bot.services.schedule import asked_day_index
from bot.services.signups import SignupService
from bot.storage import Person
from bot.views import answers as views
from bot.views import schedule as schedule_views
from bot.views import signups as signup_views
from bot.views.schedule import ScheduleScreens


async def question(
    message: Message,
    bot: Bot,
    lang: Lang,
    programs: ProgramHolder,
    answers: Answers,
    signups: SignupService,
    clock: Clock,
    person: Person,
    screens: ScheduleScreens,
) -> None:
    program = programs.current
    reply = answers.reply(message.text or "", clock.now())
    chat_id = message.chat.id
    if reply.kind == "now":
        screen, keyboard = screens.now(program, lang, clock.now())
        await message.answer(screen, reply_markup=keyboard)
    elif reply.kind == "language":
        prompt, choices = language_choice(person.language)
        await message.answer(prompt, reply_markup=choices)
    elif reply.kind == "agenda":
        agenda, keys = signup_views.agenda(program, await signups.agenda(person.id), lang)
        await message.answer(agenda, reply_markup=keys)
    elif reply.kind == "schedule":
        now = clock.now()
        day, as_asked = asked_day_index(program, now, reply.day)
        note = None if as_asked else schedule_views.not_a_forum_day(program, lang)
        screen, keyboard = screens.screen(program, lang, day, now, note=note)
        await message.answer(screen, reply_markup=keyboard)
    elif reply.kind == "menu":
        name = message.from_user.first_name if message.from_user else ""
        await message.answer(texts.greeting(program, lang, name), reply_markup=main_menu())
    elif reply.kind == "thanks":
        await message.answer(texts.you_are_welcome(), reply_markup=main_menu())
    elif reply.kind == "faq":
        entry = program.faq_by_id[reply.ids[0]]
        venue = program.venues_by_id.get(reply.venue) if reply.venue else None
        room = venue.rooms_by_id.get(reply.room) if venue and reply.room else None
        text, markup = views.faq_answer(entry, lang, venue, room)
        await message.answer(text, reply_markup=markup)
    elif reply.kind == "venue":
        venue = program.venues_by_id[reply.ids[0]]
        room = venue.rooms_by_id.get(reply.room) if reply.room else None
        await send_venue(bot, chat_id, venue, lang, room)
    elif reply.kind == "event" and len(reply.ids) == 1:
        event = program.events_by_id[reply.ids[0]]
        await send_event_card(bot, chat_id, program, event, lang, signups)
    elif reply.kind == "event":
        events = [program.events_by_id[event_id] for event_id in reply.ids]
        text, markup = views.events_found(program, events, lang, reply.more)
        await message.answer(text, reply_markup=markup)
    else:
        text, markup = views.not_found()
        await message.answer(text, reply_markup=markup)


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(question, Magic(F.text & ~F.text.startswith("/")))
    return router
