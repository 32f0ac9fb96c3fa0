"""Delegations through the real Dispatcher: invite links, itineraries, leaders, organizers."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import yaml
from aiogram.methods import (
    EditMessageText,
    SendDocument,
    SendMessage,
    SendPhoto,
    SendVenue,
)
from aiogram.types import Message
from icalendar import Calendar

from bot.callbacks import ItineraryCb, JoinAction, JoinCb, Origin, SignupAction, SignupCb
from bot.clock import ManualClock
from bot.config import Settings
from bot.htmltext import visible_text
from bot.offline import OfflineChat
from bot.program import Program, Text
from bot.services.delegations import Spot, find_item, item_keys, item_spot
from bot.storage import PeopleRepository
from tests.conftest import (
    ORGANIZER_ID,
    SAMPLE_PROGRAM,
    Offline,
    chat_menu,
    labels,
    only,
    with_itinerary,
)


async def delegation_of(offline: Offline, person_id: int) -> str | None:
    person = await PeopleRepository(offline.app.db).get(person_id)
    assert person is not None
    return person.delegation_id


async def open_invite(chat: OfflineChat, code: str) -> SendMessage:
    """Open an invite link: the bot's answer after the greeting."""
    sent = [r for r in await chat.send(f"/start d-{code}") if isinstance(r, SendMessage)]
    return sent[-1]


async def test_joining_by_invite_link_asks_first_then_links(
    offline: Offline, sample_program: Program
) -> None:
    omsk = sample_program.delegations_by_id["omsk"]
    chat = offline.chat(language_code="ru")
    prompt = await open_invite(chat, omsk.join_code)
    assert omsk.contact is not None
    assert visible_text(prompt.text).splitlines() == [
        f"Вступить в делегацию {omsk.name.ru} ({omsk.origin.ru})?",
        "",
        f"☎️ {omsk.contact.ru}",  # the liaison, who knows whether this is one's delegation
    ]
    assert await delegation_of(offline, chat.user.id) is None  # nothing before the answer
    shown = await chat.press_button("Да, вступить")
    assert visible_text(only(shown, EditMessageText).text).startswith("✅ Вы в делегации")
    assert await delegation_of(offline, chat.user.id) == "omsk"


async def test_declining_links_nothing(offline: Offline, sample_program: Program) -> None:
    chat = offline.chat(language_code="en")
    await chat.send(f"/start d-{sample_program.delegations[0].join_code}")
    shown = await chat.press_button("No")
    assert only(shown, EditMessageText).text == "Fine: you did not join."
    assert await delegation_of(offline, chat.user.id) is None


async def test_a_wrong_code_links_nothing_and_guessing_is_slowed(
    offline: Offline, sample_program: Program, clock: ManualClock
) -> None:
    right = sample_program.delegations[0].join_code
    chat = offline.chat(language_code="en")
    for attempt in range(5):
        sent = await chat.send(f"/start d-WRONG{attempt}code")
        assert [r.text for r in sent if isinstance(r, SendMessage)][-1] == (
            "This invite link is not valid. Please check it with your delegation's liaison."
        )
    sent = await chat.send(f"/start d-{right}")
    assert [r.text for r in sent if isinstance(r, SendMessage)][-1] == (
        "Too many wrong invite links. Please try again in an hour, or ask the organizers."
    )
    forged = await chat.press(JoinCb(action=JoinAction.JOIN, code=right).pack())
    assert (forged.answer().text or "").startswith("Too many")
    assert await delegation_of(offline, chat.user.id) is None
    clock.advance(timedelta(hours=1, minutes=1))
    await chat.send(f"/start d-{right}")
    await chat.press_button("Yes, join")
    assert await delegation_of(offline, chat.user.id) == sample_program.delegations[0].id


async def test_a_forged_join_button_without_the_code_joins_nothing(offline: Offline) -> None:
    chat = offline.chat(language_code="en")
    await chat.send("/start")
    shown = await chat.press(JoinCb(action=JoinAction.JOIN, code="omsk").pack())
    assert shown.answer().text == (
        "This invite link is not valid. Please check it with your delegation's liaison."
    )
    assert await delegation_of(offline, chat.user.id) is None


