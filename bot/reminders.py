"""Keeping the scheduler holding the next reminders, and firing them into the delivery queue.

APScheduler (3.x, AsyncIOScheduler, in-memory job store) holds one job per (target, lead) with a
deterministic id and `replace_existing=True`; each job carries only a target key and a lead.
`misfire_grace_time` is the time left until the target starts, on purpose: a reminder whose
time passed while the bot was down still goes out late if the event has not started, and is
dropped if it has (the planner also never plans a started target). Exactly once: each
(person, target, start) is recorded in `reminders_sent` in the same transaction that queues the
message, so a job that runs twice, or a plan made again after a restart, sends nothing twice.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Protocol

from aiogram.utils.i18n import I18n
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.clock import Clock
from bot.i18n import locale_of
from bot.program.holder import ProgramHolder
from bot.services.reminders import Job, ReminderPlanner
from bot.storage.outbox import NewMessage, Payload
from bot.storage.reminders import Due, ReminderRepository
from bot.views import reminders as views

log = logging.getLogger(__name__)

REPLAN_DELAY = 1.0  # seconds: changes that come together are planned for together


class JobHolder(Protocol):
    def hold(self, jobs: Sequence[Job]) -> None:
        """Hold exactly these jobs (others are removed)."""


class Reminders:
    def __init__(
        self,
        planner: ReminderPlanner,
        repo: ReminderRepository,
        programs: ProgramHolder,
        clock: Clock,
        i18n: I18n,
        wake_sender: Callable[[], None],
    ) -> None:
        self._planner = planner
        self._repo = repo
        self._programs = programs
        self._clock = clock
        self._i18n = i18n
        self._wake_sender = wake_sender
        self._holder: JobHolder | None = None
        self._pending: asyncio.Task[None] | None = None
        self._again = False  # asked again while a plan was being made

    def attach(self, holder: JobHolder) -> None:
        self._holder = holder

    async def replan(self) -> list[Job]:
        jobs = await self._planner.plan()
        if self._holder is not None:
            self._holder.hold(jobs)
        return jobs

    def request_replan(self) -> None:
        """A sign-up, a preference or the program changed: plan again in a moment.

        Requests within the moment share one plan; one made while a plan is being read from
        the database gets another after it (the plan under way may have read too early)."""
        if self._pending is None or self._pending.done():
            self._pending = asyncio.create_task(self._replan_soon())
        else:
            self._again = True

    async def _replan_soon(self) -> None:
        while True:
            await asyncio.sleep(REPLAN_DELAY)
            self._again = False
            try:
                await self.replan()
            except Exception:
                log.exception("planning reminders failed")
            if not self._again:
                return

    async def settle(self) -> None:
        """Wait for a requested plan (tests)."""
        if self._pending is not None:
            await self._pending

    def close(self) -> None:
        if self._pending is not None and not self._pending.done():
            self._pending.cancel()

    async def fire(self, target_key: str, lead: int) -> int:
        """The job: record and queue the reminder for everyone due; how many were new."""
        due = await self._planner.due(target_key, lead)
        if due is None:
            return 0
        target, people, holders = due
        program = self._programs.current
        # A late job (a seat taken five minutes before the start, a restart in the window)
        # says how long is really left; a fan-out started early still says the lead.
        left = math.ceil((target.starts_at - self._clock.now()).total_seconds() / 60)
        shown = max(1, min(lead, left))
        items = []
        for person in people:
            lang = locale_of(person)
            with self._i18n.context(), self._i18n.use_locale(lang):
                text, markup = views.reminder(
                    program, target, lang, shown, seat=person.id in holders
                )
            message = NewMessage(
                person_id=person.id,
                kind="reminder",
                payload=Payload(text, markup.model_dump(exclude_none=True) if markup else None),
                dedupe=f"reminder:{person.id}:{target.key}:{target.starts_at.isoformat()}",
            )
            items.append(Due(person.id, target.key, target.starts_at, lead, message))
        added = await self._repo.record_and_queue(items, self._clock.now())
        if added:
            self._wake_sender()
        log.info("reminder %s (%d min): %d queued", target_key, lead, added)
        return added


class ApsJobHolder:
    """The production holder: APScheduler's AsyncIOScheduler, jobs by deterministic id."""

    def __init__(self, reminders: Reminders, clock: Clock) -> None:
        self._reminders = reminders
        self._clock = clock
        self._scheduler = AsyncIOScheduler(timezone="UTC")

    def start(self) -> None:
        if not self._scheduler.running:
            self._scheduler.start()

    def stop(self) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)

    def hold(self, jobs: Sequence[Job]) -> None:
        wanted = {job.id for job in jobs}
        for existing in self._scheduler.get_jobs():
            if existing.id.startswith("remind:") and existing.id not in wanted:
                existing.remove()
        for job in jobs:
            grace = max(1, int((job.starts_at - job.run_at).total_seconds()))
            self._scheduler.add_job(
                self._reminders.fire,
                trigger="date",
                run_date=self._clock.to_system(job.run_at),
                args=[job.target, job.lead],
                id=job.id,
                replace_existing=True,
                misfire_grace_time=grace,
                coalesce=True,
            )

    def held(self) -> list[tuple[str, datetime]]:
        return [(job.id, job.next_run_time) for job in self._scheduler.get_jobs()]


class ManualJobHolder:
    """Holds jobs for a manual clock: `run_due` fires those whose time has come (tests)."""

    def start(self) -> None:
        return None

    def stop(self) -> None:
        return None

    def __init__(self, reminders: Reminders, clock: Clock) -> None:
        self._reminders = reminders
        self._clock = clock
        self.jobs: dict[str, Job] = {}

    def hold(self, jobs: Sequence[Job]) -> None:
        self.jobs = {job.id: job for job in jobs}

    async def run_due(self) -> int:
        now = self._clock.now()
        fired = 0
        for job in sorted(self.jobs.values(), key=lambda job: job.run_at):
            if job.run_at <= now:
                del self.jobs[job.id]
                if now < job.starts_at:  # within the misfire grace: late, but before the start
                    fired += await self._reminders.fire(job.target, job.lead)
        return fired
