"""Broadcasts: who receives one, in which language, when; start, cancel and report."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.i18n import locale_of, supported
from bot.program.holder import ProgramHolder
from bot.program.models import LANGS, Lang, Program
from bot.storage.broadcasts import Broadcast, BroadcastRepository
from bot.storage.outbox import NewMessage, OutboxRepository, Payload
from bot.storage.people import PeopleRepository, Person
from bot.storage.signups import SignupRepository
from bot.telegram_html import html_problem

TEXT_LIMIT = 4096  # a message's text, after its HTML is parsed
CAPTION_LIMIT = 1024  # a photo's caption: every version of a broadcast with a photo


class AudienceKind(StrEnum):
    EVERYONE = "all"
    LANGUAGE = "lang"
    DELEGATION = "deleg"
    EVENT = "event"  # the people with a seat
    WAITLIST = "wait"  # the people waiting for a seat
    SECTION = "section"  # the people with a seat at any event of the section


@dataclass(frozen=True, slots=True)
class Audience:
    kind: AudienceKind
    value: str | None = None  # the language, delegation, event or section id

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind.value, "value": self.value}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Audience:
        return cls(AudienceKind(data["kind"]), data.get("value"))

    def valid_in(self, program: Program) -> bool:
        match self.kind:
            case AudienceKind.EVERYONE:
                return self.value is None
            case AudienceKind.LANGUAGE:
                return self.value in LANGS
            case AudienceKind.DELEGATION:
                return self.value in program.delegations_by_id
            case AudienceKind.EVENT | AudienceKind.WAITLIST:
                event = program.events_by_id.get(self.value or "")
                return event is not None and event.capacity is not None
            case AudienceKind.SECTION:
                return self.value in program.sections_by_id


@dataclass(frozen=True, slots=True)
class Draft:
    audience: Audience
    texts: dict[str, str]  # language -> HTML
    default: Lang  # the text for everyone whose language has no version of its own
    photo: str | None = None
    send_at: datetime | None = None  # None: now
    paid: bool = False

    def text_for(self, lang: Lang) -> str:
        return self.texts.get(lang) or self.texts[self.default]


def too_long_for_a_caption(texts: Mapping[str, str], default: str) -> Lang | None:
    """The first version in another language than `default` too long to be a caption: a
    photo cannot join the draft until it is shortened (None: every one fits)."""
    for code, version in texts.items():
        language = supported(code)
        too_long = html_problem(version, limit=CAPTION_LIMIT) is not None
        if code != default and language is not None and too_long:
            return language
    return None


@dataclass(frozen=True, slots=True)
class Report:
    broadcast: Broadcast
    sent: int
    failed: int
    blocked: int
    cancelled: int
    waiting: int  # pending or on its way

    @property
    def done(self) -> int:
        return self.sent + self.failed + self.blocked + self.cancelled

    def eta_seconds(self, rate: float) -> int:
        return math.ceil(self.waiting / rate) if self.waiting else 0


class BroadcastService:
    def __init__(
        self,
        repo: BroadcastRepository,
        outbox: OutboxRepository,
        people: PeopleRepository,
        signups: SignupRepository,
        programs: ProgramHolder,
        clock: Clock,
        wake_sender: Callable[[], None],
    ) -> None:
        self._repo = repo
        self._outbox = outbox
        self._people = people
        self._signups = signups
        self._programs = programs
        self._clock = clock
        self._wake_sender = wake_sender

    async def recipients(self, audience: Audience) -> list[Person]:
        program = self._programs.current
        everyone = await self._people.reachable()
        match audience.kind:
            case AudienceKind.EVERYONE:
                return everyone
            case AudienceKind.LANGUAGE:
                return [p for p in everyone if locale_of(p) == audience.value]
            case AudienceKind.DELEGATION:
                return [p for p in everyone if p.delegation_id == audience.value]
        if audience.kind is AudienceKind.SECTION:
            events = [e.id for e in program.events if e.section == audience.value]
            status = "seat"
        else:
            events = [audience.value or ""]
            status = "seat" if audience.kind is AudienceKind.EVENT else "waitlist"
        wanted: set[int] = set()
        for event_id in events:
            people = await self._signups.participants(event_id)
            wanted.update(p.person_id for p in people if p.status == status)
        return [p for p in everyone if p.id in wanted]

    async def languages(self, audience: Audience) -> dict[Lang, int]:
        """How many recipients read each language."""
        counted = Counter(locale_of(person) for person in await self.recipients(audience))
        return {lang: counted[lang] for lang in LANGS if counted[lang]}

    async def create(
        self,
        author_id: int,
        draft: Draft,
        report_chat: int | None = None,
        report_message: int | None = None,
    ) -> Broadcast:
        now = self._clock.now()
        texts: dict[str, str] = dict(draft.texts)
        texts["default"] = draft.default
        broadcast = await self._repo.create(
            author_id=author_id,
            audience=draft.audience.to_json(),
            texts=texts,
            photo=draft.photo,
            paid=draft.paid,
            send_at=draft.send_at or now,
            report_chat=report_chat,
            report_message=report_message,
            now=now,
        )
        if broadcast.send_at <= now:
            await self._expand(broadcast)
        return broadcast

    async def tick(self) -> None:
        """Start the scheduled broadcasts whose time has come (the sender calls this)."""
        for broadcast in await self._repo.due(self._clock.now()):
            await self._expand(broadcast)

    async def _expand(self, broadcast: Broadcast) -> None:
        """One outbox row per recipient, in their language; idempotent through dedupe keys."""
        audience = Audience.from_json(broadcast.audience)
        default = broadcast.texts["default"]
        recipients = await self.recipients(audience)
        messages = [
            NewMessage(
                person_id=person.id,
                kind="broadcast",
                payload=Payload(
                    text=broadcast.texts.get(locale_of(person)) or broadcast.texts[default],
                    photo=broadcast.photo,
                ),
                dedupe=f"broadcast:{broadcast.id}:{person.id}",
                broadcast_id=broadcast.id,
                paid=broadcast.paid,
            )
            for person in recipients
        ]
        await self._outbox.enqueue(messages, self._clock.now())
        if await self._repo.start(broadcast.id, len(messages)):
            self._wake_sender()
        if not messages:
            await self._repo.finish(broadcast.id, "done", self._clock.now())

    async def cancel(self, broadcast_id: int) -> bool:
        if not await self._repo.finish(broadcast_id, "cancelled", self._clock.now()):
            return False
        await self._outbox.cancel_broadcast(broadcast_id, self._clock.now())
        return True

    async def report(self, broadcast_id: int) -> Report | None:
        broadcast = await self._repo.get(broadcast_id)
        if broadcast is None:
            return None
        counts = await self._outbox.broadcast_counts(broadcast_id)
        return Report(
            broadcast=broadcast,
            sent=counts.get("sent", 0),
            failed=counts.get("failed", 0),
            blocked=counts.get("blocked", 0),
            cancelled=counts.get("cancelled", 0),
            waiting=counts.get("pending", 0) + counts.get("sending", 0),
        )

    async def finish_if_complete(self, report: Report) -> bool:
        """Mark a broadcast done once nothing of it waits; True the moment that happens."""
        if report.broadcast.status != "sending" or report.waiting:
            return False
        return await self._repo.finish(report.broadcast.id, "done", self._clock.now())

    async def recent(self, limit: int = 10) -> list[Report]:
        reports = []
        for broadcast in await self._repo.recent(limit):
            report = await self.report(broadcast.id)
            if report is not None:
                reports.append(report)
        return reports


def parse_send_time(typed: str, now: datetime, tz: ZoneInfo) -> datetime | None:
    """ "15:30" (the next such time) or "2026-12-10 15:30", in the forum's zone; None if it
    cannot be read or is not in the future."""
    typed = " ".join(typed.replace("T", " ").split())
    local_now = now.astimezone(tz)
    try:
        if len(typed) <= 5:
            clock = datetime.strptime(typed, "%H:%M").time()  # noqa: DTZ007 - zone added below
            moment = datetime.combine(local_now.date(), clock, tzinfo=tz)
            if moment <= local_now:
                moment += timedelta(days=1)
        else:
            naive = datetime.strptime(typed, "%Y-%m-%d %H:%M")  # noqa: DTZ007 - zone added below
            moment = naive.replace(tzinfo=tz)
    except ValueError:
        return None
    return moment if moment > now else None
