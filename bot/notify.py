"""Messages the bot sends on its own initiative, in each recipient's language.

Until the delivery queue exists (the broadcast issue), they go straight out through the bot's
session, whose retry middleware waits out 429s and retries transient errors.
"""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramForbiddenError
from aiogram.utils.i18n import I18n

from bot.program.holder import ProgramHolder
from bot.services.people import PeopleService
from bot.services.signups import SignupService
from bot.views import signups as views

log = logging.getLogger(__name__)


class Notifier:
    def __init__(
        self,
        bot: Bot,
        i18n: I18n,
        people: PeopleService,
        programs: ProgramHolder,
        signups: SignupService,
    ) -> None:
        self._bot = bot
        self._i18n = i18n
        self._people = people
        self._programs = programs
        self._signups = signups

    async def seats_granted(self, promoted: dict[str, tuple[int, ...]]) -> None:
        """Tell each person promoted from a waitlist, once, with the event's card."""
        program = self._programs.current
        for event_id, person_ids in promoted.items():
            event = program.events_by_id.get(event_id)
            if event is None:
                continue
            for person_id in person_ids:
                person = await self._people.get(person_id)
                if person is None or person.blocked:
                    continue
                lang = self._people.locale_of(person)
                state = await self._signups.state(person_id, event)
                with self._i18n.context(), self._i18n.use_locale(lang):
                    text, markup = views.seat_granted(program, event, lang, state)
                try:
                    await self._bot.send_message(person_id, text, reply_markup=markup)
                except TelegramForbiddenError:
                    await self._people.mark_blocked(person_id, True)
                except TelegramAPIError as exc:
                    log.warning(
                        "could not tell %d about a seat at %s: %s", person_id, event_id, exc
                    )