async def member(
    offline: Offline,
    delegation_id: str,
    person_id: int = 1001,
    name: str = "Aigerim",
    lang: str = "en",
) -> OfflineChat:
    chat = offline.chat(person_id, first_name=name, language_code=lang)
    await chat.send("/start")
    await offline.app.delegations.link(person_id, delegation_id)
    return chat


async def test_another_delegations_link_says_which_delegation_joining_leaves(
    offline: Offline, sample_program: Program
) -> None:
    omsk = sample_program.delegations_by_id["omsk"]
    nsk = sample_program.delegations_by_id["novosibirsk"]
    chat = offline.chat(language_code="ru")
    await chat.send("/start")
    await offline.app.delegations.link(chat.user.id, "omsk")
    prompt = await open_invite(chat, nsk.join_code)
    assert visible_text(prompt.text).splitlines()[:2] == [
        f"Вступить в делегацию {nsk.name.ru} ({nsk.origin.ru})?",
        f"Вы выйдете из делегации {omsk.name.ru}.",
    ]
    await chat.press_button("Да, вступить")
    assert await delegation_of(offline, chat.user.id) == "novosibirsk"


async def test_ones_own_invite_link_again_offers_the_itinerary_not_joining(
    offline: Offline, sample_program: Program
) -> None:
    omsk = sample_program.delegations_by_id["omsk"]
    chat = await member(offline, "omsk")
    prompt = await open_invite(chat, omsk.join_code)
    assert visible_text(prompt.text) == (
        f"✅ You are already a member of the delegation {omsk.name.en}. "
        "/itinerary shows your days."
    )
    assert labels(prompt.reply_markup) == ["🧳 Itinerary"]
    shown = only(await chat.press_button("Itinerary"), EditMessageText)
    assert visible_text(shown.text).startswith(f"🧳 Itinerary: {omsk.name.en}")


async def test_the_itinerary_merges_items_and_sessions_in_time_order_across_days(
    offline: Offline, sample_program: Program, clock: ManualClock
) -> None:
    chat = await member(offline, "omsk")
    for event_id in ("training-project-mgmt", "mc-storytelling"):
        await chat.press(
            SignupCb(action=SignupAction.JOIN, id=event_id, origin=Origin.LIST).pack()
        )
    omsk = sample_program.delegations_by_id["omsk"]
    clock.set(sample_program.events_by_id["mc-storytelling"].starts_at - timedelta(minutes=1))
    reply = only(await chat.send("/itinerary"), SendMessage)
    lines = visible_text(reply.text).splitlines()
    assert omsk.contact is not None
    assert lines[:2] == [f"🧳 Itinerary: {omsk.name.en}", f"☎️ {omsk.contact.en}"]
    days = [line for line in lines if line.endswith("December")]
    assert days == sorted(days, key=lambda d: int(d.split(" ")[1]))
    assert len(days) >= 3  # arrival day, the forum's two days (and departure)
    timed = [line.removeprefix("▶️ ") for line in lines if line.removeprefix("▶️ ")[:1].isdigit()]
    starts_by_day: list[list[str]] = []
    for line in lines:
        if line in days:
            starts_by_day.append([])
        elif line.removeprefix("▶️ ")[:1].isdigit():
            starts_by_day[-1].append(line.removeprefix("▶️ ")[:5])
    assert all(day == sorted(day) for day in starts_by_day)  # time order within each day
    assert any("🛠 Storytelling for children" in line for line in timed)
    assert any("🎓 Project management" in line for line in timed)
    (highlighted,) = [line for line in lines if line.startswith("▶️ ") and line[3:4].isdigit()]
    assert "Storytelling for children" in highlighted  # what is next
    items = len(omsk.itinerary)
    assert len(timed) == items + 2


