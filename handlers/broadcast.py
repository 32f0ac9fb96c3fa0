"""/broadcast, /broadcasts and /organizers. Every step checks the role on the server side:
organizers may write to any audience, delegation leaders to their own delegation only."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aiogram import Bot, F, Router
from aiogram.filters import CommandObject, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message, MessageEntity
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import I18n

from bot import texts
from bot.callbacks import BroadcastAction, BroadcastCb, JoinAction, JoinCb
from bot.clock import Clock
from bot.commands import refresh_chat_menu
from bot.config import Settings
from bot.delivery import BroadcastReporter
from bot.filters import Cmd, Magic, Pressed, RestOfAlbum, user_id_of
from bot.i18n import supported
from bot.program import Lang, Program, ProgramHolder
from bot.replies import edit_in_place
from bot.services.broadcasts import (
    CAPTION_LIMIT,
    TEXT_LIMIT,
    Audience,
    AudienceKind,
    BroadcastService,
    Draft,
    parse_send_time,
    too_long_for_a_caption,
)
from bot.services.people import PeopleService
from bot.services.roles import Removal, Roles
from bot.storage import Person
from bot.telegram_html import html_problem
from bot.views import broadcasts as views
from bot.views import delegations as delegation_views


class Compose(StatesGroup):
    audience = State()
    text = State()  # the main text
    versions = State()  # the versions menu
    version = State()  # a text in another language
    when = State()
    time = State()
    preview = State()


async def _refuse(roles: Roles, person: Person, what: str) -> str:
    roles.refused(person.id, what)
    return texts.organizers_only()


# -- starting ------------------------------------------------------------------------------


async def broadcast_command(
    message: Message,
    state: FSMContext,
    lang: Lang,
    person: Person,
    programs: ProgramHolder,
    roles: Roles,
    broadcasts: BroadcastService,
) -> None:
    await state.clear()
    if await roles.is_organizer(person.id):
        await state.set_state(Compose.audience)
        text, markup = views.audience_menu()
        await message.answer(text, reply_markup=markup)
        return
    led = roles.led_delegations(person.id)
    if not led:
        await message.answer(await _refuse(roles, person, "/broadcast"))
        return
    # A leader writes to their delegation: the audience is settled already.
    audience = Audience(AudienceKind.DELEGATION, led[0].id)
    await ask_for_text(message.answer, state, programs.current, audience, lang, broadcasts)


async def ask_for_text(
    answer: Any,
    state: FSMContext,
    program: Program,
    audience: Audience,
    lang: Lang,
    broadcasts: BroadcastService,
) -> None:
    await state.set_state(Compose.text)
    await state.update_data(audience=audience.to_json(), texts={}, default=lang, paid=False)
    count = len(await broadcasts.recipients(audience))
    await answer(views.ask_text(program, audience, lang, count))


async def message_delegation_pressed(
    query: CallbackQuery,
    callback_data: JoinCb,
    callback_answer: CallbackAnswer,
    bot: Bot,
    state: FSMContext,
    lang: Lang,
    person: Person,
    programs: ProgramHolder,
    roles: Roles,
    broadcasts: BroadcastService,
) -> None:
    """A leader's "Message the delegation" under the roster: checked again on the press."""
    if not roles.leads(person.id, callback_data.delegation):
        roles.refused(person.id, "messaging a delegation")
        callback_answer.text = delegation_views.not_a_leader()
        return
    await state.clear()
    audience = Audience(AudienceKind.DELEGATION, callback_data.delegation)
    await ask_for_text(
        lambda text: bot.send_message(person.id, text),
        state,
        programs.current,
        audience,
        lang,
        broadcasts,
    )


# -- the audience --------------------------------------------------------------------------


async def audience_pressed(
    query: CallbackQuery,
    callback_data: BroadcastCb,
    callback_answer: CallbackAnswer,
    bot: Bot,
    state: FSMContext,
    lang: Lang,
    person: Person,
    programs: ProgramHolder,
    roles: Roles,
    broadcasts: BroadcastService,
) -> None:
    if not await roles.is_organizer(person.id):
        callback_answer.text = await _refuse(roles, person, "a broadcast audience")
        return
    await state.set_state(Compose.audience)
    program = programs.current
    value, _dot, page = callback_data.value.partition(".")  # "<kind>" or "<kind>.<page>"
    try:
        kind = AudienceKind(value) if value else None
    except ValueError:
        callback_answer.text = texts.stale_button()
        return
    if kind is None:
        text, markup = views.audience_menu()
    elif kind is AudienceKind.EVERYONE:
        await ask_for_text(
            lambda t: edit_in_place(bot, query.message, t),
            state,
            program,
            Audience(kind),
            lang,
            broadcasts,
        )
        return
    else:
        text, markup = views.audience_choices(
            program, kind, lang, int(page) if page.isascii() and page.isdigit() else 0
        )
    await edit_in_place(bot, query.message, text, markup)


