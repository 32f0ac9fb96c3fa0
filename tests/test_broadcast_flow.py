"""Composing broadcasts through the real Dispatcher: who may, what is sent, in which language."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from aiogram.methods import EditMessageText, SendMessage, SendPhoto, SetMyCommands
from aiogram.types import Document, MessageEntity, PhotoSize

from bot.callbacks import BroadcastAction, BroadcastCb
from bot.clock import ManualClock
from bot.htmltext import visible_text
from bot.offline import OfflineChat
from bot.program import Program
from bot.storage import PeopleRepository
from bot.views.broadcasts import PICKS
from tests.conftest import ORGANIZER_ID, Offline, chat_menu, labels, only
from tests.programgen import generate_program

LEADER = 700000101  # leads the first delegation of the sample


async def people(offline: Offline, languages: dict[int, str]) -> None:
    """People who have talked to the bot, each with a chosen language."""
    repo = PeopleRepository(offline.app.db)
    for person_id, lang in languages.items():
        await repo.seen(
            person_id,
            full_name=f"P{person_id}",
            username=None,
            telegram_language=lang,
            now=offline.app.clock.now(),
        )
        await repo.set_language(person_id, lang)  # type: ignore[arg-type]


def sent_to(offline: Offline, person_id: int) -> list[str]:
    return [
        r.text
        for r in offline.session.requests
        if isinstance(r, SendMessage) and r.chat_id == person_id
    ]


async def organizer(offline: Offline) -> OfflineChat:
    chat = offline.chat(ORGANIZER_ID, language_code="en", first_name="Org")
    await chat.send("/language")
    await chat.press_button("English")
    return chat


async def to_everyone(offline: Offline) -> OfflineChat:
    """An organizer with a broadcast to everyone begun: the composer waits for its text."""
    chat = await organizer(offline)
    await chat.send("/broadcast")
    await chat.press_button("Everyone")
    return chat


async def test_compose_preview_and_send_in_each_persons_language(offline: Offline) -> None:
    await people(offline, {1: "kk", 2: "ru", 3: "en", 4: "ru"})
    chat = await organizer(offline)
    menu = only(await chat.send("/broadcast"), SendMessage)
    assert "Who should receive it?" in menu.text
    shown = await chat.press_button("Everyone")
    assert "To: everyone — 5 people." in visible_text(only(shown, EditMessageText).text)
    refused = only(await chat.send("<b>Lunch moves to <i>13:30</b></i>"), SendMessage)
    assert refused.text.startswith("The message cannot be sent as it is: Unmatched end tag")
    versions = only(await chat.send("<b>Lunch</b> moves to 13:30 today."), SendMessage)
    assert labels(versions.reply_markup)[:2] == ["+ 🇰🇿 Қазақша", "+ 🇷🇺 Русский"]
    await chat.press_button("Русский")
    await chat.send("<b>Обед</b> переносится на 13:30.")
    await chat.press_button("Continue")
    assert offline.app.sender is not None
    shown = await chat.press_button("Now")
    previews = [r.text for r in shown if isinstance(r, SendMessage)]
    assert previews[:2] == [
        "<b>Lunch</b> moves to 13:30 today.",
        "<b>Обед</b> переносится на 13:30.",
    ]
    summary = visible_text(previews[2])
    assert "To: everyone" in summary and "People: 5 (kk 1, ru 2, en 2)" in summary
    assert sent_to(offline, 2) == []  # nothing before Send
    shown = await chat.press_button("Send")
    assert visible_text(only(shown, EditMessageText).text).startswith(
        "📣 Broadcast #1 to everyone"
    )
    await offline.app.sender.drain()
    assert sent_to(offline, 1) == ["<b>Lunch</b> moves to 13:30 today."]  # kk: the default
    assert sent_to(offline, 2) == ["<b>Обед</b> переносится на 13:30."]
    assert sent_to(offline, 4) == ["<b>Обед</b> переносится на 13:30."]
    assert sent_to(offline, 3) == ["<b>Lunch</b> moves to 13:30 today."]
    (report,) = [m for m in chat.messages() if (m.text or "").startswith("📣 Broadcast #1")]
    assert report.text is not None and "Sent 5 of 5" in report.text and "✅ Done." in report.text
    assert report.reply_markup is None  # no Stop button once done


async def test_a_photo_with_a_caption(offline: Offline) -> None:
    await people(offline, {1: "ru"})
    chat = await organizer(offline)
    await chat.send("/broadcast")
    await chat.press_button("By language")
    await chat.press_button("Русский")
    photo = [PhotoSize(file_id="photo-1", file_unique_id="p1", width=10, height=10)]
    await chat.feed(chat.message_update(photo=photo, caption="Фото дня"))
    await chat.press_button("Continue")
    shown = await chat.press_button("Now")
    preview = only(shown, SendPhoto)
    assert (preview.photo, preview.caption) == ("photo-1", "Фото дня")
    await chat.press_button("Send")
    await offline.app.sender.drain()
    delivered = [
        r for r in offline.session.requests if isinstance(r, SendPhoto) and r.chat_id == 1
    ]
    assert [(r.photo, r.caption) for r in delivered] == [("photo-1", "Фото дня")]


async def test_a_corrected_text_sent_later_in_the_draft_replaces_the_first(
    offline: Offline,
) -> None:
    await people(offline, {1: "en"})
    chat = await to_everyone(offline)
    await chat.send("Lunch is at 13:00.")
    corrected = only(await chat.send("Lunch is at 13:30."), SendMessage)  # at the versions menu
    assert corrected.text.startswith("Saved.")
    await chat.press_button("Continue")
    shown = await chat.press_button("Now")
    assert next(r.text for r in shown if isinstance(r, SendMessage)) == "Lunch is at 13:30."
    again = only(await chat.send("Lunch is at 14:00."), SendMessage)  # at the preview
    assert again.text.startswith("Saved.")
    await chat.press_button("Continue")
    shown = await chat.press_button("Now")
    assert next(r.text for r in shown if isinstance(r, SendMessage)) == "Lunch is at 14:00."
    await chat.press_button("Send")
    await offline.app.sender.drain()
    assert sent_to(offline, 1) == ["Lunch is at 14:00."]


async def test_a_corrected_caption_keeps_the_photo(offline: Offline) -> None:
    await people(offline, {1: "en"})
    chat = await to_everyone(offline)
    photo = [PhotoSize(file_id="photo-1", file_unique_id="p1", width=10, height=10)]
    await chat.feed(chat.message_update(photo=photo, caption="Photo of the dya"))
    await chat.press_button("Continue")
    await chat.press_button("Now")
    fixed = only(await chat.send("Photo of the day"), SendMessage)  # the caption, corrected
    assert fixed.text.startswith("Saved.")
    await chat.press_button("Continue")
    shown = await chat.press_button("Now")
    assert [(r.photo, r.caption) for r in shown if isinstance(r, SendPhoto)] == [
        ("photo-1", "Photo of the day")
    ]


async def test_a_photo_added_later_is_refused_while_a_version_is_too_long_for_a_caption(
    offline: Offline,
) -> None:
    await people(offline, {1: "en", 2: "ru"})
    chat = await to_everyone(offline)
    await chat.send("Hello")
    await chat.press_button("Русский")
    long = "Очень длинный текст. " * 60  # 1,260 characters: a message, not a caption
    await chat.send(long)
    photo = [PhotoSize(file_id="photo-2", file_unique_id="p2", width=10, height=10)]
    refused = only(await chat.feed(chat.message_update(photo=photo, caption="Hi")), SendMessage)
    assert refused.text.startswith("With a photo, every language's text becomes its caption")
    assert "Русский" in refused.text
    (menu,) = [
        m
        for m in chat.messages()
        if m.reply_markup is not None and "Continue »" in labels(m.reply_markup)
    ]
    await chat.press_button("Continue", menu)  # the versions menu, above the refusal
    (when,) = [m for m in chat.messages() if m.message_id == menu.message_id]
    shown = await chat.press_button("Now", when)  # the draft as it was: two texts, no photo
    assert not [r for r in shown if isinstance(r, SendPhoto)]
    assert {"Hello", long} <= {r.text for r in shown if isinstance(r, SendMessage)}


async def test_the_kazakh_composer_names_a_language_without_hanging_a_case_on_it(
    offline: Offline,
) -> None:
    await people(offline, {1: "ru"})
    chat = offline.chat(ORGANIZER_ID, language_code="kk")
    await chat.send("/broadcast")
    await chat.press_button("Тіл бойынша")
    await chat.press_button("Русский")
    saved = only(await chat.send("Түскі ас 13:30-да."), SendMessage)
    assert saved.text.endswith("қалғандары мәтінді мына тілде алады: Қазақша.")
    await chat.press_button("Жалғастыру")
    shown = await chat.press_button("Қазір")
    summary = visible_text([r for r in shown if isinstance(r, SendMessage)][-1].text)
    assert "тілі Русский болғандарға" in summary  # not «Русский тілінде»


async def test_what_cannot_be_broadcast_is_refused_not_dropped(offline: Offline) -> None:
    await people(offline, {1: "ru"})
    chat = await to_everyone(offline)
    pdf = Document(file_id="doc-1", file_unique_id="d1", file_name="program.pdf")
    refused = only(
        await chat.feed(chat.message_update(document=pdf, caption="Program")), SendMessage
    )
    assert refused.text == (
        "Only text or a photo can be broadcast, so this message was not kept. "
        "Please send text, or a photo with a caption."
    )
    photo = [PhotoSize(file_id="photo-1", file_unique_id="p1", width=10, height=10)]
    await chat.feed(chat.message_update(photo=photo, caption="Photo of the day"))
    await chat.press_button("Русский")
    other = [PhotoSize(file_id="photo-2", file_unique_id="p2", width=10, height=10)]
    refused = only(await chat.feed(chat.message_update(photo=other, caption="Фото")), SendMessage)
    assert refused.text == (
        "A version in another language is text only (the photo, if there is one, is the same "
        "for every language), so this message was not kept. Please send the text in Русский."
    )
    await chat.send("Фото дня")
    await chat.press_button("Continue")
    shown = await chat.press_button("Now")
    previews = {(r.photo, r.caption) for r in shown if isinstance(r, SendPhoto)}
    assert previews == {("photo-1", "Photo of the day"), ("photo-1", "Фото дня")}


async def test_an_album_is_answered_once_and_its_first_photo_kept(offline: Offline) -> None:
    await people(offline, {1: "ru"})
    chat = await to_everyone(offline)

    async def album(group: str, caption: str | None) -> list[SendMessage]:
        replies: list[SendMessage] = []
        for n in range(3):  # Telegram sends an album as messages sharing a media_group_id
            photo = [
                PhotoSize(file_id=f"{group}-{n}", file_unique_id=f"{group}{n}", width=9, height=9)
            ]
            update = chat.message_update(
                photo=photo, caption=caption if n == 0 else None, media_group_id=group
            )
            replies += [r for r in await chat.feed(update) if isinstance(r, SendMessage)]
        return replies

    (saved,) = await album("a", "Фото дня")
    assert visible_text(saved.text).startswith(
        "An announcement carries one photo, so I kept the album's first and left out the others."
    )
    await chat.press_button("Русский")
    (refused,) = await album("b", "Фото")  # a version in another language is text only
    assert refused.text.startswith("A version in another language is text only")
    await chat.send("Фото дня")
    await chat.press_button("Continue")
    shown = await chat.press_button("Now")
    previews = {(r.photo, r.caption) for r in shown if isinstance(r, SendPhoto)}
    assert previews == {("a-0", "Фото дня")}


async def test_hand_written_html_with_a_link_or_mention_keeps_its_tags(offline: Offline) -> None:
    await people(offline, {1: "en", 2: "ru"})
    chat = await to_everyone(offline)
    typed = "<b>Note:</b> the program is at pavlodar-library.example, questions to @forum_help"
    link, mention = typed.index("pavlodar"), typed.index("@forum")
    detected = [
        MessageEntity(type="url", offset=link, length=len("pavlodar-library.example")),
        MessageEntity(type="mention", offset=mention, length=len("@forum_help")),
    ]
    await chat.feed(chat.message_update(text=typed, entities=detected))
    await chat.press_button("Русский")
    # Made bold in Telegram, with a tag typed as well: Telegram's formatting wins.
    bold = [MessageEntity(type="bold", offset=0, length=len("Важно:"))]
    await chat.feed(chat.message_update(text="Важно: <i>сегодня</i>", entities=bold))
    await chat.press_button("Continue")
    shown = await chat.press_button("Now")
    previews = {r.text for r in shown if isinstance(r, SendMessage)}
    assert {typed, "<b>Важно:</b> &lt;i&gt;сегодня&lt;/i&gt;"} < previews
    await chat.press_button("Send")
    await offline.app.sender.drain()
    assert visible_text(sent_to(offline, 1)[0]) == (
        "Note: the program is at pavlodar-library.example, questions to @forum_help"
    )


async def test_a_scheduled_broadcast_waits_for_its_time(
    offline: Offline, clock: ManualClock, sample_program: Program
) -> None:
    await people(offline, {1: "en"})
    chat = await to_everyone(offline)
    await chat.send("Doors open in 15 minutes.")
    await chat.press_button("Continue")
    await chat.press_button("At a time")  # the composer asks for the time
    wrong = only(await chat.send("yesterday-ish"), SendMessage)
    assert wrong.text.startswith("I could not read that time")
    shown = await chat.send("2026-12-10 09:45")
    assert "When: Thursday, 10 December, 09:45" in visible_text(shown[-1].text)  # type: ignore[attr-defined]
    await chat.press_button("Send")
    await offline.app.sender.drain()
    assert sent_to(offline, 1) == []
    clock.set(sample_program.starts_at + timedelta(minutes=75))  # 09:45 in Pavlodar
    await offline.app.sender.drain()
    assert sent_to(offline, 1) == ["Doors open in 15 minutes."]


async def test_a_scheduled_broadcast_stopped_before_its_time_says_nobody_got_it(
    offline: Offline,
) -> None:
    await people(offline, {1: "en", 2: "en", 3: "en"})
    chat = await to_everyone(offline)
    await chat.send("Doors open in 15 minutes.")
    await chat.press_button("Continue")
    await chat.press_button("At a time")  # the composer asks for the time
    await chat.send("2026-12-10 23:00")
    await chat.press_button("Send")
    await chat.send("/broadcasts")
    listing = chat.last_message()
    shown = await chat.press_button("Stop #1", listing)
    assert shown.answer().text == "Broadcast #1 is stopped."
    report = visible_text(only(shown, EditMessageText).text)
    assert "⛔ Stopped before it went out: nobody got it." in report
    assert "Sent 0 of 0" not in report
    again = await chat.press_button("Stop #1", listing)  # the old list's button
    assert again.answer().text == "It has been stopped already."


async def test_stopping_a_broadcast_cancels_what_is_not_sent(offline: Offline) -> None:
    await people(offline, {n: "en" for n in range(1, 6)})
    chat = await to_everyone(offline)
    await chat.send("Hello")
    await chat.press_button("Continue")
    await chat.press_button("Now")
    await chat.press_button("Send")
    listing = only(await chat.send("/broadcasts"), SendMessage)
    assert "Stop #1" in labels(listing.reply_markup)[0]
    shown = await chat.press_button("Stop #1")
    assert shown.answer().text == "Broadcast #1 is stopped."
    await offline.app.sender.drain()
    assert all(sent_to(offline, n) == [] for n in range(1, 6))
    report = await offline.app.broadcasts.report(1)
    assert report is not None and report.cancelled == 6 and report.broadcast.status == "cancelled"


async def test_a_leader_writes_to_their_own_delegation_only(
    offline: Offline, sample_program: Program
) -> None:
    delegation = sample_program.delegations[0]
    assert LEADER in delegation.leaders
    await people(offline, {1: "en", 2: "en"})
    await PeopleRepository(offline.app.db).set_delegation(1, delegation.id)
    leader = offline.chat(LEADER, language_code="en")
    prompt = only(await leader.send("/broadcast"), SendMessage)
    assert visible_text(prompt.text).startswith(
        f"To: the delegation «{delegation.name.en}» — 1 person."
    )
    other = sample_program.delegations[1].id
    forged = await leader.press(
        BroadcastCb(action=BroadcastAction.PICK, value=f"deleg.{other}").pack()
    )
    assert forged.answer().text == "This is for the forum's organizers."
    forged = await leader.press(BroadcastCb(action=BroadcastAction.AUDIENCE, value="all").pack())
    assert forged.answer().text == "This is for the forum's organizers."
    await leader.send("Bus leaves at 8:00 from the hotel.")
    await leader.press_button("Continue")
    await leader.press_button("Now")
    await leader.press_button("Send")
    await offline.app.sender.drain()
    assert sent_to(offline, 1) == ["Bus leaves at 8:00 from the hotel."]
    assert sent_to(offline, 2) == []


async def test_a_command_or_the_main_menu_leaves_an_unfinished_broadcast(
    offline: Offline,
) -> None:
    wifi = "Is there Wi-Fi, and what's the password?"
    leader = offline.chat(LEADER, language_code="en")
    await leader.send("/delegation")
    await leader.press_button("Message the delegation")
    await leader.send("/now")  # changed their mind
    assert wifi in only(await leader.send("wifi password"), SendMessage).text
    chat = await organizer(offline)
    home = chat.last_message()  # the main menu, under the language choice
    await chat.send("/broadcast")
    await chat.press_button("Everyone")
    await chat.press_button("Schedule", home)  # a look at the program: the draft waits
    saved = only(await chat.send("Lunch moves to 13:30."), SendMessage)
    assert "Add a version in another language?" in visible_text(saved.text)
    (page,) = [m for m in chat.messages() if m.message_id == home.message_id]  # edited
    await chat.press_button("« Main menu", page)  # leaving
    assert wifi in only(await chat.send("wifi password"), SendMessage).text
    await chat.send("/broadcast")
    await chat.press_button("Everyone")
    assert only(await chat.send("/cancel"), SendMessage).text == "Cancelled: nothing was sent."
    assert wifi in only(await chat.send("wifi password"), SendMessage).text


async def test_a_command_in_a_photo_caption_leaves_an_unfinished_broadcast_too(
    offline: Offline,
) -> None:
    """Commands are read in captions as in texts (`Cmd`); the composer must not keep a photo
    captioned /help as the broadcast, whatever the order of the routers."""
    chat = await organizer(offline)
    await chat.send("/broadcast")
    await chat.press_button("Everyone")
    photo = [PhotoSize(file_id="photo-1", file_unique_id="p1", width=10, height=10)]
    helped = only(await chat.feed(chat.message_update(photo=photo, caption="/help")), SendMessage)
    assert "/start" in visible_text(helped.text)  # the help, not "Saved. Add a version…"
    wifi = "Is there Wi-Fi, and what's the password?"
    assert wifi in only(await chat.send("wifi password"), SendMessage).text


async def test_an_organizer_added_or_removed_gets_the_menu_of_their_new_role(
    offline: Offline,
) -> None:
    newcomer = offline.chat(777, language_code="ru")
    await newcomer.send("/start")
    admin = await organizer(offline)
    made = chat_menu(await admin.send("/organizers add 777"), 777)
    assert "broadcast" in made and made["help"] == "Что я умею"
    again = await admin.send("/organizers add 777")  # nothing changed: the menu stays
    assert not [r for r in again if isinstance(r, SetMyCommands)]
    unmade = chat_menu(await admin.send("/organizers remove 777"), 777)
    assert "broadcast" not in unmade and unmade["help"] == "Что я умею"


async def test_a_look_at_now_while_writing_keeps_the_draft(
    offline: Offline, clock: ManualClock
) -> None:
    chat = await organizer(offline)
    await chat.send("/now")
    now = chat.last_message()
    await chat.send("/broadcast")
    await chat.press_button("Everyone")
    clock.set(datetime(2026, 12, 10, 11, 10, tzinfo=offline.app.programs.current.tz))
    refreshed = await chat.press_button("🔄 Refresh", now)  # a look at what is on
    assert only(refreshed, EditMessageText).message_id == now.message_id
    saved = only(await chat.send("Lunch moves to 13:30."), SendMessage)
    assert "Add a version in another language?" in visible_text(saved.text)


@pytest.mark.parametrize(
    "data",
    [
        BroadcastCb(action=BroadcastAction.AUDIENCE, value="all").pack(),
        BroadcastCb(action=BroadcastAction.PICK, value="lang.ru").pack(),
        BroadcastCb(action=BroadcastAction.TEXTS_DONE).pack(),
        BroadcastCb(action=BroadcastAction.NOW).pack(),
        BroadcastCb(action=BroadcastAction.SEND).pack(),
        BroadcastCb(action=BroadcastAction.STOP, value="1").pack(),
    ],
)
async def test_an_attendee_reaches_no_step_even_with_forged_buttons(
    offline: Offline, data: str, caplog: pytest.LogCaptureFixture
) -> None:
    await people(offline, {1: "en"})
    attendee = offline.chat(4242, language_code="en")
    assert only(await attendee.send("/broadcast"), SendMessage).text == (
        "This is for the forum's organizers."
    )
    shown = await attendee.press(data)
    assert shown.answer().text in {
        "This is for the forum's organizers.",
        "This button is out of date.",
    }
    assert await offline.app.outbox.counts() == {}
    assert "refused" in caplog.text


async def test_admins_add_organizers_who_then_may_broadcast(offline: Offline) -> None:
    newcomer = offline.chat(777, language_code="en")
    assert only(await newcomer.send("/broadcast"), SendMessage).text == (
        "This is for the forum's organizers."
    )
    assert only(await newcomer.send("/organizers add 777"), SendMessage).text == (
        "Only the admins (ADMIN_IDS) manage organizers."
    )
    admin = await organizer(offline)
    assert only(await admin.send("/organizers add 777"), SendMessage).text == (
        "777 is an organizer now."
    )
    assert "Who should receive it?" in only(await newcomer.send("/broadcast"), SendMessage).text
    listing = only(await admin.send("/organizers"), SendMessage).text
    assert "• 500 (ADMIN_IDS)" in listing and "• 777" in listing
    assert "Add: /organizers add" in listing
    seen = only(await newcomer.send("/organizers"), SendMessage).text  # as /help offers it
    assert "• 500 (ADMIN_IDS)" in seen and "• 777" in seen and "/organizers add" not in seen
    assert only(await newcomer.send("/organizers remove 500"), SendMessage).text == (
        "Only the admins (ADMIN_IDS) manage organizers."
    )
    await admin.send("/organizers remove 777")
    assert only(await newcomer.send("/broadcast"), SendMessage).text == (
        "This is for the forum's organizers."
    )


async def test_adding_and_removing_an_organizer_tells_what_happened(offline: Offline) -> None:
    admin = await organizer(offline)

    async def reply(command: str) -> str:
        text: str = only(await admin.send(command), SendMessage).text
        return text

    assert await reply("/organizers add 777") == "777 is an organizer now."
    assert await reply("/organizers add 777") == (
        "777 is an organizer already: nothing has changed."
    )
    assert await reply(f"/organizers add {ORGANIZER_ID}") == (
        f"{ORGANIZER_ID} is an organizer already: nothing has changed."
    )
    assert await reply("/organizers remove 777") == "777 is not an organizer any more."
    assert await reply("/organizers remove 777") == (
        "777 was not an organizer: nothing has changed."
    )
    assert await reply(f"/organizers remove {ORGANIZER_ID}") == (
        f"{ORGANIZER_ID} is an admin (ADMIN_IDS) and stays an organizer: admins are changed in "
        "the bot's configuration only."
    )
    for typed in ("@aigerim", "99999999999999999999", "²", "-5"):  # not a Telegram ID
        assert await reply(f"/organizers add {typed}") == (
            "A Telegram ID is a number, for example /organizers add 123456789."
        )
    assert "Who should receive it?" in await reply("/broadcast")


async def test_every_event_of_a_big_program_can_be_chosen_as_the_audience(
    offline: Offline,
) -> None:
    program = generate_program(300, seed=1)
    offline.app.programs.swap(program)
    seated = sorted(
        (e for e in program.events if e.capacity is not None), key=lambda e: (e.starts_at, e.id)
    )
    assert len(seated) > 2 * PICKS  # three pages or more
    chat = await organizer(offline)
    await chat.send("/broadcast")
    first = only(await chat.press_button("An event's participants"), EditMessageText)
    lines = visible_text(first.text).splitlines()
    assert lines[2].startswith("1. ") and lines[-1].startswith(f"{PICKS}. ")
    assert f"{PICKS + 1}–{2 * PICKS} »" in labels(first.reply_markup)
    second = only(await chat.press_button(f"{PICKS + 1}–{2 * PICKS} »"), EditMessageText)
    lines = visible_text(second.text).splitlines()
    assert lines[2].startswith(f"{PICKS + 1}. ") and lines[-1].startswith(f"{2 * PICKS}. ")
    assert {f"« 1–{PICKS}", "« Back"} <= set(labels(second.reply_markup))
    third = only(await chat.press_button(f"{2 * PICKS + 1}–"), EditMessageText)
    assert visible_text(third.text).splitlines()[2].startswith(f"{2 * PICKS + 1}. ")
    await chat.press_button(f"« {PICKS + 1}–{2 * PICKS}")  # back to the second page
    forged = BroadcastCb(action=BroadcastAction.AUDIENCE, value="event.999").pack()
    last = only(await chat.press(forged, chat.last_message()), EditMessageText)  # the last page
    assert visible_text(last.text).splitlines()[-1].startswith(f"{len(seated)}. ")
    back = BroadcastCb(action=BroadcastAction.AUDIENCE, value="event.1").pack()
    await chat.press(back, chat.last_message())  # the second page again
    chosen = seated[PICKS]  # number 26, the first on the second page
    shown = only(await chat.press_button(str(PICKS + 1)), EditMessageText)
    assert f"To: the participants of «{chosen.title.en[:20]}" in visible_text(shown.text)
