"""Large valid programs, generated deterministically for property tests and benchmarks.

`generate_program(300)` gives a forum of two days (2026-12-10..11, Asia/Almaty) with 300 events in
20+ rooms of three venues, long titles in Kazakh (with ә ғ қ ң ө ұ ү һ і), Russian and English,
about ten sections, speakers, descriptions, capacities on some events, some cancelled events and a
FAQ; on request, delegations with itineraries as long and wordy as asked (ids and invite codes of
the longest allowed length, names with `<` and `&`). The same seed always gives the same program.
It goes through the real loader, so it obeys every rule of docs/program-format.md (ids, dates, no
overlaps in a room, all three languages).
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import yaml

from bot.program import EventKind, ItineraryKind, Program, parse_program

DAYS = ("2026-12-10", "2026-12-11")
FIRST_HOUR = 8
SLOTS_PER_DAY = 14  # one-hour slots, 08:00..22:00
MIN_ROOMS = 20

# Word stems and endings: inflected forms make the vocabulary as varied as a real program's.
KK_STEMS = (
    "кітапхана",
    "әдебиет",
    "ғылыми",
    "қазақ",
    "өңір",
    "ұлттық",
    "үздік",
    "шаһар",
    "мәдени",
    "тәжірибе",
    "жаңғырту",
    "оқырман",
    "құндылық",
    "бағдарлама",
    "шығармашылық",
    "ақпарат",
    "сауаттылық",
    "өнер",
    "жастар",
    "тұлға",
    "мұра",
    "өлкетану",
    "қолжазба",
    "әріптес",
    "ынтымақтастық",
    "цифрлық",
    "сервис",
    "қор",
    "жоба",
    "баспасөз",
    "ақын",
    "жазушы",
    "көрме",
    "дәстүр",
    "ғасыр",
    "һикая",
    "тәрбие",
    "үйірме",
    "білім",
    "іздеу",
)
KK_ENDINGS = ("", "", "лар", "ның", "ға", "да", "сы", "лары", "мен", "дағы", "ларының")
RU_STEMS = (
    "библиотек",
    "литератур",
    "научн",
    "регион",
    "культур",
    "чтени",
    "читател",
    "цифров",
    "сервис",
    "фонд",
    "проект",
    "наследи",
    "краеведени",
    "рукопис",
    "сотрудничеств",
    "партнерств",
    "молодеж",
    "творчеств",
    "выставк",
    "поэзи",
    "писател",
    "каталог",
    "медиаграмотност",
    "менеджмент",
    "развити",
    "традици",
    "истори",
    "информаци",
    "образовани",
    "исследовани",
)
RU_ENDINGS = ("а", "и", "е", "у", "ой", "ами", "ах", "ов", "ей", "ию", "ия", "ый", "ая", "ых")
EN_WORDS = (
    "library",
    "libraries",
    "literature",
    "scientific",
    "regional",
    "cultural",
    "reading",
    "readers",
    "digital",
    "services",
    "collections",
    "project",
    "heritage",
    "local",
    "history",
    "manuscripts",
    "cooperation",
    "partnership",
    "youth",
    "creative",
    "exhibition",
    "poetry",
    "writers",
    "catalogue",
    "media",
    "literacy",
    "management",
    "development",
    "traditions",
    "information",
    "education",
    "research",
    "community",
    "practice",
    "innovation",
    "archives",
    "preservation",
    "network",
    "dialogue",
    "future",
)
EN_LINKS = ("and", "of", "for", "in", "with", "the")
KK_FIRST = ("Айгерім", "Әсел", "Ғалым", "Қуаныш", "Өмірзақ", "Ұлжан", "Үмітжан", "Іңкәр", "Нұрлан")
RU_FIRST = ("Анна", "Ольга", "Сергей", "Дмитрий", "Елена", "Игорь", "Татьяна", "Павел", "Марина")
LAST = (
    "Жақыпова",
    "Сейітқали",
    "Досмағамбетов",
    "Нұрланқызы",
    "Әбдірахманов",
    "Төлеубаева",
    "Қасымова",
    "Воронцова",
    "Калинина",
    "Мельников",
    "Петренко",
    "Гончаров",
    "Ысқақова",
    "Һадиев",
    "Өтегенов",
    "Үсенова",
)
SYLLABLES = (
    "қа",
    "ба",
    "ер",
    "ғали",
    "сұл",
    "тан",
    "мұ",
    "рат",
    "әли",
    "жан",
    "бек",
    "нұр",
    "ай",
    "гүл",
    "ор",
    "лов",
    "се",
    "мен",
    "ко",
    "вич",
    "тө",
    "лең",
    "үр",
    "һа",
    "дін",
    "ре",
    "пин",
    "ки",
    "за",
    "ров",
)
SURNAME_ENDINGS = ("ов", "ова", "ев", "ева", "ұлы", "қызы", "енко", "ский", "ин", "ина")
KINDS = (
    EventKind.SECTION,
    EventKind.SECTION,
    EventKind.SECTION,
    EventKind.MASTER_CLASS,
    EventKind.MASTER_CLASS,
    EventKind.TRAINING,
    EventKind.TRAINING,
    EventKind.LITERARY_MEETING,
    EventKind.LITERARY_MEETING,
    EventKind.EXCURSION,
    EventKind.PLENARY,
    EventKind.CEREMONY,
    EventKind.BREAK,
    EventKind.OTHER,
)
ID_LIMIT = 32  # ids and invite codes travel in callback data and deep links: the longest allowed
CODE_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"
LEADERS = 700_000_001  # the first delegation's leader; the next one leads the next delegation
FAQ = (
    ("wifi", ("wifi", "интернет", "құпиясөз"), ("вайфай", "пароль"), ("wifi", "password")),
    ("cloakroom", ("гардероб", "киім"), ("гардероб", "куртка"), ("cloakroom", "coat")),
    ("meals", ("түскі ас", "кофе"), ("обед", "кофе-брейк"), ("lunch", "coffee")),
    ("certificates", ("сертификат",), ("сертификат", "диплом"), ("certificate",)),
    ("transport", ("такси", "автобус"), ("такси", "как добраться"), ("taxi", "bus")),
    ("registration", ("тіркеу", "бейдж"), ("регистрация", "бейдж"), ("registration", "badge")),
)


class _Words:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def kk(self) -> str:
        return self.rng.choice(KK_STEMS) + self.rng.choice(KK_ENDINGS)

    def ru(self) -> str:
        return self.rng.choice(RU_STEMS) + self.rng.choice(RU_ENDINGS)

    def en(self) -> str:
        if self.rng.random() < 0.25:
            return self.rng.choice(EN_LINKS)
        return self.rng.choice(EN_WORDS)

    def sentence(self, lang: str, length: int, prefix: str = "") -> str:
        word = {"kk": self.kk, "ru": self.ru, "en": self.en}[lang]
        text = prefix
        while len(text) < length:
            next_word = self.name() if self.rng.random() < 0.08 else word()
            text = f"{text} {next_word}" if text else next_word.capitalize()
        text = text[:length].rstrip()
        return text if text else prefix or word()

    def text(self, length: int, prefix: str = "") -> dict[str, str]:
        return {lang: self.sentence(lang, length, prefix) for lang in ("kk", "ru", "en")}

    def name(self) -> str:
        """A made-up proper name: real programs are full of unique names and places."""
        parts = [self.rng.choice(SYLLABLES) for _ in range(self.rng.randint(2, 3))]
        return "".join(parts).capitalize()

    def person(self) -> str:
        first = self.rng.choice(KK_FIRST + RU_FIRST)
        if self.rng.random() < 0.3:
            return f"{first} {self.rng.choice(LAST)}"
        return f"{first} {self.name()}{self.rng.choice(SURNAME_ENDINGS)}"


def _itinerary(words: _Words, items: int, length: int, venues: list[str]) -> list[dict[str, Any]]:
    """`items` items from the day before the forum to the day after; some start in one minute."""
    rng = words.rng
    first_day = datetime.fromisoformat(DAYS[0]) - timedelta(days=1)
    generated: list[dict[str, Any]] = []
    start = first_day
    for _ in range(items):
        if not generated or rng.random() > 0.1:
            start = first_day + timedelta(
                days=rng.randrange(len(DAYS) + 2), minutes=6 * 60 + 5 * rng.randrange(17 * 12)
            )
        item: dict[str, Any] = {
            "kind": rng.choice(tuple(ItineraryKind)).value,
            "title": words.text(length),
            "starts_at": start.isoformat(timespec="minutes"),
        }
        if rng.random() < 0.6:
            end = start + timedelta(minutes=rng.choice((15, 40, 90, 600)))
            item["ends_at"] = end.isoformat(timespec="minutes")
        where = rng.random()
        if where < 0.4:
            item["place"] = words.text(length)
        elif where < 0.7:
            item["venue"] = rng.choice(venues)
        if rng.random() < 0.5:
            item["lat"] = round(52.2 + rng.random() / 10, 5)
            item["lon"] = round(76.9 + rng.random() / 10, 5)
        if rng.random() < 0.6:
            item["details"] = words.text(length)
        generated.append(item)
    return generated


def _delegations(
    words: _Words, itineraries: Sequence[int], length: int, venues: list[str]
) -> list[dict[str, Any]]:
    rng = words.rng
    return [
        {
            "id": f"delegation-{n + 1:04d}".ljust(ID_LIMIT, "_"),
            "name": words.text(length, prefix=f"«{words.name()} & <{words.name()}>»"),
            "origin": words.text(length),
            "join_code": f"{n + 1:04d}".ljust(ID_LIMIT, rng.choice(CODE_ALPHABET)),
            "leaders": [LEADERS + n],
            "contact": words.text(80),
            "itinerary": _itinerary(words, items, length, venues),
        }
        for n, items in enumerate(itineraries)
    ]


def generate_data(
    events: int = 300, *, seed: int = 1, title_length: int = 180, delegations: Sequence[int] = ()
) -> dict[str, Any]:
    """The program as the dict a YAML file would hold.

    `delegations` gives the length of each delegation's itinerary: `(90, 0)` makes two delegations,
    the first with 90 items. Their texts are `title_length` characters long, like the titles."""
    rng = random.Random(seed)
    words = _Words(rng)
    rooms_needed = max(MIN_ROOMS, math.ceil(events / (SLOTS_PER_DAY * len(DAYS))))
    venues: list[dict[str, Any]] = []
    rooms: list[tuple[str, str]] = []
    per_venue = math.ceil(rooms_needed / 3)
    for v in range(3):
        venue_id = f"venue-{v + 1}"
        venue_rooms = []
        for r in range(per_venue):
            room_id = f"room-{v + 1}-{r + 1:02d}"
            venue_rooms.append(
                {
                    "id": room_id,
                    "name": words.text(24, prefix=f"{r + 1}"),
                    "floor": 1 + r % 4,
                }
            )
            rooms.append((venue_id, room_id))
        venues.append(
            {
                "id": venue_id,
                "name": words.text(60),
                "address": {
                    "kk": f"Павлодар қ., Сәтбаев көшесі, {10 + v}",
                    "ru": f"г. Павлодар, ул. Сатпаева, {10 + v}",
                    "en": f"{10 + v} Satpayev Street, Pavlodar",
                },
                "lat": 52.28 + v / 1000,
                "lon": 76.95 + v / 1000,
                "directions": words.text(120),
                "rooms": venue_rooms,
            }
        )
    sections = [
        {"id": f"section-{n + 1:02d}", "title": words.text(max(40, title_length // 2))}
        for n in range(10)
    ]
    total_slots = SLOTS_PER_DAY * len(DAYS)
    used_slots = math.ceil(events / len(rooms))
    generated: list[dict[str, Any]] = []
    for n in range(events):
        venue_id, room_id = rooms[n % len(rooms)]
        # Spread each room's events over both days.
        slot = (n // len(rooms)) * total_slots // used_slots
        day = DAYS[slot // SLOTS_PER_DAY]
        start = datetime.fromisoformat(f"{day}T{FIRST_HOUR:02d}:00") + timedelta(
            hours=slot % SLOTS_PER_DAY
        )
        end = start + timedelta(minutes=rng.choice((30, 45, 50, 60)))
        kind = rng.choice(KINDS)
        event: dict[str, Any] = {
            "id": f"ev-{n + 1:04d}",
            "kind": kind.value,
            "title": words.text(title_length),
            "description": words.text(rng.randint(80, 300)),
            "starts_at": start.isoformat(timespec="minutes"),
            "ends_at": end.isoformat(timespec="minutes"),
            "venue": venue_id,
            "room": room_id,
        }
        if kind is not EventKind.BREAK:
            event["speakers"] = [words.person() for _ in range(rng.randint(1, 4))]
            event["section"] = rng.choice(sections)["id"]
        if kind in (EventKind.MASTER_CLASS, EventKind.TRAINING, EventKind.EXCURSION) or (
            rng.random() < 0.1
        ):
            event["capacity"] = rng.choice((15, 20, 25, 30, 40, 60))
        if rng.random() < 0.05:
            event["cancelled"] = True
        generated.append(event)
    faq = [
        {
            "id": faq_id,
            "question": words.text(60),
            "keywords": {"kk": list(kk), "ru": list(ru), "en": list(en)},
            "answer": words.text(200),
        }
        for faq_id, kk, ru, en in FAQ
    ]
    data: dict[str, Any] = {
        "forum": {
            "id": f"generated-{seed}",
            "title": words.text(120),
            "timezone": "Asia/Almaty",
            "starts_on": DAYS[0],
            "ends_on": DAYS[-1],
            "reminders": {"default": 15},
            "contacts": words.text(80),
        },
        "sections": sections,
        "venues": venues,
        "events": generated,
        "faq": faq,
    }
    if delegations:
        venue_ids = [venue["id"] for venue in venues]
        data["delegations"] = _delegations(words, delegations, title_length, venue_ids)
    return data


def generate_yaml(
    events: int = 300, *, seed: int = 1, title_length: int = 180, delegations: Sequence[int] = ()
) -> str:
    data = generate_data(events, seed=seed, title_length=title_length, delegations=delegations)
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10_000)


def generate_program(
    events: int = 300, *, seed: int = 1, title_length: int = 180, delegations: Sequence[int] = ()
) -> Program:
    """A valid program of `events` events; deterministic for a seed."""
    text = generate_yaml(events, seed=seed, title_length=title_length, delegations=delegations)
    return parse_program(text, source=f"<generated seed={seed}>").program