async def pick_pressed(
    query: CallbackQuery,
    callback_data: BroadcastCb,
    callback_answer: CallbackAnswer,
    bot: Bot,
    state: FSMContext,
    lang: Lang,
    person: Person,
    programs: ProgramHolder,
    roles: Roles,
    broadcasts: BroadcastService,
) -> None:
    kind, _, value = callback_data.value.partition(".")
    try:
        audience = Audience(AudienceKind(kind), value or None)
    except ValueError:
        callback_answer.text = texts.stale_button()
        return
    program = programs.current
    if not audience.valid_in(program):
        callback_answer.text = texts.stale_button()
        return
    if not await roles.may_address(person.id, audience):
        callback_answer.text = await _refuse(roles, person, "a broadcast audience")
        return
    await ask_for_text(
        lambda t: edit_in_place(bot, query.message, t), state, program, audience, lang, broadcasts
    )


# -- the texts -----------------------------------------------------------------------------


# Entities Telegram marks in any text by itself: they are not formatting the writer made.
DETECTED = frozenset(
    {"url", "mention", "hashtag", "cashtag", "bot_command", "email", "phone_number"}
)


def _formatted(entities: list[MessageEntity] | None) -> bool:
    return any(entity.type not in DETECTED for entity in entities or ())


def _typed_html(message: Message) -> str | None:
    """What the organizer wrote, as HTML: formatting made in Telegram (bold, links, ...) comes
    as entities and is turned into tags; otherwise the text is taken as HTML written by hand,
    even where Telegram has marked a link or an @mention in it. When a text has both, Telegram's
    formatting wins and the typed tags are shown as typed (a text formatted in Telegram may
    well mean to show a tag)."""
    if message.text is not None:
        return message.html_text if _formatted(message.entities) else message.text
    if message.caption is not None:
        return message.html_text if _formatted(message.caption_entities) else message.caption
    return None


async def text_received(
    message: Message,
    state: FSMContext,
    lang: Lang,
    person: Person,
    roles: Roles,
) -> None:
    data = await state.get_data()
    if not await _draft_allowed(roles, person, data):
        await state.clear()
        await message.answer(await _refuse(roles, person, "a broadcast text"))
        return
    # Nothing is dropped silently: a file, a video or a sticker (even with a caption) is
    # refused whole, and so is a photo as a version (a broadcast has one photo or none). An
    # album is answered once, for its first message: the others pass by (album_rest).
    if message.media_group_id is not None:
        await state.update_data(album=message.media_group_id)
    current = await state.get_state()
    if current == Compose.version.state and message.text is None:
        await message.answer(views.version_is_text(data["version"]))
        return
    photo = message.photo[-1].file_id if message.photo else None
    if message.text is None and photo is None:
        await message.answer(views.text_or_photo())
        return
    html = _typed_html(message)
    saved: dict[str, str] = dict(data.get("texts", {}))
    default = data.get("default", lang)
    if current not in (Compose.text.state, Compose.version.state) and photo is None:
        photo = data.get("photo")  # a corrected text at a later step is the photo's caption
    with_photo = photo is not None or (current == Compose.version.state and data.get("photo"))
    if html:
        problem = html_problem(html, limit=CAPTION_LIMIT if with_photo else TEXT_LIMIT)
        if problem is not None:
            await message.answer(views.invalid_message(problem))
            return
    if with_photo and current != Compose.version.state:  # every version becomes a caption
        too_long = too_long_for_a_caption(saved, default)
        if too_long is not None:
            await message.answer(views.version_too_long_for_photo(too_long))
            return
    if current == Compose.version.state:
        saved[data["version"]] = html or ""
    else:
        saved[default] = html or ""
        await state.update_data(photo=photo)
    await state.update_data(texts=saved)
    await state.set_state(Compose.versions)
    text, markup = views.versions_menu(saved, default)
    if message.media_group_id is not None and photo is not None:
        text = f"{views.album_first_photo()}\n\n{text}"
    await message.answer(text, reply_markup=markup)


async def album_rest(message: Message) -> None:
    """The later photos of an album: its first message was answered for all of them."""


