"""Sign-up buttons (cards, lists, the agenda), /my, and the agenda as one calendar file."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.types import BufferedInputFile, CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot import texts
from bot.calendar import calendar_filename, events_calendar
from bot.callbacks import AgendaCb, MenuAction, MenuCb, Origin, SignupAction, SignupCb
from bot.filters import Cmd, Pressed
from bot.notify import Notifier
from bot.program import Event, Lang, Program, ProgramHolder
from bot.replies import edit_in_place
from bot.services.signups import Outcome, Resolve, SignupService
from bot.storage import Person
from bot.views import schedule as schedule_views
from bot.views import signups as views

RESOLVE = {
    SignupAction.JOIN: Resolve.ASK,
    SignupAction.SWITCH: Resolve.SWITCH,
    SignupAction.BOTH: Resolve.BOTH,
}
REMIND = {SignupAction.REMIND_ON: True, SignupAction.REMIND_OFF: False}


async def signup_pressed(
    query: CallbackQuery,
    callback_data: SignupCb,
    callback_answer: CallbackAnswer,
    bot: Bot,
    lang: Lang,
    person: Person,
    programs: ProgramHolder,
    signups: SignupService,
    notifier: Notifier,
) -> None:
    program = programs.current
    event = program.events_by_id.get(callback_data.id)
    if event is None:
        callback_answer.text = texts.event_gone()
        return
    action, origin = callback_data.action, callback_data.origin
    # A prompt asked from a list comes as a message of its own, answered as a card is: it
    # turns into the event's card, so no live Switch / Keep both stays behind.
    asked_in = Origin.CARD if origin is Origin.LIST else origin
    if action in RESOLVE:
        result = await signups.sign_up(person.id, event.id, RESOLVE[action])
        await notifier.seats_granted(result.promoted)
        if result.outcome is Outcome.CLASH:
            text, markup = views.clash_prompt(program, event, result.clashes, lang, asked_in)
            await _show(bot, query, origin, text, markup)
            return
        callback_answer.text = views.outcome_notice(result, lang)
    elif action is SignupAction.ASK_CANCEL:
        signup = (await signups.state(person.id, event)).signup
        if signup is not None:
            text, markup = views.cancel_prompt(program, event, signup, lang, asked_in)
            await _show(bot, query, origin, text, markup)
            return
        callback_answer.text = texts.stale_button()
    elif action is SignupAction.CANCEL:
        released = await signups.cancel(person.id, event.id)
        await notifier.seats_granted(released.promoted)
        callback_answer.text = (
            views.released_notice() if released.released else texts.stale_button()
        )
    elif action in REMIND:
        done = await signups.set_reminder(person.id, event.id, on=REMIND[action])
        callback_answer.text = (
            views.reminder_notice(REMIND[action]) if done else views.reminder_too_late()
        )
    await _redraw(bot, query, origin, program, event, lang, person, signups)


async def _show(bot: Bot, query: CallbackQuery, origin: Origin, text: str, markup: object) -> None:
    """A prompt replaces a card or the agenda in place; under a list it comes as a new message."""
    if origin is Origin.LIST:
        await bot.send_message(query.from_user.id, text, reply_markup=markup)  # type: ignore[arg-type]
    else:
        await edit_in_place(bot, query.message, text, markup)  # type: ignore[arg-type]


async def _redraw(
    bot: Bot,
    query: CallbackQuery,
    origin: Origin,
    program: Program,
    event: Event,
    lang: Lang,
    person: Person,
    signups: SignupService,
) -> None:
    """Show the reader's new standing where they pressed (a list keeps its look)."""
    if origin is Origin.CARD:
        state = await signups.state(person.id, event)
        text = schedule_views.event_card(program, event, lang, state=state)
        await edit_in_place(
            bot, query.message, text, schedule_views.event_card_keyboard(event, state)
        )
    elif origin is Origin.AGENDA:
        text, markup = views.agenda(program, await signups.agenda(person.id), lang)
        await edit_in_place(bot, query.message, text, markup)


async def my_command(
    message: Message, lang: Lang, person: Person, programs: ProgramHolder, signups: SignupService
) -> None:
    text, markup = views.agenda(programs.current, await signups.agenda(person.id), lang)
    await message.answer(text, reply_markup=markup)


async def my_from_menu(
    query: CallbackQuery,
    bot: Bot,
    lang: Lang,
    person: Person,
    programs: ProgramHolder,
    signups: SignupService,
) -> None:
    text, markup = views.agenda(programs.current, await signups.agenda(person.id), lang)
    await edit_in_place(bot, query.message, text, markup)


async def agenda_calendar(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    bot: Bot,
    lang: Lang,
    person: Person,
    programs: ProgramHolder,
    signups: SignupService,
) -> None:
    program = programs.current
    events = await signups.planned(person.id)
    if not events:
        callback_answer.text = views.nothing_to_add_to_calendar()
        return
    me = await bot.me()
    name = views.agenda_calendar_name()
    data = events_calendar(program, events, lang=lang, bot_username=me.username, name=name)
    document = BufferedInputFile(data, filename=calendar_filename("my-forum-agenda"))
    await bot.send_document(query.from_user.id, document, caption=texts.esc(name))


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(my_command, Cmd("my"))
    router.callback_query.register(my_from_menu, Pressed(MenuCb, F.action == MenuAction.MY))
    router.callback_query.register(signup_pressed, Pressed(SignupCb))
    router.callback_query.register(agenda_calendar, Pressed(AgendaCb, F.calendar))
    return router