async def test_the_itinerary_without_a_delegation_says_how_to_join(offline: Offline) -> None:
    chat = offline.chat(language_code="kk")
    reply = only(await chat.send("/itinerary"), SendMessage)
    assert "делегация" in reply.text


async def test_itinerary_pins_and_calendar(offline: Offline, sample_program: Program) -> None:
    chat = await member(offline, "omsk")
    reply = only(await chat.send("/itinerary"), SendMessage)
    pins = [label for label in labels(reply.reply_markup) if label.startswith("📍")]
    assert pins
    first_pin = next(
        button
        for row in reply.reply_markup.inline_keyboard
        for button in row
        if button.text.startswith("📍")
    )
    omsk = sample_program.delegations_by_id["omsk"]
    item = find_item(omsk, ItineraryCb.unpack(str(first_pin.callback_data)).pin or "")
    assert item is not None
    spot = item_spot(sample_program, item)
    assert spot is not None
    shown = await chat.press_button("📍")
    pin = only(shown, SendVenue)
    assert (pin.latitude, pin.longitude) == (spot.lat, spot.lon)  # that item's place
    assert pin.title == item.title.en
    itinerary = itinerary_message(chat)
    shown = await chat.press_button("Add all to calendar", itinerary)
    only(shown, SendDocument)
    sent = offline.session.files[(chat.user.id, chat.last_message().message_id)]
    uids = [str(v["UID"]) for v in Calendar.from_ical(sent.data).walk("VEVENT")]
    assert uids == [f"it-omsk-{key}@{sample_program.forum.id}" for key, _ in item_keys(omsk)]


def pin_label(program: Program, moment: datetime) -> str:
    """An English 📍 button of an itinerary whose pins are on several days: "📍 Wed 16:30"."""
    return f"📍 {moment.astimezone(program.tz):%a %H:%M}"


def itinerary_message(chat: OfflineChat) -> Message:
    """The /itinerary message in the chat, as it stands now."""
    (shown,) = [m for m in chat.messages() if (m.text or "").startswith("🧳")]
    return shown


async def test_an_item_placed_by_coordinates_alone_is_pinned_with_them(
    offline: Offline, sample_program: Program
) -> None:
    omsk = sample_program.delegations_by_id["omsk"]
    arrival = omsk.itinerary[0]
    assert (arrival.lat, arrival.lon) == (52.2799, 76.9717)
    bare = arrival.model_copy(update={"place": None})  # neither place nor venue: a point
    offline.app.programs.swap(with_itinerary(sample_program, "omsk", bare, *omsk.itinerary[1:]))
    chat = await member(offline, "omsk")
    await chat.send("/itinerary")
    pin = only(await chat.press_button(pin_label(sample_program, arrival.starts_at)), SendVenue)
    assert (pin.title, pin.address) == (arrival.title.en, "52.27990, 76.97170")
    shown = chat.last_message().venue  # the pin itself, not an apology
    assert shown is not None and shown.address == "52.27990, 76.97170"


async def test_pin_buttons_name_the_day_when_the_itinerary_spans_several(
    offline: Offline, sample_program: Program
) -> None:
    omsk = sample_program.delegations_by_id["omsk"]
    chat = await member(offline, "omsk", name="Ольга", lang="ru")
    reply = only(await chat.send("/itinerary"), SendMessage)
    pins = [label for label in labels(reply.reply_markup) if label.startswith("📍")]
    assert pins == ["📍 ср 16:30", "📍 ср 17:15", "📍 ср 19:30", "📍 пт 08:45", "📍 сб 09:00"]
    first_day = [item for item in omsk.itinerary if item.starts_at.day == 9]
    offline.app.programs.swap(with_itinerary(sample_program, "omsk", *first_day))
    reply = only(await chat.send("/itinerary"), SendMessage)
    pins = [label for label in labels(reply.reply_markup) if label.startswith("📍")]
    assert pins == ["📍 16:30", "📍 17:15", "📍 19:30"]  # one day: the time says it