async def _draft_allowed(roles: Roles, person: Person, data: dict[str, Any]) -> bool:
    audience = data.get("audience")
    if audience is None:
        return False
    return await roles.may_address(person.id, Audience.from_json(audience))


async def step_pressed(
    query: CallbackQuery,
    callback_data: BroadcastCb,
    callback_answer: CallbackAnswer,
    bot: Bot,
    state: FSMContext,
    lang: Lang,
    person: Person,
    settings: Settings,
    programs: ProgramHolder,
    roles: Roles,
    broadcasts: BroadcastService,
    reporter: BroadcastReporter,
) -> None:
    """The buttons after the audience: versions, time, paid, Send and Cancel."""
    data = await state.get_data()
    action = callback_data.action
    if action is BroadcastAction.CANCEL:
        await state.clear()
        await edit_in_place(bot, query.message, views.cancelled())
        return
    if not await _draft_allowed(roles, person, data) or not data.get("texts"):
        callback_answer.text = (
            texts.stale_button()
            if await roles.may_broadcast(person.id)
            else await _refuse(roles, person, "a broadcast step")
        )
        return
    program = programs.current
    version = supported(callback_data.value) if action is BroadcastAction.VERSION else None
    if version is not None:
        await state.set_state(Compose.version)
        await state.update_data(version=version)
        await edit_in_place(bot, query.message, views.ask_version(version))
    elif action is BroadcastAction.TEXTS_DONE:
        await state.set_state(Compose.when)
        text, markup = views.when_menu()
        await edit_in_place(bot, query.message, text, markup)
    elif action is BroadcastAction.LATER:
        await state.set_state(Compose.time)
        await edit_in_place(bot, query.message, views.ask_time(program))
    elif action is BroadcastAction.NOW:
        await state.update_data(send_at=None)
        await _preview(bot, query.from_user.id, state, lang, settings, programs, broadcasts)
    elif action is BroadcastAction.PAID and settings.paid_broadcast:
        await state.update_data(paid=not data.get("paid", False))
        text, markup = await _summary(state, lang, settings, program, broadcasts)
        await edit_in_place(bot, query.message, text, markup)
    elif action is BroadcastAction.SEND and await state.get_state() == Compose.preview.state:
        await state.clear()
        message = query.message
        assert message is not None
        draft = _draft(data, lang)
        created = await broadcasts.create(person.id, draft, message.chat.id, message.message_id)
        report = await broadcasts.report(created.id)
        if report is not None:
            await reporter.show(report)
    else:
        callback_answer.text = texts.stale_button()


def _draft(data: dict[str, Any], lang: Lang) -> Draft:
    send_at = data.get("send_at")
    return Draft(
        audience=Audience.from_json(data["audience"]),
        texts=dict(data["texts"]),
        default=data.get("default", lang),
        photo=data.get("photo"),
        send_at=datetime.fromisoformat(send_at) if send_at else None,
        paid=bool(data.get("paid")),
    )


async def time_received(
    message: Message,
    state: FSMContext,
    lang: Lang,
    person: Person,
    settings: Settings,
    programs: ProgramHolder,
    roles: Roles,
    broadcasts: BroadcastService,
    clock: Clock,
    bot: Bot,
) -> None:
    if not await _draft_allowed(roles, person, await state.get_data()):
        await state.clear()
        await message.answer(await _refuse(roles, person, "a broadcast time"))
        return
    program = programs.current
    moment = parse_send_time(message.text or "", clock.now(), program.tz)
    if moment is None:
        await message.answer(views.bad_time())
        return
    await state.update_data(send_at=moment.isoformat())
    await _preview(bot, message.chat.id, state, lang, settings, programs, broadcasts)


async def _summary(
    state: FSMContext,
    lang: Lang,
    settings: Settings,
    program: Program,
    broadcasts: BroadcastService,
    languages: dict[Lang, int] | None = None,
) -> tuple[str, Any]:
    """Who, when and the buttons; `languages` if the caller has counted the audience."""
    draft = _draft(await state.get_data(), lang)
    if languages is None:
        languages = await broadcasts.languages(draft.audience)
    paid = draft.paid if settings.paid_broadcast else None
    return views.summary(program, draft.audience, lang, languages, draft.send_at, paid=paid)


