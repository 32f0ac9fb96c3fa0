"""Messages the bot sends on its own initiative, rendered in each recipient's language and
queued in the outbox; the delivery sender takes them out at Telegram's pace."""

from __future__ import annotations

from collections.abc import Callable

from aiogram.utils.i18n import I18n

from bot.clock import Clock
from bot.i18n import locale_of
from bot.program.holder import ProgramHolder
from bot.services.people import PeopleService
from bot.services.signups import SignupService
from bot.storage.outbox import NewMessage, OutboxRepository, Payload
from bot.views import signups as views


class Notifier:
    def __init__(
        self,
        i18n: I18n,
        people: PeopleService,
        programs: ProgramHolder,
        signups: SignupService,
        outbox: OutboxRepository,
        clock: Clock,
        wake_sender: Callable[[], None],
    ) -> None:
        self._i18n = i18n
        self._people = people
        self._programs = programs
        self._signups = signups
        self._outbox = outbox
        self._clock = clock
        self._wake_sender = wake_sender

    async def seats_granted(self, promoted: dict[str, tuple[int, ...]]) -> None:
        """Tell each person promoted from a waitlist, once, with the event's card."""
        program = self._programs.current
        messages = []
        for event_id, person_ids in promoted.items():
            event = program.events_by_id.get(event_id)
            if event is None:
                continue
            for person_id in person_ids:
                person = await self._people.get(person_id)
                if person is None:
                    continue
                lang = locale_of(person)
                state = await self._signups.state(person_id, event)
                if state.signup is None or state.signup.status != "seat":
                    continue
                with self._i18n.context(), self._i18n.use_locale(lang):
                    text, markup = views.seat_granted(program, event, lang, state)
                messages.append(
                    NewMessage(
                        person_id=person_id,
                        kind="promotion",
                        payload=Payload(text, markup.model_dump(exclude_none=True)),
                        # one notice per seat granted: a person who gives the place up and
                        # signs up again has a new sign-up time, so a later promotion is told
                        dedupe=f"promotion:{event_id}:{person_id}:{state.signup.created_at}",
                    )
                )
        if messages:
            await self._outbox.enqueue(messages, self._clock.now())
            self._wake_sender()
