"""aiogram routers, one module per feature; the catch-all router comes last."""

from __future__ import annotations

from aiogram import Router


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

    return [
        errors.create_router(),
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
        fallback.create_router(),  # last: whatever nothing else took
    ]
