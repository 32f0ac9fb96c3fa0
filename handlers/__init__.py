"""aiogram routers, one module per feature, under one private-chats router; the catch-all
router comes last."""

from __future__ import annotations

from aiogram import Router

from bot.filters import PrivateChat


def routers() -> list[Router]:
    # Imported here so that building a dispatcher twice (tests, console) gets fresh routers:
    # a Router may be attached to one parent only.
    from handlers import (
        ask,
        broadcast,
        delegations,
        errors,
        fallback,
        language,
        membership,
        menu,
        organizer,
        places,
        schedule,
        settings,
        signups,
        start,
    )

    # Everything but errors and the catch-all answers private chats only: one check per update
    # here instead of one on each router. Button presses from elsewhere still reach fallback,
    # which answers them (every callback query gets an answer).
    private = Router(name="private chats")
    for observer in (private.message, private.callback_query, private.my_chat_member):
        observer.filter(PrivateChat())
    private.include_routers(
        membership.create_router(),
        start.create_router(),
        language.create_router(),
        menu.create_router(),
        schedule.create_router(),
        places.create_router(),
        signups.create_router(),
        settings.create_router(),
        delegations.create_router(),
        organizer.create_router(),
        broadcast.create_router(),
        ask.create_router(),  # free text: after every command and button
    )
    return [
        errors.create_router(),
        private,
        fallback.create_router(),  # last: whatever nothing else took
    ]
