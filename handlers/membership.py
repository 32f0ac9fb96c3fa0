"""A person blocking or unblocking the bot (my_chat_member in a private chat)."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import KICKED, MEMBER, ChatMemberUpdatedFilter
from aiogram.types import ChatMemberUpdated

from bot.notify import Notifier
from bot.services.people import PeopleService
from bot.services.signups import SignupService


async def blocked(event: ChatMemberUpdated, people: PeopleService) -> None:
    await people.mark_blocked(event.from_user.id, True)


async def unblocked(
    event: ChatMemberUpdated, people: PeopleService, signups: SignupService, notifier: Notifier
) -> None:
    """Back in line on the waitlists they were passed over on while the bot was blocked."""
    await people.mark_blocked(event.from_user.id, False)
    await notifier.seats_granted(await signups.resume(event.from_user.id))


def create_router() -> Router:
    router = Router(name=__name__)
    router.my_chat_member.register(blocked, ChatMemberUpdatedFilter(member_status_changed=KICKED))
    router.my_chat_member.register(
        unblocked, ChatMemberUpdatedFilter(member_status_changed=MEMBER)
    )
    return router
