"""Free-text answers: the golden set about the sample program, refusals, the index lifecycle."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Literal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.program import Program, ProgramHolder, load_program
from bot.services import answers as answers_module
from bot.services.answers import (
    KIND_NAMES,
    THRESHOLD,
    AnswerIndex,
    Answers,
    Hit,
    HitKind,
    index_terms,
    normalize,
    question_intent,
)
from tests.conftest import MINI_PROGRAM, SAMPLE_PROGRAM
from tests.programgen import generate_program

Lang = Literal["kk", "ru", "en"]


@dataclass(frozen=True)
class Expect:
    kind: HitKind
    id: str
    room: str | None = None

    def matches(self, hit: Hit) -> bool:
        return (hit.kind, hit.id, hit.room) == (self.kind, self.id, self.room)


def event(*ids: str) -> tuple[Expect, ...]:
    return tuple(Expect("event", id_) for id_ in ids)


def venue(id_: str, room: str | None = None) -> tuple[Expect, ...]:
    return (Expect("venue", id_, room),)


def faq(id_: str) -> tuple[Expect, ...]:
    return (Expect("faq", id_),)


LITERARY = event("lit-toraighyrov", "lit-pavlodar-poets", "lit-bayan-olgii", "lit-siberian")
MASTER_CLASSES = event(
    "mc-digital-services", "mc-storytelling", "mc-book-trailer", "mc-e-catalogue"
)
TRAININGS = event(
    "training-media-literacy",
    "training-project-mgmt",
    "training-accessible",
    "training-grant-writing",
)
PLENARIES = event("opening", "closing")
DIGITAL = event("sec-digital-1", "mc-digital-services", "sec-digital-2", "mc-e-catalogue")
HERITAGE = event("sec-heritage-1", "lit-toraighyrov", "sec-heritage-2", "lit-pavlodar-poets")
MANAGEMENT = event(
    "training-media-literacy",
    "sec-management-1",
    "training-project-mgmt",
    "training-accessible",
    "training-grant-writing",
)


@dataclass(frozen=True)
class Golden:
    question: str
    lang: Lang
    expect: tuple[Expect, ...]  # one: the first hit; several: exactly the top hits
    typo: bool = False

    @property
    def about_places_or_faq(self) -> bool:
        return all(expect.kind in ("venue", "faq") for expect in self.expect)


def kk(question: str, expect: tuple[Expect, ...], *, typo: bool = False) -> Golden:
    return Golden(question, "kk", expect, typo)


def ru(question: str, expect: tuple[Expect, ...], *, typo: bool = False) -> Golden:
    return Golden(question, "ru", expect, typo)


def en(question: str, expect: tuple[Expect, ...], *, typo: bool = False) -> Golden:
    return Golden(question, "en", expect, typo)


# Questions people ask about data/forum.yaml, with the answer the bot must give first.
GOLDEN: dict[str, Golden] = {
    # -- Kazakh ---------------------------------------------------------------------------
    "kk-literary-when": kk("Әдеби кездесу қашан?", LITERARY),
    "kk-opening-when": kk("Форумның ашылуы қашан?", event("opening")),
    "kk-wifi-password": kk("Wi-Fi құпиясөзі қандай?", faq("wifi")),
    "kk-cloakroom": kk("Гардероб қайда?", faq("cloakroom")),
    "kk-registration-where": kk("Тіркеу қайда өтеді?", faq("registration")),
    "kk-museum-how-to-get": kk("Мұражайға қалай жетемін?", venue("museum")),
    "kk-typo-museum-synonym": kk("Мұражйға қалай жетемін?", venue("museum"), typo=True),
    "kk-conference-hall": kk("Конференц-зал қайда?", venue("library", "conference-hall")),
    "kk-master-class-digital": kk(
        "Шеберлік сыныбы цифрлық сервистер", event("mc-digital-services")
    ),
    "kk-media-literacy-training": kk(
        "Медиасауаттылық тренингі қашан?", event("training-media-literacy")
    ),
    "kk-certificate": kk("Сертификатты қалай аламын?", faq("certificates")),
    "kk-lunch-where": kk("Түскі ас қайда?", faq("meals")),
    "kk-excursion-sign-up": kk("Экскурсияға қалай жазыламын?", event("city-tour")),
    "kk-speaker-zhumabayev": kk("Жұмабаев", event("lit-toraighyrov")),
    "kk-section-management": kk("Кітапхана менеджменті және кәсіби даму", MANAGEMENT),
    "kk-exhibition-hall-floor": kk("Көрме залы қай қабатта?", venue("library", "exhibition-hall")),
    "kk-library-how-to-get": kk("Кітапханаға қалай барамын?", venue("library")),
    "kk-storytelling": kk("Сторителлинг балаларға", event("mc-storytelling")),
    "kk-toraighyrov-poetry": kk("Торайғыров поэзиясы кеші", event("lit-toraighyrov")),
    "kk-internet": kk("Интернет бар ма?", faq("wifi")),
    "kk-bayan-olgii": kk("Баян-Өлгий жазушылары", event("lit-bayan-olgii")),
    "kk-hotel-where": kk("«Ертіс» қонақүйі қайда?", venue("hotel")),
    "kk-literary-lounge": kk("Әдеби қонақжай қайда?", venue("museum", "literary-lounge")),
    "kk-ramp": kk("Пандус бар ма?", faq("accessibility")),
    "kk-farewell": kk("Қоштасу кеші қашан?", event("farewell-dinner")),
    "kk-training-when": kk("Тренинг қашан?", TRAININGS),
    "kk-opening-ceremony": kk("Ашылу салтанаты қашан?", event("opening")),
    "kk-closing-ceremony": kk("Жабылу салтанаты", event("closing")),
    "kk-typo-literary": kk("әдеби кездсу", LITERARY, typo=True),
    "kk-typo-cloakroom": kk("гардеорб", faq("cloakroom"), typo=True),
    "kk-typo-registration": kk("тркеу қайда", faq("registration"), typo=True),
    "kk-typo-certificate": kk("сертификт керек", faq("certificates"), typo=True),
    "kk-typo-master-class": kk("шеберлк сыныбы", MASTER_CLASSES, typo=True),
    "kk-typo-latin-i-library": kk("кiтапхана қайда", venue("library"), typo=True),
    "kk-typo-media-literacy": kk(
        "медиасауатылық тренингі", event("training-media-literacy"), typo=True
    ),
    "kk-typo-storytelling": kk("Сторителинг", event("mc-storytelling"), typo=True),
    "kk-typo-cloakroom-p": kk("гардероп қайда", faq("cloakroom"), typo=True),
    "kk-typo-certificate-double": kk("сертификатт", faq("certificates"), typo=True),
    "kk-typo-toraighyrov": kk("Торайғыроа поэзиясы", event("lit-toraighyrov"), typo=True),
    "kk-typo-literary-letter": kk("әдби кездесу", LITERARY, typo=True),
    # -- Russian --------------------------------------------------------------------------
    "ru-master-class-digital-where": ru(
        "Где проходит мастер-класс по цифровым сервисам?", event("mc-digital-services")
    ),
    "ru-registration-where": ru("где регистрация", faq("registration")),
    "ru-cloakroom": ru("гардероб", faq("cloakroom")),
    "ru-museum-how-to-get": ru("как добраться до музея", venue("museum")),
    "ru-conference-hall": ru("конференц-зал", venue("library", "conference-hall")),
    "ru-master-class-joined": ru("мастеркласс", MASTER_CLASSES),
    "ru-excursion-when": ru("Когда экскурсия по Павлодару?", event("city-tour")),
    "ru-speaker-lebedeva": ru("Лебедева", event("training-media-literacy")),
    "ru-section-digital": ru("Цифровая трансформация библиотек", DIGITAL),
    "ru-lunch-when": ru("Во сколько обед?", faq("meals")),
    "ru-wifi-password": ru("пароль от вайфая", faq("wifi")),
    "ru-library-address": ru("адрес библиотеки", venue("library")),
    "ru-exhibition-hall": ru("Где выставочный зал?", venue("library", "exhibition-hall")),
    "ru-closing-plenary": ru("итоговое пленарное заседание", event("closing")),
    "ru-farewell-dinner": ru("прощальный ужин", event("farewell-dinner")),
    "ru-hotel-address": ru("гостиница Иртыш адрес", venue("hotel")),
    "ru-literary-lounge": ru("Литературная гостиная", venue("museum", "literary-lounge")),
    "ru-leave-jacket": ru("где можно оставить куртку?", faq("cloakroom")),
    "ru-media-literacy": ru("тренинг по медиаграмотности", event("training-media-literacy")),
    "ru-opening-when": ru("Когда открытие форума?", event("opening")),
    "ru-storytelling-inflected": ru("мастер-класса по сторителлингу", event("mc-storytelling")),
    "ru-closing-forum": ru("закрытие форума", event("closing")),
    "ru-closing": ru("Закрытие", event("closing")),
    "ru-typo-closing": ru("закрытие форма", event("closing"), typo=True),
    "ru-typo-closing-synonym": ru("когда закртие форума?", event("closing"), typo=True),
    "ru-closed-museum": ru("музей закрытый?", venue("museum")),  # «закрытый» is not «закрытие»
    "ru-closed-cafe": ru("кафе закрытое?", faq("meals")),
    "ru-farewell-lunch": ru("прощальный обед", event("farewell-dinner")),  # «обед»: a break
    "ru-tour-of-exhibition": ru("экскурсия на выставку", event("exhibition-125")),
    "ru-typo-registration": ru("регистарция", faq("registration"), typo=True),
    "ru-typo-literary": ru("литеатурная встреча", LITERARY, typo=True),
    "ru-typo-certificate": ru("Как получить сертефикат?", faq("certificates"), typo=True),
    "ru-typo-speaker": ru("Воронцева", event("sec-digital-1"), typo=True),
    "ru-typo-excursion": ru("экскурся", event("city-tour"), typo=True),
    "ru-typo-library": ru("где библиотка", venue("library"), typo=True),
    "ru-typo-master-class": ru("мастер-клас", MASTER_CLASSES, typo=True),
    "ru-typo-when-lunch": ru("кагда обед", faq("meals"), typo=True),
    "ru-typo-cloakroom": ru("гардироб", faq("cloakroom"), typo=True),
    "ru-typo-literary-evening": ru("литературнй вечер", LITERARY, typo=True),
    "ru-typo-farewell": ru("прощальнй ужин", event("farewell-dinner"), typo=True),
    "ru-typo-conference-hall": ru("конференс-зал", venue("library", "conference-hall"), typo=True),
    # -- English --------------------------------------------------------------------------
    "en-opening-when": en("When is the opening?", event("opening")),
    "en-wifi-password": en("wifi password", faq("wifi")),
    "en-cloakroom": en("Where is the cloakroom?", faq("cloakroom")),
    "en-certificate": en("How do I get a certificate?", faq("certificates")),
    "en-literary-evening": en("literary evening", LITERARY),
    "en-storytelling": en("master class on storytelling", event("mc-storytelling")),
    "en-conference-hall": en("where is the conference hall", venue("library", "conference-hall")),
    "en-museum-how-to-get": en("how to get to the museum", venue("museum")),
    "en-museum-address": en("museum address", venue("museum")),
    "en-hotel": en("Hotel Irtysh", venue("hotel")),
    "en-grant-writing": en("grant writing training", event("training-grant-writing")),
    "en-register-where": en("where do I register", faq("registration")),
    "en-ai": en("Artificial intelligence", event("sec-digital-2")),
    "en-taxi": en("taxi to the hotel", faq("transport")),
    "en-wheelchair": en("is there a wheelchair ramp?", faq("accessibility")),
    "en-farewell-dinner": en("farewell dinner", event("farewell-dinner")),
    "en-library-cafe": en("library cafe", venue("library", "cafe")),
    "en-section-heritage": en("Local history and regional heritage", HERITAGE),
    "en-library-street": en("Satpayev street", venue("library")),
    "en-literary-lounge": en("Literary lounge", venue("museum", "literary-lounge")),
    "en-training": en("training", TRAININGS),
    "en-trainings-what": en("what trainings are there", TRAININGS),
    "en-training-room-where": en(
        "where is the computer training room", venue("library", "computer-room")
    ),
    "en-opening-ceremony": en("opening ceremony", event("opening")),
    "en-closing-ceremony": en("When is the closing ceremony?", event("closing")),
    "en-typo-closing": en("closign", event("closing"), typo=True),
    "en-typo-closure": en("When is the closur?", event("closing"), typo=True),
    "en-farewell-celebration": en("farewell dinner celebration", event("farewell-dinner")),
    "en-typo-wifi": en("wfi", faq("wifi"), typo=True),
    "en-typo-workshop": en("workshp", MASTER_CLASSES, typo=True),
    "en-typo-training": en("traning", TRAININGS, typo=True),
    "en-typo-training-room": en(
        "where is the computer traning room", venue("library", "computer-room"), typo=True
    ),
    "en-typo-city-tour": en("city tuor", event("city-tour"), typo=True),
    "en-typo-registration": en("registraton", faq("registration"), typo=True),
    "en-typo-slides": en("presentaions slides", faq("materials"), typo=True),
    "en-typo-coffee-break": en("coffee brake", faq("meals"), typo=True),
    "en-typo-exhibition-hall": en(
        "exibition hall", venue("library", "exhibition-hall"), typo=True
    ),
    "en-typo-cloakroom": en("wher is the cloakrom", faq("cloakroom"), typo=True),
    "en-typo-plenary": en("plenery session", PLENARIES, typo=True),
    "en-typo-certificate": en("certficate", faq("certificates"), typo=True),
    "en-typo-museum-address": en("musuem adress", venue("museum"), typo=True),
    "en-typo-farewell": en("farwell diner", event("farewell-dinner"), typo=True),
    "en-typo-registration-desk": en("regsitration desk", faq("registration"), typo=True),
}

# Greetings, off-topic questions and gibberish: the bot must not guess.
NEGATIVE: dict[str, str] = {
    "kk-greeting": "Сәлеметсіз бе!",
    "kk-how-are-you": "Сәлем! Жағдайың қалай?",
    "kk-thanks": "Рахмет",
    "kk-weather": "Қазір ауа райы қандай?",
    "kk-good-evening": "Қайырлы кеш",
    "ru-greeting": "привет",
    "ru-how-are-you": "Привет, как дела?",
    "ru-weather": "погода в Москве",
    "ru-cooking": "как приготовить плов на обед",
    "ru-ticket": "купить билет на самолёт",
    "ru-gibberish": "ыввыфвыфв",
    "en-greeting": "hello",
    "en-good-evening": "good evening",
    "en-life": "what is the meaning of life",
    "en-football": "football match tonight",
    "en-gibberish": "asdfgh",
    "emoji": "😀👍",
    "punctuation": "?!...",
    "empty": "",
}


@pytest.fixture(scope="module")
def sample_index() -> AnswerIndex:
    return AnswerIndex.build(load_program(SAMPLE_PROGRAM).program)


@pytest.fixture(scope="module")
def generated() -> Program:
    return generate_program(300, seed=7)


@pytest.fixture(scope="module")
def generated_index(generated: Program) -> AnswerIndex:
    return AnswerIndex.build(generated)


def describe(hits: list[Hit]) -> str:
    return ", ".join(f"{h.kind}:{h.id}{'/' + h.room if h.room else ''}={h.score}" for h in hits)


# -- the golden set -----------------------------------------------------------------------


def test_golden_set_covers_languages_typos_and_places() -> None:
    questions = list(GOLDEN.values())
    assert len(questions) >= 45
    for lang in ("kk", "ru", "en"):
        assert sum(q.lang == lang for q in questions) >= 15, lang
    assert sum(q.typo for q in questions) * 3 >= len(questions)
    assert sum(q.about_places_or_faq for q in questions) * 3 >= len(questions)
    assert len(NEGATIVE) >= 8
    assert {name[:2] for name in NEGATIVE} >= {"kk", "ru", "en"}


def test_golden_expectations_exist_in_the_sample() -> None:
    program = load_program(SAMPLE_PROGRAM).program
    faq_ids = {entry.id for entry in program.faq}
    for name, golden in GOLDEN.items():
        for expect in golden.expect:
            if expect.kind == "event":
                assert expect.id in program.events_by_id, name
            elif expect.kind == "faq":
                assert expect.id in faq_ids, name
            else:
                place = program.venues_by_id[expect.id]
                assert expect.room is None or expect.room in place.rooms_by_id, name


@pytest.mark.parametrize("name", list(GOLDEN))
def test_golden_question_is_answered_first(sample_index: AnswerIndex, name: str) -> None:
    golden = GOLDEN[name]
    hits = sample_index.search(golden.question)
    assert hits, f"{golden.question!r}: no answer"
    if len(golden.expect) == 1:
        assert golden.expect[0].matches(hits[0]), f"{golden.question!r}: {describe(hits)}"
    else:
        top = hits[: len(golden.expect)]
        assert len(top) == len(golden.expect), f"{golden.question!r}: {describe(hits)}"
        assert {(h.kind, h.id) for h in top} == {(e.kind, e.id) for e in golden.expect}, (
            f"{golden.question!r}: {describe(hits)}"
        )


@pytest.mark.parametrize("name", list(NEGATIVE))
def test_nothing_good_enough_gives_no_answer(sample_index: AnswerIndex, name: str) -> None:
    assert sample_index.search(NEGATIVE[name]) == []


NOW_QUESTIONS = (
    "now",
    "what's on now",
    "What's next?",
    "сейчас",
    "что сейчас идет",
    "что дальше",
    "какой следующий",
    "қазір",
    "Қазір не болып жатыр?",
    "келесісі",
)


@pytest.mark.parametrize("question", NOW_QUESTIONS)
def test_now_and_next_questions_ask_for_the_now_screen(question: str) -> None:
    assert question_intent(question) == "now"


@pytest.mark.parametrize(
    "question", ["language", "Язык", "сменить язык", "тіл", "Тілді ауыстыру", "change language"]
)
def test_language_questions_ask_for_the_language_choice(question: str) -> None:
    assert question_intent(question) == "language"


@pytest.mark.parametrize(
    ("question", "intent"),
    [
        ("schedule", "schedule"),
        ("show the program", "schedule"),
        ("покажи расписание", "schedule"),
        ("Бағдарлама", "schedule"),
        ("menu", "menu"),
        ("hello", "menu"),
        ("Привет, как дела?", "menu"),
        ("Сәлеметсіз бе!", "menu"),
        ("Қайырлы кеш", "menu"),
        ("thank you very much", "thanks"),
        ("Большое спасибо!", "thanks"),
        ("Көп рахмет", "thanks"),
        ("мероприятия в пятницу", "schedule"),
        ("сегодняшние мероприятия", "schedule"),
        ("бүгінгі іс-шаралар", "schedule"),
        ("жұмадағы іс-шаралар", "schedule"),
        ("қайырлы таң, бүгін не болады?", "schedule"),  # the greeting is no answer to it
        ("доброе утро, что сегодня?", "schedule"),
        ("my agenda", "agenda"),
        ("моё расписание", "agenda"),
        ("менің бағдарламам", "agenda"),
    ],
)
def test_greetings_thanks_and_the_schedule_by_name_ask_for_a_screen(
    question: str, intent: str
) -> None:
    assert question_intent(question) == intent


@pytest.mark.parametrize(
    "question",
    [
        "Қазір ауа райы қандай?",
        "программа мастер-класса",
        "hello, when is the opening?",
        "good lunch place",
        "what time does it start?",  # not the welcome screen
        "во сколько старт?",
        "next training",
        "new formats",
        "Тренинг қашан?",
        "на каком языке форум",
        "Language Development",
    ],
)
def test_a_question_about_something_else_is_no_screen(question: str) -> None:
    assert question_intent(question) is None


def test_a_three_letter_word_is_no_typo_of_another(sample_index: AnswerIndex) -> None:
    assert sample_index.search("now") == []  # not the section on "new" formats
    assert sample_index.search("wfi")[0].id == "wifi"  # a missing letter is still a typo


# -- ranking details ----------------------------------------------------------------------


def test_hits_are_ordered_and_scored_within_bounds(sample_index: AnswerIndex) -> None:
    for golden in GOLDEN.values():
        hits = sample_index.search(golden.question)
        scores = [hit.score for hit in hits]
        assert scores == sorted(scores, reverse=True)
        assert all(THRESHOLD <= score <= 100 for score in scores)


def test_kind_only_question_lists_the_events_in_time_order(sample_index: AnswerIndex) -> None:
    program = load_program(SAMPLE_PROGRAM).program
    hits = sample_index.search("мастер-класс")
    assert [hit.id for hit in hits] == [
        e.id for e in sorted(program.events, key=lambda e: e.starts_at) if e.id.startswith("mc-")
    ]
    assert len({hit.score for hit in hits}) == 1


def test_equal_scores_prefer_the_faq_entry(sample_index: AnswerIndex) -> None:
    hits = sample_index.search("где регистрация")
    assert [(hit.kind, hit.id, hit.room) for hit in hits] == [
        ("faq", "registration", None),
        ("venue", "library", "foyer"),
        ("event", "registration", None),
    ]


def test_limit_is_respected(sample_index: AnswerIndex) -> None:
    assert len(sample_index.search("мастер-класс", limit=2)) == 2
    assert sample_index.search("мастер-класс", limit=0) == []


def test_every_kind_has_names_in_three_scripts() -> None:
    for kind, names in KIND_NAMES.items():
        if kind.value == "other":
            continue
        joined = " ".join(names)
        assert any(ch in joined for ch in "әғқңөұүһі"), kind
        assert any("а" <= ch <= "я" for ch in joined), kind
        assert any("a" <= ch <= "z" for ch in joined), kind


def test_normalisation_folds_case_letters_and_hyphens() -> None:
    assert normalize("Ёлка, ҚАЗАҚ! Öl café").split() == ["елка", "казак", "ol", "cafe"]
    assert list(index_terms("Wi-Fi және кофе-брейк")) == [
        "wifi",
        "wi",
        "fi",
        "кофебреик",
        "кофе",
        "бреик",
    ]


@pytest.mark.parametrize(
    ("variant", "canonical"),
    [
        ("wi-fi", "wifi"),
        ("wi fi", "wifi"),
        ("кофе брейк", "кофе-брейк"),
        ("кофебрейк", "кофе-брейк"),
        ("мастер класс", "мастер-класс"),
        ("КОНФЕРЕНЦ ЗАЛ", "конференц-зал"),
    ],
)
def test_hyphenated_and_joined_forms_match_alike(
    sample_index: AnswerIndex, variant: str, canonical: str
) -> None:
    expected = sample_index.search(canonical)
    assert expected
    assert [(h.kind, h.id, h.room) for h in sample_index.search(variant)][:1] == [
        (h.kind, h.id, h.room) for h in expected
    ][:1]


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("библиотеке", ("venue", "library")),
        ("кітапханада", ("venue", "library")),
        ("кездесуі", ("event", "lit-toraighyrov")),
        ("тренингі", ("event", "training-media-literacy")),
        ("экскурсию", ("event", "city-tour")),
        ("мастер-класса", ("event", "mc-digital-services")),
    ],
)
def test_inflected_forms_match(
    sample_index: AnswerIndex, question: str, expected: tuple[str, str]
) -> None:
    """An inflected word finds what its dictionary form finds (not necessarily first)."""
    assert expected in {(hit.kind, hit.id) for hit in sample_index.search(question, limit=50)}


def test_cancelled_events_rank_below_equal_live_ones() -> None:
    program = load_program(SAMPLE_PROGRAM).program
    events = tuple(
        e.model_copy(update={"cancelled": True}) if e.id == "mc-digital-services" else e
        for e in program.events
    )
    index = AnswerIndex.build(program.model_copy(update={"events": events}))
    hits = index.search("мастер-класс")
    assert hits[-1].id == "mc-digital-services"
    assert hits[-1].score < hits[0].score


# -- the index lifecycle ------------------------------------------------------------------


def test_answers_build_one_index_per_snapshot(monkeypatch: pytest.MonkeyPatch) -> None:
    builds: list[Program] = []
    original = AnswerIndex.build.__func__  # type: ignore[attr-defined]

    def counting(cls: type[AnswerIndex], program: Program) -> AnswerIndex:
        builds.append(program)
        result: AnswerIndex = original(cls, program)
        return result

    monkeypatch.setattr(AnswerIndex, "build", classmethod(counting))
    sample = load_program(SAMPLE_PROGRAM).program
    holder = ProgramHolder(sample)
    answers = Answers(holder)
    assert builds == []  # built lazily, on the first question
    for _ in range(3):
        assert answers.search("wifi password")[0].id == "wifi"
    assert answers.search("Лебедева")[0].id == "training-media-literacy"
    assert builds == [sample]

    mini = load_program(MINI_PROGRAM).program
    holder.swap(mini)
    assert answers.search("Aigerim Sadykova")[0].id == "digital-1"
    assert answers.search("Лебедева") == []
    hall = answers.search("Большой зал")[0]
    assert (hall.kind, hall.id, hall.room) == ("venue", "library", "main-hall")
    assert answers.search("wifi")[0].id == "wifi"
    assert builds == [sample, mini]

    holder.swap(sample)
    assert answers.search("Лебедева")[0].id == "training-media-literacy"
    assert builds == [sample, mini, sample]


def _count_searches(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The texts the index is searched for from now on."""
    searches: list[str] = []
    original = AnswerIndex.search

    def counting(index: AnswerIndex, text: str, *, limit: int | None = 5) -> list[Hit]:
        searches.append(text)
        return original(index, text, limit=limit)

    monkeypatch.setattr(AnswerIndex, "search", counting)
    return searches


