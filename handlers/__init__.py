"""aiogram routers, one module per feature, in order; the catch-all router comes last.

Every update walks the routers in order until one takes it, and each router it passes costs
about as much as a simple handler (aiogram wraps its middlewares and copies the handler data
at each one). So the routers that take most of the forum's traffic come first: the schedule,
sign-ups, venues, and the questions in plain words (a fifth of what people send). Questions
need only come after the broadcast dialogue, the one place where typed text means something
else; the routers after them take commands and buttons only, which questions never are
(tests/test_quality.py holds them to it). The errors router takes no update and comes after
the catch-all.

The feature routers answer private chats only. Each checks that itself, as a filter on the
router (one cheap check), rather than all of them sitting under one "private chats" router:
that extra level was one more router for every update to walk through, 8% of the instructions
the bot runs in its process for the benchmark's mix (docs/PERFORMANCE.md).
"""

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

    features = [
        schedule.create_router(),
        signups.create_router(),
        places.create_router(),
        broadcast.create_router(),  # its dialogue reads text: before the questions
        ask.create_router(),  # free text; the routers after it take commands and buttons only
        menu.create_router(),
        start.create_router(),
        language.create_router(),
        settings.create_router(),
        delegations.create_router(),
        organizer.create_router(),
        membership.create_router(),
    ]
    # Everything but errors and the catch-all answers private chats only. Button presses from
    # elsewhere still reach fallback, which answers them (every callback query gets an answer).
    for router in features:
        for observer in (router.message, router.callback_query, router.my_chat_member):
            observer.filter(PrivateChat())
    return [
        *features,
        fallback.create_router(),  # last: whatever nothing else took
        errors.create_router(),
    ]