async def test_a_long_itinerary_shows_what_is_next_and_pins_only_what_it_shows(
    offline: Offline, sample_program: Program, clock: ManualClock
) -> None:
    omsk = sample_program.delegations_by_id["omsk"]
    arrival = omsk.itinerary[0]  # placed: a 📍 button for each copy
    first = arrival.starts_at
    busy = [
        arrival.model_copy(
            update={
                "starts_at": first + timedelta(hours=2 * number),
                "title": Text.same(f"Stop {number}: " + " ".join(["visit"] * 15)),
                "details": Text.same("A long description. " * 10),
            }
        )
        for number in range(48)  # every two hours for four days
    ]
    offline.app.programs.swap(with_itinerary(sample_program, "omsk", *busy))
    clock.set(first + timedelta(hours=2 * 30, minutes=-30))  # half an hour before stop 30
    chat = await member(offline, "omsk")
    reply = only(await chat.send("/itinerary"), SendMessage)
    lines = visible_text(reply.text).splitlines()
    assert "⏮ 28 earlier entries are not shown." in lines  # from two before the next one
    (marked,) = [line for line in lines if line.startswith("▶️ ") and "Stop" in line]
    assert "Stop 30:" in marked
    stops = [line for line in lines if "Stop" in line]
    assert "Stop 28:" in stops[0]
    assert reply.reply_markup is not None
    buttons = [button for row in reply.reply_markup.inline_keyboard for button in row]
    pins = [button for button in buttons if button.text.startswith("📍")]
    assert len(pins) == len(stops)  # a pin for each entry shown, and for no other
    later = f"⏭ {48 - 28 - len(stops)} more entries later: the 📅 button puts the whole"
    assert any(line.startswith(later) for line in lines)
    pin = only(await chat.press(str(pins[-1].callback_data)), SendVenue)
    assert pin.title == busy[28 + len(stops) - 1].title.en  # the last entry shown


async def test_an_old_pin_button_keeps_its_item_when_a_reload_adds_or_removes_items(
    offline: Offline, sample_program: Program
) -> None:
    chat = await member(offline, "omsk")
    reply = only(await chat.send("/itinerary"), SendMessage)
    omsk = sample_program.delegations_by_id["omsk"]
    last = omsk.itinerary[-1]
    assert item_spot(sample_program, last) is not None
    label = pin_label(sample_program, last.starts_at)
    assert label in labels(reply.reply_markup)
    shown = itinerary_message(chat)
    earlier = omsk.itinerary[0].model_copy(
        update={"starts_at": omsk.itinerary[0].starts_at - timedelta(hours=5), "ends_at": None}
    )
    offline.app.programs.swap(with_itinerary(sample_program, "omsk", earlier, *omsk.itinerary))
    pin = only(await chat.press_button(label, shown), SendVenue)
    assert pin.title == last.title.en  # the same item, though every index moved by one

    offline.app.programs.swap(with_itinerary(sample_program, "omsk", *omsk.itinerary[:-1]))
    gone = await chat.press_button(label, shown)
    assert gone.answer().text == "This button is out of date."
    assert not [r for r in gone if isinstance(r, SendVenue)]


async def test_an_old_pin_button_keeps_its_item_when_another_is_moved_onto_its_minute(
    offline: Offline, sample_program: Program
) -> None:
    chat = await member(offline, "omsk")
    omsk = sample_program.delegations_by_id["omsk"]
    arrival, transfer, check_in, *rest = omsk.itinerary
    assert arrival.lat is not None and check_in.venue == "hotel"
    label = pin_label(sample_program, check_in.starts_at)
    shown = only(await chat.send("/itinerary"), SendMessage)
    assert label in labels(shown.reply_markup)
    shown = itinerary_message(chat)
    # The coach is late: it now arrives in the very minute the hotel check-in starts.
    late = arrival.model_copy(update={"starts_at": check_in.starts_at})
    offline.app.programs.swap(
        with_itinerary(sample_program, "omsk", late, transfer, check_in, *rest)
    )
    pin = only(await chat.press_button(label, shown), SendVenue)
    hotel = sample_program.venues_by_id["hotel"]
    assert pin.title == check_in.title.en  # the hotel, not the bus station
    assert (pin.latitude, pin.longitude) == (hotel.lat, hotel.lon)


