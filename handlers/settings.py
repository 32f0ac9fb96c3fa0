"""/settings: when to be reminded, and whether of the events everyone is reminded of."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot import texts
from bot.callbacks import SettingsCb
from bot.filters import Cmd, Pressed
from bot.program import ProgramHolder
from bot.replies import edit_in_place
from bot.services.reminders import ReminderPlanner
from bot.storage import Person
from bot.views import reminders as views


async def settings_command(
    message: Message, person: Person, programs: ProgramHolder, planner: ReminderPlanner
) -> None:
    text, markup = views.settings(programs.current, await planner.preference(person.id))
    await message.answer(text, reply_markup=markup)


async def settings_pressed(
    query: CallbackQuery,
    callback_data: SettingsCb,
    callback_answer: CallbackAnswer,
    bot: Bot,
    person: Person,
    programs: ProgramHolder,
    planner: ReminderPlanner,
) -> None:
    chosen = await planner.choose(
        person.id, lead=callback_data.lead, everyone=callback_data.everyone
    )
    if chosen is None:
        callback_answer.text = texts.stale_button()
        return
    text, markup = views.settings(programs.current, chosen)
    await edit_in_place(bot, query.message, text, markup)


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(settings_command, Cmd("settings"))
    router.callback_query.register(settings_pressed, Pressed(SettingsCb))
    return router