async def _preview(
    bot: Bot,
    chat_id: int,
    state: FSMContext,
    lang: Lang,
    settings: Settings,
    programs: ProgramHolder,
    broadcasts: BroadcastService,
) -> None:
    """Each version exactly as its readers will get it, then who, when, and Send / Cancel."""
    await state.set_state(Compose.preview)
    draft = _draft(await state.get_data(), lang)
    languages = await broadcasts.languages(draft.audience)
    shown: set[str] = set()
    for code in languages or {draft.default: 0}:
        version = draft.text_for(code)
        if version in shown:
            continue
        shown.add(version)
        if draft.photo is not None:
            await bot.send_photo(chat_id, draft.photo, caption=version or None)
        else:
            await bot.send_message(chat_id, version)
    text, markup = await _summary(state, lang, settings, programs.current, broadcasts, languages)
    await bot.send_message(chat_id, text, reply_markup=markup)


async def cancel_command(message: Message, state: FSMContext) -> None:
    await state.clear()
    await message.answer(views.cancelled())


# -- afterwards ----------------------------------------------------------------------------


async def broadcasts_command(
    message: Message,
    lang: Lang,
    person: Person,
    settings: Settings,
    programs: ProgramHolder,
    roles: Roles,
    broadcasts: BroadcastService,
) -> None:
    if not await roles.is_organizer(person.id):
        await message.answer(await _refuse(roles, person, "/broadcasts"))
        return
    text, markup = views.recent(
        programs.current, await broadcasts.recent(), lang, settings.delivery_rate
    )
    await message.answer(text, reply_markup=markup)


async def stop_pressed(
    query: CallbackQuery,
    callback_data: BroadcastCb,
    callback_answer: CallbackAnswer,
    person: Person,
    roles: Roles,
    broadcasts: BroadcastService,
    reporter: BroadcastReporter,
) -> None:
    number = int(callback_data.value) if callback_data.value.isdigit() else 0
    report = await broadcasts.report(number)
    if report is None:
        callback_answer.text = texts.stale_button()
        return
    if not await roles.may_stop(person.id, report.broadcast.author_id):
        callback_answer.text = await _refuse(roles, person, "stopping a broadcast")
        return
    if await broadcasts.cancel(number):
        callback_answer.text = views.stopped(number)
        report = await broadcasts.report(number) or report
        await reporter.show(report)
    else:
        callback_answer.text = views.not_stoppable(report.broadcast.status)


async def organizers_command(
    message: Message,
    command: CommandObject,
    bot: Bot,
    i18n: I18n,
    person: Person,
    people: PeopleService,
    roles: Roles,
) -> None:
    verb, _, who = (command.args or "").strip().partition(" ")
    if not await roles.may_see_organizers(person.id, changing=bool(verb)):
        roles.refused(person.id, "/organizers")
        await message.answer(views.admins_only())
        return
    if verb in ("add", "remove"):
        target = user_id_of(who)
        if target is None:
            await message.answer(views.telegram_id_needed(verb))
            return
        if verb == "add":
            changed = await roles.add_organizer(target, person.id)
            await message.answer(views.organizer_added(target, changed))
        else:
            removal = await roles.remove_organizer(target, person.id)
            await message.answer(views.organizer_removed(target, removal))
            changed = removal is Removal.REMOVED
        if changed:  # their menu gains or loses the organizers' commands
            await refresh_chat_menu(bot, i18n, people, roles, target)
        return
    admins = sorted(roles.admins)
    added = await roles.added_organizers()
    await message.answer(views.organizers_list(admins, added, manage=roles.is_admin(person.id)))


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(broadcast_command, Cmd("broadcast"))
    router.message.register(broadcasts_command, Cmd("broadcasts"))
    router.message.register(organizers_command, Cmd("organizers"))
    router.message.register(cancel_command, Cmd("cancel"), StateFilter(Compose))
    router.message.register(album_rest, StateFilter(Compose), RestOfAlbum())
    # A text sent at the versions menu, the time choice or the preview is a corrected text:
    # it replaces the first, instead of falling through to the attendees' questions.
    router.message.register(
        text_received,
        StateFilter(
            Compose.text, Compose.version, Compose.versions, Compose.when, Compose.preview
        ),
    )
    router.message.register(time_received, StateFilter(Compose.time), Magic(F.text))
    router.callback_query.register(
        audience_pressed, Pressed(BroadcastCb, F.action == BroadcastAction.AUDIENCE)
    )
    router.callback_query.register(
        pick_pressed, Pressed(BroadcastCb, F.action == BroadcastAction.PICK)
    )
    router.callback_query.register(
        stop_pressed, Pressed(BroadcastCb, F.action == BroadcastAction.STOP)
    )
    router.callback_query.register(step_pressed, Pressed(BroadcastCb))
    router.callback_query.register(
        message_delegation_pressed, Pressed(JoinCb, F.action == JoinAction.MESSAGE)
    )
    return router