async def test_a_moved_item_keeps_its_calendar_uid(
    offline: Offline, sample_program: Program
) -> None:
    chat = await member(offline, "omsk")
    omsk = sample_program.delegations_by_id["omsk"]

    async def exported() -> dict[str, tuple[str, datetime]]:
        """The itinerary's calendar file: each entry's UID and start, by its title."""
        await chat.send("/itinerary")
        await chat.press_button("Add all to calendar")
        sent = offline.session.files[(chat.user.id, chat.last_message().message_id)]
        return {
            str(v["SUMMARY"]): (str(v["UID"]), v.decoded("DTSTART"))
            for v in Calendar.from_ical(sent.data).walk("VEVENT")
        }

    before = await exported()
    arrival, transfer, *rest = omsk.itinerary
    later = timedelta(minutes=40)
    assert transfer.ends_at is not None
    moved = transfer.model_copy(
        update={"starts_at": transfer.starts_at + later, "ends_at": transfer.ends_at + later}
    )
    offline.app.programs.swap(with_itinerary(sample_program, "omsk", arrival, moved, *rest))
    after = await exported()
    title = transfer.title.en
    assert after[title][1] == before[title][1] + later  # the new time...
    assert after[title][0] == before[title][0]  # ...in the entry the calendar app already has
    assert {uid for uid, _ in after.values()} == {uid for uid, _ in before.values()}


async def test_an_old_pin_of_one_of_three_same_transfers_keeps_its_place_when_one_goes(
    offline: Offline, sample_program: Program
) -> None:
    omsk = sample_program.delegations_by_id["omsk"]
    first = next(item for item in omsk.itinerary if item.kind.value == "transfer")
    daily = [
        first.model_copy(
            update={
                "starts_at": first.starts_at + timedelta(days=day),
                "ends_at": None,
                "place": None,
                "venue": None,
                "lat": 52.1 + day / 10,
                "lon": 76.1 + day / 10,
            }
        )
        for day in range(3)
    ]
    rest = [item for item in omsk.itinerary if item is not first]
    offline.app.programs.swap(with_itinerary(sample_program, "omsk", *daily, *rest))
    chat = await member(offline, "omsk")
    await chat.send("/itinerary")
    shown = itinerary_message(chat)
    grown = offline.app.programs.current.delegations_by_id["omsk"]
    key = next(key for key, item in item_keys(grown) if item is daily[1])
    data = ItineraryCb(pin=key).pack()
    assert shown.reply_markup is not None
    assert data in [b.callback_data for row in shown.reply_markup.inline_keyboard for b in row]
    offline.app.programs.swap(with_itinerary(sample_program, "omsk", *daily[1:], *rest))
    pin = only(await chat.press(data, shown), SendVenue)
    assert (pin.latitude, pin.longitude) == (daily[1].lat, daily[1].lon)  # not the next day's


async def test_a_reload_that_makes_someone_a_leader_gives_them_the_leaders_menu(
    offline: Offline, settings: Settings, tmp_path: Path
) -> None:
    newcomer = offline.chat(4321, language_code="kk")
    await newcomer.send("/start")
    raw = yaml.safe_load(SAMPLE_PROGRAM.read_text(encoding="utf-8"))
    raw["delegations"][0]["leaders"].append(4321)
    path = tmp_path / "forum.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    offline.app.services["settings"] = settings.model_copy(update={"program_file": path})
    shown = await offline.chat(ORGANIZER_ID, language_code="en").send("/reload")
    described = chat_menu(shown, 4321)
    assert "delegation" in described and described["help"] == "Мен не істей аламын"