def test_a_question_asked_again_is_answered_without_a_second_search(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    searches = _count_searches(monkeypatch)
    sample = load_program(SAMPLE_PROGRAM).program
    answers = Answers(ProgramHolder(sample))
    morning = datetime.combine(sample.forum.days[0], time(9), sample.tz)
    first = answers.reply("wifi password", morning)
    assert first.kind == "faq" and first.ids == ("wifi",)
    assert answers.reply("wifi password", morning + timedelta(hours=3)) == first
    assert answers.reply("Wifi password", morning) == first  # another text: searched again
    assert searches == ["wifi password", "Wifi password"]


def test_a_kept_reply_follows_the_program_and_the_day() -> None:
    sample = load_program(SAMPLE_PROGRAM).program
    holder = ProgramHolder(sample)
    answers = Answers(holder)
    first_day = datetime.combine(sample.forum.days[0], time(10), sample.tz)
    on_the_first = answers.reply("trainings tomorrow", first_day)
    assert "training-media-literacy" not in on_the_first.ids  # that one is on the first day
    on_the_second = answers.reply("trainings tomorrow", first_day + timedelta(days=1))
    assert "training-media-literacy" in on_the_second.ids  # no forum tomorrow: all of them
    assert answers.reply("Лебедева", first_day).ids == ("training-media-literacy",)
    holder.swap(load_program(MINI_PROGRAM).program)
    assert answers.reply("Лебедева", first_day).kind is None  # not in the new program


def test_only_the_latest_replies_are_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(answers_module, "REPLIES_KEPT", 2)
    searches = _count_searches(monkeypatch)
    sample = load_program(SAMPLE_PROGRAM).program
    answers = Answers(ProgramHolder(sample))
    now = datetime.combine(sample.forum.days[0], time(10), sample.tz)
    for text in ("wifi", "Лебедева", "wifi", "museum", "wifi", "Лебедева", "x" * 201, "x" * 201):
        answers.reply(text, now)
    # "wifi" stayed among the latest two; "Лебедева" was pushed out by "museum"; a text
    # longer than 200 characters is never kept
    assert searches == ["wifi", "Лебедева", "museum", "Лебедева", "x" * 201, "x" * 201]


# -- a large generated program ------------------------------------------------------------


def test_generated_program_is_valid_and_deterministic(generated: Program) -> None:
    assert len(generated.events) == 300
    assert generated == generate_program(300, seed=7)
    assert generated != generate_program(300, seed=8)
    assert any(event.cancelled for event in generated.events)
    assert sum(len(venue.rooms) for venue in generated.venues) >= 20
    assert len(generated.sections) >= 10
    assert any(event.capacity for event in generated.events)
    long_title = max(len(event.title.kk) for event in generated.events)
    assert 170 <= long_title <= 180
    kazakh = " ".join(event.title.kk for event in generated.events)
    assert set("әғқңөұүһі") <= set(kazakh)
    assert {event.starts_at.date().isoformat() for event in generated.events} == {
        "2026-12-10",
        "2026-12-11",
    }


def test_generated_program_answers_questions_about_its_events(
    generated: Program, generated_index: AnswerIndex
) -> None:
    found = 0
    for event in generated.events[::10]:
        for lang in ("kk", "ru", "en"):
            hits = generated_index.search(event.title.get(lang)[:60])
            found += bool(hits) and event.id in {hit.id for hit in hits}
    assert found >= 80  # of 90: a title's beginning finds the event


def test_a_long_message_is_read_up_to_its_first_words(sample_index: AnswerIndex) -> None:
    assert sample_index.search("wifi password. " + "пожалуйста " * 2000)[0].id == "wifi"
    filler = " ".join(f"zz{n}" for n in range(2000))
    assert sample_index.search(filler + " wifi password") == []  # past the first 32 words


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(st.text(max_size=500))
def test_search_never_raises_on_arbitrary_text(generated_index: AnswerIndex, text: str) -> None:
    hits = generated_index.search(text)
    assert len(hits) <= 5
    assert all(0 <= hit.score <= 100 for hit in hits)


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.sampled_from(["кітапхана", "мастер-класс", "wifi", "😀", "где", "зал", "әдеби"]),
        max_size=12,
    ).map(" ".join),
    st.integers(min_value=0, max_value=10),
)
def test_search_on_program_words_respects_the_limit(
    generated_index: AnswerIndex, text: str, limit: int
) -> None:
    assert len(generated_index.search(text, limit=limit)) <= limit
