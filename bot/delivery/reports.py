"""The organizer's progress message of a broadcast, edited as the sender works."""

from __future__ import annotations

import asyncio
import logging

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest
from aiogram.utils.i18n import I18n

from bot.i18n import DEFAULT_LOCALE, locale_of
from bot.program.holder import ProgramHolder
from bot.services.broadcasts import BroadcastService, Report
from bot.services.people import PeopleService
from bot.views import broadcasts as views

log = logging.getLogger(__name__)


class BroadcastReporter:
    def __init__(
        self,
        bot: Bot,
        i18n: I18n,
        people: PeopleService,
        programs: ProgramHolder,
        broadcasts: BroadcastService,
        *,
        rate: float,
        every: float = 3.0,
    ) -> None:
        self._bot = bot
        self._i18n = i18n
        self._people = people
        self._programs = programs
        self._broadcasts = broadcasts
        self._rate = rate
        self._every = every
        self._last: dict[int, float] = {}

    async def delivered(self, broadcast_id: int) -> None:
        """After each outcome: edit the report every few seconds, and once at the end."""
        report = await self._broadcasts.report(broadcast_id)
        if report is None:
            return
        finished = await self._broadcasts.finish_if_complete(report)
        now = asyncio.get_running_loop().time()
        if not finished and now - self._last.get(broadcast_id, -self._every) < self._every:
            return
        self._last[broadcast_id] = now
        if finished:
            self._last.pop(broadcast_id, None)
            report = await self._broadcasts.report(broadcast_id) or report
        await self.show(report)

    async def show(self, report: Report) -> None:
        broadcast = report.broadcast
        if broadcast.report_chat is None or broadcast.report_message is None:
            return
        author = await self._people.get(broadcast.author_id)
        lang = locale_of(author) if author else DEFAULT_LOCALE
        with self._i18n.context(), self._i18n.use_locale(lang):
            text, markup = views.progress(self._programs.current, report, lang, self._rate)
        try:
            await self._bot.edit_message_text(
                text=text,
                chat_id=broadcast.report_chat,
                message_id=broadcast.report_message,
                reply_markup=markup,
            )
        except TelegramBadRequest as exc:
            if "message is not modified" not in exc.message:
                log.warning("broadcast %d: report not updated: %s", broadcast.id, exc)
        except TelegramAPIError as exc:
            log.warning("broadcast %d: report not updated: %s", broadcast.id, exc)