async def test_a_leader_sees_their_delegation_and_messages_it(
    offline: Offline, sample_program: Program
) -> None:
    first, second = sample_program.delegations[0], sample_program.delegations[1]
    await member(offline, first.id, 2001, name="Aruzhan")
    await member(offline, second.id, 2002, name="Batbayar")
    leader = offline.chat(first.leaders[0], language_code="en")
    roster = only(await leader.send("/delegation"), SendMessage)
    text = visible_text(roster.text)
    assert text.startswith(f"🏛 {first.name.en}: 1 joined")
    assert "Aruzhan" in text and "Batbayar" not in text  # their member, not the other's
    shown = await leader.press_button("Message the delegation")
    prompt = only(shown, SendMessage)
    assert visible_text(prompt.text).startswith(
        f"To: the delegation «{first.name.en}» — 1 person."
    )
    forged = await leader.press(JoinCb(action=JoinAction.MESSAGE, delegation=second.id).pack())
    assert forged.answer().text == "This is for delegation leaders."  # not theirs to address


async def test_leader_tools_are_refused_to_members_and_other_leaders(
    offline: Offline, sample_program: Program
) -> None:
    first, second = sample_program.delegations[0], sample_program.delegations[1]
    plain = await member(offline, first.id, 3001)
    assert only(await plain.send("/delegation"), SendMessage).text == (
        "This is for delegation leaders."
    )
    refused = await plain.press(JoinCb(action=JoinAction.MESSAGE, delegation=first.id).pack())
    assert refused.answer().text == "This is for delegation leaders."
    other_leader = offline.chat(second.leaders[0], language_code="en")
    roster = visible_text(only(await other_leader.send("/delegation"), SendMessage).text)
    assert roster.startswith(f"🏛 {second.name.en}: 0 joined")  # their own, never the other


async def test_organizers_see_links_get_qr_codes_and_link_by_hand(
    offline: Offline, sample_program: Program
) -> None:
    attendee = offline.chat(4001, language_code="en")
    await attendee.send("/start")
    assert only(await attendee.send("/delegations"), SendMessage).text == (
        "This is for the forum's organizers."
    )
    organizer = offline.chat(ORGANIZER_ID, language_code="en")
    overview = visible_text(only(await organizer.send("/delegations"), SendMessage).text)
    first = sample_program.delegations[0]
    assert f"https://t.me/forum_rehearsal_bot?start=d-{first.join_code}" in overview
    shown = await organizer.press_button("QR 1")
    photo = only(shown, SendPhoto)
    assert f"start=d-{first.join_code}" in (photo.caption or "")
    reply = only(await organizer.send(f"/delegations link 4001 {first.id}"), SendMessage)
    assert reply.text == f"4001 is in the delegation «{first.name.en}» now."
    assert await delegation_of(offline, 4001) == first.id
    await organizer.send("/delegations unlink 4001")
    assert await delegation_of(offline, 4001) is None
    bad = only(await organizer.send("/delegations link 4001 atlantis"), SendMessage)
    assert bad.text.startswith("Usage: /delegations link")
    for typed in ("99999999999999999999", "²"):  # not a Telegram ID: told, not an apology
        bad = only(await organizer.send(f"/delegations link {typed} {first.id}"), SendMessage)
        assert bad.text.startswith("Usage: /delegations link")


def test_an_itinerary_item_is_placed_by_its_own_point_else_its_venue(
    sample_program: Program,
) -> None:
    item = next(i for d in sample_program.delegations for i in d.itinerary if i.venue is not None)
    venue = sample_program.venues_by_id[item.venue or ""]
    bare = item.model_copy(update={"lat": None, "lon": None})
    exact = item.model_copy(update={"lat": 52.3, "lon": 76.9})
    nowhere = item.model_copy(update={"lat": None, "lon": None, "venue": None})
    assert item_spot(sample_program, bare) == Spot(venue.lat, venue.lon, venue)
    assert item_spot(sample_program, exact) == Spot(52.3, 76.9, venue)
    assert item_spot(sample_program, nowhere) is None
