"""The factory: settings in, a ready bot + dispatcher + storage out; start-up and shutdown."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from aiogram import Bot, Dispatcher, methods
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.base import BaseSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.exceptions import TelegramAPIError
from aiogram.methods.base import TelegramMethod
from aiogram.utils.i18n import I18n

import handlers
from bot.clock import Clock, ManualClock, ShiftedClock, SystemClock
from bot.commands import set_command_menus
from bot.config import Settings
from bot.delivery import BroadcastReporter, Sender
from bot.delivery.pacing import Pacer, PacingMiddleware
from bot.i18n import PersonI18nMiddleware, create_i18n
from bot.middlewares import (
    AnswerCallbacks,
    InFlight,
    MovingOnEndsDialogues,
    PersonMiddleware,
    Services,
)
from bot.notify import Notifier
from bot.program import Program, ProgramHolder
from bot.reload import ProgramReload
from bot.reminders import ApsJobHolder, ManualJobHolder, Reminders
from bot.retry import RetryMiddleware
from bot.services.answers import Answers
from bot.services.broadcasts import BroadcastService
from bot.services.changes import ProgramChanges
from bot.services.delegations import DelegationService
from bot.services.people import PeopleService
from bot.services.reminders import ReminderPlanner
from bot.services.roles import Roles
from bot.services.signups import SignupService
from bot.session import TelegramSession
from bot.storage import Database, PeopleRepository
from bot.storage.broadcasts import BroadcastRepository
from bot.storage.organizers import OrganizerRepository
from bot.storage.outbox import OutboxRepository
from bot.storage.reminders import ReminderRepository
from bot.storage.signups import SignupRepository
from bot.storage.told import ToldRepository
from bot.views.schedule import ScheduleScreens

log = logging.getLogger(__name__)

# How long shutdown waits for updates being handled before it closes the database anyway.
SHUTDOWN_GRACE_SECONDS = 15.0

# The Bot API methods the bot sends as it answers people and delivers (a test holds this to the
# calls in the code): `App.prepare` builds their schemas before a first press waits for one.
SENT_METHODS: tuple[type[TelegramMethod[Any]], ...] = (
    methods.SendMessage,
    methods.EditMessageText,
    methods.AnswerCallbackQuery,
    methods.SendVenue,
    methods.SendLocation,
    methods.SendDocument,
    methods.SendPhoto,
)


@dataclass(slots=True)
class App:
    settings: Settings
    bot: Bot
    dispatcher: Dispatcher
    db: Database
    programs: ProgramHolder
    i18n: I18n
    people: PeopleService
    signups: SignupService
    clock: Clock
    inflight: InFlight
    outbox: OutboxRepository
    sender: Sender
    broadcasts: BroadcastService
    roles: Roles
    delivery_bot: Bot
    planner: ReminderPlanner
    reminders: Reminders
    jobs: ApsJobHolder | ManualJobHolder
    changes: ProgramChanges
    delegations: DelegationService
    reload: ProgramReload
    answers: Answers
    services: Services

    async def on_startup(self) -> None:
        program = self.programs.current
        log.info(
            "program %s: %d events, %d venues, %d delegations",
            program.forum.id,
            len(program.events),
            len(program.venues),
            len(program.delegations),
        )
        try:
            await set_command_menus(self.bot, self.i18n)
        except TelegramAPIError as exc:
            log.warning("could not set the command menus: %s", exc)
        self.sender.start()
        await self.reload.fill_free_seats()
        self.jobs.start()
        jobs = await self.reminders.replan()
        log.info("%d reminder jobs planned", len(jobs))
        await self.changes.start()

    def prepare(self) -> None:
        """Build now what the first presses and questions would otherwise wait for: aiogram's
        schemas of the requests the bot sends and of their answers, and of the updates it
        receives (built on first use, see bot/deferred_schemas.py), and the index questions
        are answered from."""
        for bot in (self.bot, self.delivery_bot):
            if isinstance(bot.session, TelegramSession):
                bot.session.prepare(SENT_METHODS)
        if isinstance(self.bot.session, TelegramSession):
            # The updates themselves: the first poll that brings any (a long poll waits up to
            # its timeout) would build them, holding every update in it for about 0.2 s.
            self.bot.session.prepare((methods.GetUpdates,))
        self.answers.prepare()

    async def on_shutdown(self) -> None:
        """Let the updates being handled finish, then close the database.

        aiogram stops polling by cancelling it but leaves the tasks of updates already
        received running; without this wait they would meet a closed database.
        """
        if not await self.inflight.wait_idle(SHUTDOWN_GRACE_SECONDS):
            log.warning("%d updates still running at shutdown", self.inflight.active)
        self.jobs.stop()
        self.reminders.close()
        self.changes.close()
        await self.sender.stop()  # the message in flight is sent and recorded first
        if self.delivery_bot is not self.bot:
            await self.delivery_bot.session.close()
        await self.db.close()
        log.info("database closed")

    async def close(self) -> None:
        """Stop the sender, close storage and the HTTP sessions (use without start_polling)."""
        self.jobs.stop()
        self.reminders.close()
        self.changes.close()
        await self.sender.stop()
        await self.db.close()
        await self.bot.session.close()
        if self.delivery_bot is not self.bot:
            await self.delivery_bot.session.close()


def telegram_session(settings: Settings, *, pacer: Pacer | None = None) -> AiohttpSession:
    """A session to the configured Bot API.

    With a pacer it is the session for replies: each message waits for the shared budget, and
    retries on its own (the retry wraps the pacing, so a retry is paced too). Without one it
    is the delivery sender's: the sender paces itself, records every outcome in the outbox
    and schedules its own retries.
    """
    session = TelegramSession(api=TelegramAPIServer.from_base(settings.telegram_api_url))
    if pacer is not None:
        session.middleware(RetryMiddleware())
        session.middleware(PacingMiddleware(pacer))
    return session


def create_bot(token: str, session: BaseSession) -> Bot:
    return Bot(token, session=session, default=DefaultBotProperties(parse_mode=ParseMode.HTML))


async def create_app(
    settings: Settings,
    program: Program,
    *,
    db: Database,
    session: BaseSession | None = None,
    token: str | None = None,
    clock: Clock | None = None,
) -> App:
    """Wire everything together. `db` is opened by the caller, who decides where it lives."""
    if clock is None:
        clock = ShiftedClock(settings.forum_now) if settings.forum_now else SystemClock()
    if token is None:
        token = settings.require_token().get_secret_value()
    pacer = Pacer(rate=settings.delivery_rate)
    bot = create_bot(token, session or telegram_session(settings, pacer=pacer))
    delivery_bot = bot if session is not None else create_bot(token, telegram_session(settings))
    programs = ProgramHolder(program)
    i18n = create_i18n()
    people_repo = PeopleRepository(db)
    people = PeopleService(people_repo, clock)
    inflight = InFlight()
    signup_repo = SignupRepository(db)
    signups = SignupService(signup_repo, programs, clock)
    outbox = OutboxRepository(db)
    roles = Roles(settings, OrganizerRepository(db), programs, clock)
    sender = Sender(delivery_bot, outbox, people, clock, pacer=pacer)
    broadcasts = BroadcastService(
        BroadcastRepository(db), outbox, people_repo, signup_repo, programs, clock, sender.wake
    )
    reporter = BroadcastReporter(
        bot, i18n, people, programs, broadcasts, rate=settings.delivery_rate
    )
    sender.attach(tick=broadcasts.tick, delivered=reporter.delivered)
    reminder_repo = ReminderRepository(db)
    planner = ReminderPlanner(
        people_repo, signup_repo, reminder_repo, programs, clock, rate=settings.delivery_rate
    )
    reminders = Reminders(planner, reminder_repo, programs, clock, i18n, sender.wake)
    # APScheduler fires by the real time; a clock moved by hand (tests) gets jobs run by hand.
    jobs: ApsJobHolder | ManualJobHolder = (
        ManualJobHolder(reminders, clock)
        if isinstance(clock, ManualClock)
        else ApsJobHolder(reminders, clock)
    )
    reminders.attach(jobs)
    signups.on_change(reminders.request_replan)
    people.on_reach_change(reminders.request_replan)
    delegations = DelegationService(people, people_repo, signup_repo, programs, clock)
    delegations.on_change(reminders.request_replan)
    planner.on_change(reminders.request_replan)
    changes = ProgramChanges(
        programs,
        people_repo,
        signup_repo,
        reminder_repo,
        ToldRepository(db),
        clock,
        i18n,
        sender.wake,
        window=settings.change_notice_delay,
    )

    notifier = Notifier(i18n, people, programs, signups, outbox, clock, sender.wake)
    reload = ProgramReload(programs, signups, notifier, changes, reminders)
    answers = Answers(programs)
    services = Services(
        settings=settings,
        programs=programs,
        people=people,
        clock=clock,
        answers=answers,
        screens=ScheduleScreens(),
        signups=signups,
        notifier=notifier,
        reload=reload,
        roles=roles,
        broadcasts=broadcasts,
        reporter=reporter,
        planner=planner,
        delegations=delegations,
    )  # handed to the handler chosen, not carried through the routers (bot/middlewares.py)
    dispatcher = Dispatcher()
    services.setup(dispatcher)
    dispatcher.update.outer_middleware(inflight)
    dispatcher.update.outer_middleware(PersonMiddleware(people))
    PersonI18nMiddleware(i18n).setup(dispatcher)
    dispatcher.callback_query.middleware(AnswerCallbacks())
    moving_on = MovingOnEndsDialogues()
    dispatcher.message.outer_middleware(moving_on)
    dispatcher.callback_query.outer_middleware(moving_on)
    dispatcher.include_routers(*handlers.routers())

    app = App(
        settings=settings,
        bot=bot,
        dispatcher=dispatcher,
        db=db,
        programs=programs,
        i18n=i18n,
        people=people,
        signups=signups,
        clock=clock,
        inflight=inflight,
        outbox=outbox,
        sender=sender,
        broadcasts=broadcasts,
        roles=roles,
        delivery_bot=delivery_bot,
        planner=planner,
        reminders=reminders,
        jobs=jobs,
        changes=changes,
        delegations=delegations,
        reload=reload,
        answers=answers,
        services=services,
    )
    dispatcher.startup.register(app.on_startup)
    dispatcher.shutdown.register(app.on_shutdown)
    return app
