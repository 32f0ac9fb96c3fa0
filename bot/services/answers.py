"""Free-text questions about the forum answered from the program: events, venues, rooms, FAQ.

People write in Kazakh, Russian or English, with typos and inflected words («кітапханада»,
«мастер-класса», "certificates"). The program is indexed once per snapshot
(`AnswerIndex.build`) and every question is matched against the words of all three languages.

How a question is scored
------------------------
1. Normalise: lowercase, ё→е, Kazakh letters folded to their Russian look-alikes (ә→а, қ→к,
   і→и, ...), accents dropped, punctuation removed, Latin look-alikes in a Cyrillic word fixed
   ("кiтапхана"). A hyphenated word is indexed as its parts and as the joined word, and a
   question's hyphenated word is read joined when the index knows it ("wi-fi" = "wi fi" =
   "wifi", "мастер-класс" = "мастеркласс"). Greetings, question and filler words of the three
   languages are dropped (a misspelt one too: «кагда»).
2. Each remaining query word is matched against the index vocabulary: exactly (similarity 1);
   by a shared stem, for inflected forms («библиотеке» ~ «библиотека», «кітапханада» ~
   «кітапхана», «кездесуі» ~ «кездесу»; `_stem_similarity`, 0.6..1, 0.03 less per letter of
   differing ending); and, when the word is not in the vocabulary, by typo among the words with
   the same first letter: OSA edit distance 1 (2 from 9 letters, 3 from 13) or Indel ratio >= 80
   («регистарция», "wfi", "tuor", "brake"), similarity 0.92 x (1 - edits / length). A word of
   three letters may only miss one ("wfi"): one changed letter makes another word ("now", "new").
3. A document (an event, a venue, a room of a venue, a FAQ entry) takes for each query word the
   best `similarity x field weight` over its fields, in all three languages: event title 1.0,
   kind names 0.95 (`KIND_NAMES`), speakers 0.9, section title 0.85, description 0.35, sign-up
   words 0.5 (events with a capacity); FAQ keywords 1.0, question 0.8; venue name 1.0, address
   0.9, place words ("адрес", "как добраться") 0.7; room name 1.0 and its venue's name 0.45 (also
   for the words of the room name that name the venue: "Кафе библиотеки").
4. Rare words weigh more: a query word weighs `ln(1 + documents / documents it matched)`
   (IDF); a word the index does not know at all weighs `UNKNOWN_WEIGHT` x the weight of a word
   found in one document, so one unknown word costs less than a missed program word. A
   document's score is `100 x sum(weight x its best match) / sum(weight)` times a prior: FAQ
   1.0 (curated answers win ties: "где регистрация" is the registration desk FAQ, not the
   registration event); venues and rooms 1.0 for a "where / how to get there" question, 0.85
   for one naming a kind of event ("trainings": the trainings, not the "Computer training
   room"), else 0.94; events 1.0 for a "when" question, 0.85 for a "where" one, else 0.96;
   cancelled events x 0.9. Scores are 0..100.
5. Hits below `THRESHOLD` (50) or below `RELATIVE_CUTOFF` (0.6) x the best are dropped: a
   question that matches nothing well (greetings, off-topic, gibberish) gets [] and the bot
   offers the schedule and venues instead of guessing. Equal scores are ordered FAQ, venue,
   event, then by start time (events) or program order, so a kind-only question ("әдеби
   кездесу қашан") lists the events of that kind in time order.

The threshold is calibrated on the golden set in tests/test_answers.py (about 100 questions):
the right answers score 62..100 (typos and one unknown word cost the most: "where can I leave my
coat" 62, "musuem adress" 64, "wfi" 69), while greetings, off-topic and gibberish score 0 and
questions that share one common word with the program stay under 45 ("как приготовить плов на
обед" 34, "what is the meaning of life" 43).
"""

from __future__ import annotations

import math
import re
import unicodedata
from bisect import bisect_left
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from types import MappingProxyType
from typing import Final, Literal

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from bot.program.holder import ProgramHolder
from bot.program.models import EventKind, Program, Text
from bot.services.schedule import named_day_index

HitKind = Literal["event", "venue", "faq"]
# A question a screen answers, not a program item.
Intent = Literal["now", "language", "agenda", "schedule", "menu", "thanks"]
DayName = int | Literal["today", "tomorrow"]  # a weekday (Monday 0), or a day from now
ReplyKind = HitKind | Intent

THRESHOLD: Final = 50.0
RELATIVE_CUTOFF: Final = 0.6
UNKNOWN_WEIGHT: Final = 0.6
MAX_QUERY_WORDS: Final = 32  # a question is short; the rest of a long message is ignored
MAX_WORD_LENGTH: Final = 40
FUZZY_SIMILARITY: Final = 0.92  # a typo costs: similarity = 0.92 x (1 - edits / length)
FUZZY_RATIO: Final = 80.0  # the Indel ratio that also counts as a typo (5+ letters)
FUZZY_LIMIT: Final = 8  # the closest words a misspelt word may stand for
SHORT_WORD: Final = 4  # a shorter word's typo may only miss a letter ("wfi"), not change one
MAX_SUFFIX: Final = 7  # a stem match leaves at most this many letters of ending
STEM_PENALTY: Final = 0.03  # similarity lost per letter of differing ending

# Field weights.
W_TITLE: Final = 1.0
W_KIND: Final = 0.95
W_SPEAKER: Final = 0.9
W_SECTION: Final = 0.85
W_DESCRIPTION: Final = 0.35
W_FAQ_KEYWORD: Final = 1.0
W_FAQ_QUESTION: Final = 0.8
W_VENUE_NAME: Final = 1.0
W_ADDRESS: Final = 0.9
W_PLACE_WORD: Final = 0.7
W_SIGNUP_WORD: Final = 0.5
W_ROOM_NAME: Final = 1.0
W_ROOM_VENUE: Final = 0.45

# Priors by kind and the question's intent.
PRIOR_FAQ: Final = 1.0
PRIOR_VENUE: Final = 0.94
PRIOR_VENUE_WHERE: Final = 1.0
PRIOR_VENUE_KIND: Final = 0.85  # the question names a kind of event ("training") and not where
PRIOR_EVENT: Final = 0.96
PRIOR_EVENT_WHEN: Final = 1.0
PRIOR_EVENT_WHERE: Final = 0.85
PRIOR_CANCELLED: Final = 0.9

KIND_RANK: Final[Mapping[str, int]] = MappingProxyType({"faq": 0, "venue": 1, "event": 2})

# What people call each kind of event, in the three languages.
KIND_NAMES: Final[Mapping[EventKind, tuple[str, ...]]] = MappingProxyType(
    {
        EventKind.PLENARY: (
            "пленарлық отырыс",
            "пленарлық мәжіліс",
            "пленарное заседание",
            "пленарная сессия",
            "пленарка",
            "plenary",
            "plenary session",
            "keynote",
        ),
        EventKind.SECTION: (
            "секция",
            "секциялық отырыс",
            "секционное заседание",
            "section",
            "section session",
            "panel",
        ),
        EventKind.MASTER_CLASS: (
            "шеберлік сыныбы",
            "шебер сынып",
            "шеберлік сабағы",
            "мастер-класс",
            "master class",
            "master-class",
            "workshop",
        ),
        EventKind.TRAINING: (
            "тренинг",
            "оқыту",
            "семинар-тренинг",
            "обучение",
            "training",
            "training session",
        ),
        EventKind.LITERARY_MEETING: (
            "әдеби кездесу",
            "әдеби кеш",
            "ақындармен кездесу",
            "жазушылармен кездесу",
            "литературная встреча",
            "литературный вечер",
            "поэтический вечер",
            "встреча с писателями",
            "literary meeting",
            "literary evening",
            "poetry evening",
            "meet the author",
        ),
        EventKind.EXCURSION: (
            "экскурсия",
            "саяхат",
            "серуен",
            "қала аралау",
            "экскурсия по городу",
            "excursion",
            "tour",
            "city tour",
            "sightseeing",
        ),
        EventKind.CEREMONY: (
            "салтанатты рәсім",
            "рәсім",
            "марапаттау",
            "церемония",
            "торжественная церемония",
            "награждение",
            "ceremony",
            "celebration",
            "awards",
        ),
        EventKind.BREAK: (
            "үзіліс",
            "кофе-брейк",
            "түскі ас",
            "перерыв",
            "кофе-брейк",
            "обед",
            "break",
            "coffee break",
            "lunch",
        ),
        EventKind.OTHER: (),
    }
)

# Words that make any venue a better answer ("адрес музея", "как добраться до музея").
PLACE_WORDS: Final = (
    "мекенжай",
    "мекенжайы",
    "жету",
    "жетемін",
    "жетуге",
    "баруға",
    "жол сілтеме",
    "адрес",
    "добраться",
    "доехать",
    "дойти",
    "маршрут",
    "address",
    "location",
    "directions",
    "route",
)

# Words for signing up: events with a capacity take sign-ups ("экскурсияға жазылу").
SIGNUP_WORDS: Final = (
    "жазылу",
    "жазыламын",
    "жазылуға",
    "записаться",
    "записаться на",
    "запишите",
    "sign up",
    "signup",
    "book",
    "booking",
    "enrol",
    "enroll",
)

_GREETINGS = """
сәлем сәлеметсіз сәлеметсіздер салем саламатсыз ассалаумағалейкум рахмет рақмет
привет приветствую здравствуйте здравствуй здрасте хай спасибо благодарю дела делишки
жағдай жағдайың жағдайыңыз қалайсың қалайсыз
hi hello hey thanks thank greetings
"""

_STOPWORDS_KK = """
қашан қайда қайдан қалай неше нешеде нешінші қандай қай не несі кім кімге бар жоқ ма ме ба бе
па пе барма бола болады болатын болады ма өтеді өтетін өтед басталады басталатын бітеді
аяқталады керек маған мен сен сіз сізге сіздің біз бізге біздің және пен бен менен немесе да
де та те ғой еді екен үшін туралы бойынша дейін кейін сағат сағатта уақыт уақыты күні күн
өтінемін айтыңызшы айтыңыз айтып беріңізші білгім келеді келе ала алам аламын болама ше
орын осы сол бұл анау мынау тағы әлі қазір бүгін ертең барамын барам бару барсам барып
барамыз қабат қабатта қабатында
"""

_STOPWORDS_RU = """
где когда как что чего какой какая какое какие каком какую каких куда откуда во сколько
пожалуйста подскажите подскажи скажите скажи расскажите расскажи добрый доброе доброй день
утро ночи а и в на с со по для от до из к ко о об у за при под над про через или но же ли ль
не ни бы это этот эта эти там тут здесь есть будет будут был была были проходит проходят
пройдет пройдут проводится состоится начинается начнется начало идет идти находится
расположен мне я мы вы нам вам меня нас можно нужно надо хочу хотел хотела хотим узнать
найти получить время часов час ваш наш мой свой его ее их все весь тоже также уже еще только
вот да нет ок ну то тот та те чтобы если кто чем чей зачем почему сегодня завтра место
этаж этаже этажа
"""

_STOPWORDS_EN = """
where when what how is are was were be will the a an please can could would i me my we us our
you your do does did of to in on at for from with and or it its this that there here any time
whats wheres whens which who whom tell find get got good morning afternoon day today
tomorrow start starts begin begins held take takes place located need want know should
there s ok okay let lets floor
"""

# Two-word greetings whose second word is a real word elsewhere ("литературный вечер").
_STOP_PAIRS = (
    ("қайырлы", "кеш"),
    ("қайырлы", "таң"),
    ("қайырлы", "күн"),
    ("добрый", "вечер"),
    ("доброго", "вечера"),
    ("good", "evening"),
    ("good", "night"),
)

_TIME_WORDS = """
когда сколько время час часов начало начинается начнется кашан неше нешеде сағат сагатта
уақыт уақыты басталады when time start starts begin begins schedule
"""

_PLACE_INTENT = """
где куда откуда находится адрес добраться доехать дойти қайда қайдан мекенжай мекенжайы жету
барамын барам бару жетемін жетуге баруға кабат кабатта этаж этаже floor where address location
located directions
"""

# Words people use that the program spells otherwise.
MIN_TYPO_SYNONYM: Final = 5
_SYNONYMS: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {
        "мұражай": ("музей",),
        "мұражайға": ("музей",),
        "мұражайы": ("музей",),
        # The closing plenary is «Қорытынды» / «Итоговое» / "Closing": people say «закрытие».
        "закрытие": ("closing",),
        "закрытия": ("closing",),
        "закрытии": ("closing",),
        "жабылу": ("closing",),
        "жабылуы": ("closing",),
        "closure": ("closing",),
    }
)

# Two-word names of the forum's opening and closing: without them "ceremony" («салтанаты»)
# finds the anniversary ceremony, or the two halves match no event well enough.
_PHRASES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "opening ceremony": "forum opening",
        "closing ceremony": "forum closing",
        "ашылу салтанаты": "forum opening",
        "салтанатты ашылу": "forum opening",
        "ашылу рәсімі": "forum opening",
        "жабылу салтанаты": "forum closing",
        "салтанатты жабылу": "forum closing",
        "жабылу рәсімі": "forum closing",
        "церемония открытия": "forum opening",
        "торжественное открытие": "forum opening",
        "церемония закрытия": "forum closing",
        "торжественное закрытие": "forum closing",
    }
)

# Days named in a question, by their number in the week (Monday 0) or as "today"/"tomorrow";
# "*" ends a stem (case endings: «в пятницу», «жұмада»).
_DAYS: Final[Mapping[DayName, str]] = MappingProxyType(
    {
        0: "monday понедельник* дүйсенбі*",
        1: "tuesday вторник* сейсенбі*",
        2: "wednesday среда среду среды сәрсенбі*",
        3: "thursday четверг* бейсенбі*",
        4: "friday пятниц* жұма жұмада жұмадағы",
        5: "saturday суббот* сенбі*",
        6: "sunday воскресень* жексенбі*",
        "today": "today today's сегодня сегодняшн* бүгін бүгінгі",
        "tomorrow": "tomorrow tomorrow's завтра завтрашн* ертең ертеңгі",
    }
)
_DAY_WORDS: Final = " ".join(_DAYS.values())

# Questions the program's words do not answer but a screen of the bot does, in the three
# languages: each intent's key words (one needed) and the words that may come with them
# (besides stopwords); "*" ends a stem. "what's on now" is /now, not a section on "new" formats;
# "language" is /language, not the plenary whose speaker heads "Language Development".
_INTENT_WORDS: Final[Mapping[Intent, tuple[str, str]]] = MappingProxyType(
    {
        "now": (
            """
            now next upcoming сейчас щас дальше далее следующ* қазір келесі* енді
            """,
            """
            on happening going up coming right идет идут происходит следующ*
            болып жатыр не болады болатын
            """,
        ),
        "language": (
            """
            language languages lang язык языка языки языке тіл тілі тілін тілді тілдер тілдерді
            тілге
            """,
            """
            change switch set select choose another other interface bot сменить смени поменять
            поменяй выбрать изменить переключить другой интерфейс бота ауыстыр* өзгерт* таңда*
            english russian kazakh английский русский казахский английском русском казахском
            қазақша орысша ағылшынша қазақ орыс ағылшын
            """,
        ),
        # "programme" is the schedule; «программа мастер-класса» is a question about an event.
        # A day named alone ("friday", «что завтра») opens that day (see `named_day`).
        # "my agenda" is /my: the person's own, checked before the forum's schedule
        "agenda": (
            """
            my мой моя моё мое мои менің
            """,
            """
            agenda schedule program programme plan plans sign-ups signups bookings seats
            расписание программа план планы записи запись места бағдарламам бағдарламасы
            бағдарлама жоспарым жоспар күн тәртібім тәртібі тәртібім жазылуларым
            """,
        ),
        "schedule": (
            """
            schedule schedules program programme agenda timetable расписание расписания
            расписанию программа программу программы бағдарлама бағдарламасы бағдарламаны
            бағдарламаңыз кесте кестесі кестені
            """
            + _DAY_WORDS,
            """
            show see full whole forum forum's day days today event events покажи показать
            посмотреть весь всё вся полное полная форума форум дня день сегодня мероприяти*
            көрсет* толық барлық форум форумның күн күнге бүгін бүгінгі іс шара шаралар
            шаралары
            """,
        ),
        # a greeting or the menu asked for by name: the main menu
        "menu": (
            """
            menu меню мәзір мәзірі hello hi hey привет здравствуйте здравствуй
            добрый доброе сәлем салем сәлеметсіз сәлеметсіздер сәлеметсізбе қайырлы good
            """,
            """
            main главное басты morning afternoon evening day утро утра день вечер таң күн кеш
            бе everyone all всем баршаңызға how are you doing как дела жағдай жағдайың
            жағдайыңыз қалай there
            """,
        ),
        "thanks": (
            """
            thanks thank thx спасибо спс благодарю рахмет рақмет
            """,
            """
            you very much a lot so большое огромное вам тебе көп үлкен сізге саған
            """,
        ),
    }
)

# -- normalisation -----------------------------------------------------------------------------


def _fold_table() -> dict[int, str]:
    table: dict[int, str] = {}
    # Accented Latin and Cyrillic letters lose their marks (ö→o, é→e, ё→е, й→и).
    for code in (*range(0xC0, 0x250), *range(0x400, 0x530)):
        char = chr(code)
        decomposed = unicodedata.normalize("NFKD", char)
        base = "".join(c for c in decomposed if not unicodedata.combining(c))
        if base and base != char and base.isalpha():
            table[code] = base.lower()
    # Kazakh letters fold to the Russian ones people type on a Russian keyboard.
    for kazakh, russian in zip("әғқңөұүһі", "агкноуухи", strict=True):
        table[ord(kazakh)] = russian
    table[ord("ß")] = "ss"
    table[ord("_")] = " "
    return table


_FOLD: Final = MappingProxyType(_fold_table())
# Latin look-alikes typed inside a Cyrillic word ("кiтапхана" with a Latin i).
_LOOKALIKES: Final = frozenset("aceiopxykmthb")
_LATIN_IN_CYRILLIC: Final = MappingProxyType(str.maketrans("aceiopxykmthb", "асеиорхукмтнв"))
_NOT_WORD: Final = re.compile(r"[^\w-]+")
_CYRILLIC: Final = re.compile(r"[а-я]")
_LATIN: Final = re.compile(r"[a-z]")


def normalize(text: str) -> str:
    """Lowercase, folded, punctuation replaced by spaces (hyphens inside words are kept)."""
    return _NOT_WORD.sub(" ", text.lower().translate(_FOLD))


def _fix_script(word: str) -> str:
    """A Cyrillic word typed with Latin look-alikes ("кiтапхана") becomes all Cyrillic; a Latin
    word with a Cyrillic ending ("wifiға") is left alone."""
    latin = set(_LATIN.findall(word))
    if latin and latin <= _LOOKALIKES and _CYRILLIC.search(word):
        return word.translate(_LATIN_IN_CYRILLIC)
    return word


def _raw_words(text: str) -> list[str]:
    """The words of a text, hyphenated ones kept whole."""
    words = []
    for word in normalize(text).split():
        word = word.strip("-")
        if word:
            words.append(_fix_script(word)[:MAX_WORD_LENGTH])
    return words


def _keep(word: str) -> bool:
    return word.isdigit() or len(word) >= 2


def _words_set(text: str) -> frozenset[str]:
    return frozenset(word for word in _raw_words(text) for word in word.split("-") if word)


STOPWORDS: Final = _words_set(_GREETINGS + _STOPWORDS_KK + _STOPWORDS_RU + _STOPWORDS_EN)
_STOPWORD_CHOICES: Final = tuple(sorted(word for word in STOPWORDS if len(word) >= 4))
_STOP_PAIR_MAP: Final[Mapping[tuple[str, ...], tuple[str, ...]]] = MappingProxyType(
    {(normalize(first).strip(), normalize(second).strip()): () for first, second in _STOP_PAIRS}
)
_TIME_INTENT: Final = _words_set(_TIME_WORDS)
_PLACE_INTENT_WORDS: Final = _words_set(_PLACE_INTENT)


def _intent_matcher(words: str) -> tuple[frozenset[str], tuple[str, ...]]:
    """Whole words and stems (written with a trailing "*") of an intent's word list."""
    exact = frozenset(normalize(w).strip() for w in words.split() if not w.endswith("*"))
    stems = tuple(normalize(w[:-1]).strip() for w in words.split() if w.endswith("*"))
    return exact, stems


_INTENTS: Final = tuple(
    (intent, _intent_matcher(keys), _intent_matcher(company))
    for intent, (keys, company) in _INTENT_WORDS.items()
)
_GREETING: Final = _intent_matcher(" ".join(_INTENT_WORDS["menu"]))


def _is_one_of(word: str, matcher: tuple[frozenset[str], tuple[str, ...]]) -> bool:
    exact, stems = matcher
    return word in exact or word.startswith(stems)


def question_intent(text: str) -> Intent | None:
    """The screen a question asks for ("what's on now", «қазір не болып жатыр»), if it is one
    of those and says nothing else; a greeting in front of it («қайырлы таң, бүгін не
    болады?») does not count, and a greeting alone asks for the menu."""
    words = _words_set(text)
    asked = frozenset(word for word in words if not _is_one_of(word, _GREETING))
    for intent, keys, company in _INTENTS:
        said = words if intent == "menu" else asked
        if any(_is_one_of(word, keys) for word in said) and all(
            word in STOPWORDS or _is_one_of(word, keys) or _is_one_of(word, company)
            for word in said
        ):
            return intent
    return None


_DAY_MATCHERS: Final = tuple((day, _intent_matcher(words)) for day, words in _DAYS.items())


def _is_day_word(word: str) -> bool:
    """A day's name ("friday", «жұмадағы»): it picks the day of what is found, it is no word
    to look for in the program."""
    return any(_is_one_of(word, matcher) for _day, matcher in _DAY_MATCHERS)


def named_day(text: str) -> DayName | None:
    """The day a question names ("friday", «в пятницу», «ертең»), if it names one."""
    words = _words_set(text)
    for day, matcher in _DAY_MATCHERS:
        if any(_is_one_of(word, matcher) for word in words):
            return day
    return None


_SYNONYM_MAP: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {
        normalize(word).strip(): tuple(normalize(s).strip() for s in alternatives)
        for word, alternatives in _SYNONYMS.items()
    }
)


_SYNONYM_KEYS: Final = tuple(_SYNONYM_MAP)


def _synonyms_of(word: str) -> tuple[str, ...]:
    """The program's words for a word people use; one slip is forgiven in a word of five
    letters or more («закртие», «мұражйға», "closur"): a letter missed, added or swapped with
    its neighbour, not one letter for another, which is how a word changes its ending
    («закрытое» is "closed", not «закрытие», "closing")."""
    exact = _SYNONYM_MAP.get(word)
    if exact is not None or len(word) < MIN_TYPO_SYNONYM:
        return exact or ()
    near = process.extractOne(word, _SYNONYM_KEYS, scorer=OSA.distance, score_cutoff=1)
    if near is None or (len(near[0]) == len(word) and sorted(near[0]) != sorted(word)):
        return ()
    return _SYNONYM_MAP[near[0]]


_PHRASE_MAP: Final[Mapping[tuple[str, ...], tuple[str, ...]]] = MappingProxyType(
    {tuple(_raw_words(phrase)): tuple(_raw_words(words)) for phrase, words in _PHRASES.items()}
)


def _read_phrases(words: list[str]) -> list[str]:
    """Two-word names ("opening ceremony") replaced by the words the program uses."""
    return _replace_pairs(words, _PHRASE_MAP)


def _drop_stop_pairs(words: list[str]) -> list[str]:
    return _replace_pairs(words, _STOP_PAIR_MAP)


def _replace_pairs(
    words: list[str], pairs: Mapping[tuple[str, ...], tuple[str, ...]]
) -> list[str]:
    """Each pair of words found in `pairs` replaced by its words there, left to right."""
    out: list[str] = []
    index = 0
    while index < len(words):
        replacement = pairs.get(tuple(words[index : index + 2]))
        if replacement is None:
            out.append(words[index])
            index += 1
        else:
            out.extend(replacement)
            index += 2
    return out


def index_terms(text: str) -> Iterator[str]:
    """The terms a program text is indexed under: words, hyphen parts and joined words."""
    for word in _drop_stop_pairs(_raw_words(text)):
        parts = [part for part in word.split("-") if part]
        if len(parts) > 1:
            joined = "".join(parts)
            if joined not in STOPWORDS:
                yield joined
        for part in parts:
            if _keep(part) and part not in STOPWORDS:
                yield part


# Each kind name as its terms: a question containing all of them asks for that kind of event.
_KIND_PHRASES: Final = tuple(
    (kind, frozenset(terms))
    for kind, names in KIND_NAMES.items()
    for name in names
    if (terms := tuple(index_terms(name)))
)


# The kind names' terms by their first three letters: a word shares a stem only with a term
# that starts as it does (`_stem_similarity` wants three letters in common), so each word of a
# question is compared with a handful of terms instead of all of them.
_KIND_TERMS: Final = frozenset(term for _kind, phrase in _KIND_PHRASES for term in phrase)
_KIND_TERMS_BY_START: Final = MappingProxyType(
    {
        start: tuple(sorted(term for term in _KIND_TERMS if term[:3] == start))
        for start in {term[:3] for term in _KIND_TERMS}
    }
)


def _kind_terms_of(word: str) -> set[str]:
    """The kind-name terms a word is, or is a form of ("тренингтер" ~ "тренинг")."""
    terms = {word} if word in _KIND_TERMS else set()
    terms.update(
        term for term in _KIND_TERMS_BY_START.get(word[:3], ()) if _stem_similarity(word, term)
    )
    return terms


def _is_kind_word(word: str) -> bool:
    return bool(_kind_terms_of(word))


def _named_kinds(words: list[str]) -> frozenset[EventKind]:
    """The kinds whose whole name the question's words include ("trainings", "мастер-класс"):
    it asks for events of those kinds, not for a room that shares the word ("Computer training
    room"), nor for an event of another kind that mentions it ("Section moderators")."""
    named = set().union(*(_kind_terms_of(word) for word in words))
    return frozenset(kind for kind, phrase in _KIND_PHRASES if phrase <= named)


def _common_prefix(a: str, b: str) -> int:
    n = min(len(a), len(b))
    i = 0
    while i < n and a[i] == b[i]:
        i += 1
    return i


def _stem_similarity(query: str, term: str) -> float:
    """How well two words share a stem: 0 if not at all, else 0.6..1.

    The shorter word must be a prefix of the longer one but for its last letter (two for words
    of seven letters or more): «музей» ~ «музея», «библиотека» ~ «библиотеками»,
    «кітапхана» ~ «кітапханаларының». The more letters it replaces, the shorter the other
    word's ending must be (an ending replaces an ending; a pure extension may be long).
    """
    shorter = min(len(query), len(term))
    longer = max(len(query), len(term))
    if shorter < 3:
        return 0.0
    common = _common_prefix(query, term)
    short_tail = shorter - common
    long_tail = longer - common
    if common < (3 if shorter == 3 else 4) or short_tail > (1 if shorter <= 6 else 2):
        return 0.0
    longest_ending = short_tail + 2 if short_tail else 3 if shorter == 3 else MAX_SUFFIX
    if long_tail > longest_ending:
        return 0.0
    return max(0.6, 1.0 - STEM_PENALTY * (short_tail + long_tail))


def _allowed_edits(word: str) -> int:
    """Typos tolerated in a word: one up to eight letters, two up to twelve, then three."""
    return 1 if len(word) <= 8 else 2 if len(word) <= 12 else 3


def _stem_key(term: str) -> str:
    return term if len(term) <= 4 else term[: max(4, len(term) - 2)]


# -- the index ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Hit:
    kind: HitKind
    id: str  # event id / venue id / faq id
    score: float  # 0..100, higher is better
    room: str | None = None  # for a venue hit found through one of its rooms: the room id


@dataclass(frozen=True, slots=True)
class _Doc:
    kind: HitKind
    id: str
    room: str | None
    order: float  # events: start time; others: position in the program
    cancelled: bool = False
    event_kind: EventKind | None = None  # events only


@dataclass(frozen=True, slots=True)
class _Word:
    """One word of a question and the index terms it matched, with their similarity."""

    weight: float  # IDF of the word
    matches: Mapping[int, float]  # document -> best similarity x field weight
    terms: tuple[str, ...] = ()  # the index terms it was read as (a typo: the words meant)


class _Builder:
    def __init__(self) -> None:
        self.docs: list[_Doc] = []
        self.fields: dict[str, dict[int, float]] = {}

    def add(self, doc: _Doc, fields: Iterable[tuple[float, Iterable[str]]]) -> None:
        """Add a document with its fields: (weight, the field's terms)."""
        index = len(self.docs)
        self.docs.append(doc)
        for weight, terms in fields:
            for term in terms:
                postings = self.fields.setdefault(term, {})
                if postings.get(index, 0.0) < weight:
                    postings[index] = weight


def _terms(texts: Iterable[str]) -> list[str]:
    return [term for text in texts for term in index_terms(text)]


def _langs(text: Text | None) -> tuple[str, ...]:
    if text is None:
        return ()
    return tuple(value for value in (text.kk, text.ru, text.en) if value)


class AnswerIndex:
    """The program's words, ready for matching questions; immutable once built."""

    def __init__(
        self,
        docs: tuple[_Doc, ...],
        postings: Mapping[str, tuple[tuple[int, float], ...]],
    ) -> None:
        self._docs = docs
        self._postings = postings
        words = sorted(term for term in postings if not term.isdigit())
        self._sorted = words
        stem_keys: dict[str, list[str]] = {}
        by_first: dict[str, list[str]] = {}
        for term in words:
            stem_keys.setdefault(_stem_key(term), []).append(term)
            if len(term) >= 3:
                by_first.setdefault(term[0], []).append(term)
        self._stem_keys = {key: tuple(terms) for key, terms in stem_keys.items()}
        self._fuzzy: dict[str, tuple[list[str], list[int]]] = {}
        for first, terms in by_first.items():
            terms.sort(key=len)
            self._fuzzy[first] = (terms, [len(term) for term in terms])
        self._idf_unknown = UNKNOWN_WEIGHT * math.log(1 + max(len(docs), 1))

    @classmethod
    def build(cls, program: Program) -> AnswerIndex:
        builder = _Builder()
        for event in program.events:
            section = program.sections_by_id.get(event.section or "")
            speakers = [name for speaker in event.speakers for name in _langs(speaker)]
            builder.add(
                _Doc(
                    "event",
                    event.id,
                    None,
                    event.starts_at.timestamp(),
                    event.cancelled,
                    event.kind,
                ),
                [
                    (W_TITLE, _terms(_langs(event.title))),
                    (W_KIND, _terms(KIND_NAMES.get(event.kind, ()))),
                    (W_SPEAKER, _terms(speakers)),
                    (W_SECTION, _terms(_langs(section.title) if section else ())),
                    (W_DESCRIPTION, _terms(_langs(event.description))),
                    (W_SIGNUP_WORD, _terms(SIGNUP_WORDS) if event.capacity else []),
                ],
            )
        for position, venue in enumerate(program.venues):
            venue_terms = _terms(_langs(venue.name))
            builder.add(
                _Doc("venue", venue.id, None, position),
                [
                    (W_VENUE_NAME, venue_terms),
                    (W_ADDRESS, _terms(_langs(venue.address))),
                    (W_PLACE_WORD, _terms(PLACE_WORDS)),
                ],
            )
            known = frozenset(venue_terms)
            for room in venue.rooms:
                # "Кафе библиотеки": the library is the room's venue, not the room.
                own: list[str] = []
                context: list[str] = []
                for term in _terms(_langs(room.name)):
                    of_venue = term in known or any(_stem_similarity(term, v) for v in known)
                    (context if of_venue else own).append(term)
                builder.add(
                    _Doc("venue", venue.id, room.id, position),
                    [(W_ROOM_NAME, own), (W_ROOM_VENUE, [*venue_terms, *context])],
                )
        for position, entry in enumerate(program.faq):
            keywords = [word for words in entry.keywords.values() for word in words]
            builder.add(
                _Doc("faq", entry.id, None, position),
                [
                    (W_FAQ_KEYWORD, _terms(keywords)),
                    (W_FAQ_QUESTION, _terms(_langs(entry.question))),
                ],
            )
        postings = {term: tuple(docs.items()) for term, docs in builder.fields.items()}
        return cls(tuple(builder.docs), postings)

    @property
    def size(self) -> tuple[int, int]:
        """(documents, vocabulary terms): for logs and benchmarks."""
        return len(self._docs), len(self._postings)

    # -- matching ------------------------------------------------------------------------------

    def _stems(self, word: str) -> dict[str, float]:
        """Index terms sharing a stem with `word` (not `word` itself), with their similarity."""
        found: dict[str, float] = {}
        if len(word) < 3 or word.isdigit():
            return found
        candidates: list[str] = []
        # Terms at least as long as the word: they start with all of it but two letters.
        prefix = word[: 3 if len(word) == 3 else max(4, len(word) - 2)]
        start = bisect_left(self._sorted, prefix)
        end = bisect_left(self._sorted, prefix + "\U0010ffff", start)
        candidates.extend(self._sorted[start:end])
        # Shorter terms: the word starts with all of the term but its last two letters.
        for length in range(3, len(word) + 1):
            candidates.extend(self._stem_keys.get(word[:length], ()))
        for term in candidates:
            if term != word and term not in found:
                similarity = _stem_similarity(word, term)
                if similarity > 0:
                    found[term] = similarity
        return found

    def _fuzzy_terms(self, word: str) -> dict[str, float]:
        """Index terms a typo or two away from `word` (same first letter), with similarity.

        Two measures, either suffices: the OSA edit distance (a swapped, missing, extra or
        wrong letter is one edit: "tuor", "wfi", «регистарция») within `_allowed_edits`, and
        for words of five letters or more the Indel ratio >= 80 (a moved letter: "brake").
        """
        if len(word) < 3 or len(word) > 30 or word.isdigit():
            return {}
        bucket = self._fuzzy.get(word[0])
        if bucket is None:
            return {}
        terms, lengths = bucket
        edits = _allowed_edits(word)
        spread = max(edits, len(word) // 4)
        low = bisect_left(lengths, len(word) - spread)
        band = terms[low : bisect_left(lengths, len(word) + spread + 1, low)]
        if len(word) < SHORT_WORD:
            # One letter of three wrong is another word ("now" is not "new"); a missing one
            # is still a typo ("wfi").
            band = [term for term in band if len(term) == len(word) + 1]
        found: dict[str, float] = {}
        for term, distance, _ in process.extract(
            word, band, scorer=OSA.distance, score_cutoff=edits, limit=FUZZY_LIMIT
        ):
            found[term] = FUZZY_SIMILARITY * (1 - distance / max(len(word), len(term)))
        if len(word) >= 5:
            for term, ratio, _ in process.extract(
                word, band, scorer=fuzz.ratio, score_cutoff=FUZZY_RATIO, limit=FUZZY_LIMIT
            ):
                found[term] = max(found.get(term, 0.0), FUZZY_SIMILARITY * ratio / 100)
        return found

    def _terms_for(self, word: str) -> dict[str, float] | None:
        """Index terms matching one query word; None if the word is a misspelt filler word."""
        terms = self._stems(word)
        if word in self._postings:
            terms[word] = 1.0
            return terms
        fuzzy = self._fuzzy_terms(word)
        for term, similarity in fuzzy.items():
            if similarity > terms.get(term, 0.0):
                terms[term] = similarity
        if len(word) >= 4 and not word.isdigit() and not self._exactish(terms):
            # A misspelt filler word («кагда») is dropped unless it is closer to a program word.
            stop = process.extractOne(word, _STOPWORD_CHOICES, scorer=OSA.distance, score_cutoff=1)
            if stop is not None:
                similarity = FUZZY_SIMILARITY * (1 - stop[1] / max(len(word), len(stop[0])))
                if similarity > max(fuzzy.values(), default=0.0):
                    return None
        return terms

    @staticmethod
    def _exactish(terms: Mapping[str, float]) -> bool:
        return any(similarity >= 0.9 for similarity in terms.values())

    def _query_words(self, text: str) -> tuple[list[str], bool, bool]:
        """The question's content words (hyphen words joined if the index knows them) and
        whether it asks when / where."""
        raw = _drop_stop_pairs(_raw_words(text))
        parts_all = {part for word in raw for part in word.split("-")}
        asks_when = not parts_all.isdisjoint(_TIME_INTENT)
        asks_where = not parts_all.isdisjoint(_PLACE_INTENT_WORDS)
        words: dict[str, None] = {}  # ordered and unique
        for word in _read_phrases(raw):
            parts = [part for part in word.split("-") if part]
            if len(parts) > 1:
                joined = "".join(parts)
                if joined in self._postings or self._stems(joined):
                    parts = [joined]
            for part in parts:
                if _keep(part) and part not in STOPWORDS and not _is_day_word(part):
                    words[part] = None
            if len(words) >= MAX_QUERY_WORDS:
                break
        return list(words)[:MAX_QUERY_WORDS], asks_when, asks_where

    def _match(self, word: str) -> _Word | None:
        synonyms = _synonyms_of(word)
        terms: dict[str, float] = {}
        for alternative in (word, *synonyms):
            found = self._terms_for(alternative)
            if found is None:
                if alternative == word and not synonyms:  # a misspelt filler word
                    return None
                continue
            for term, similarity in found.items():
                terms[term] = max(terms.get(term, 0.0), similarity)
        matches: dict[int, float] = {}
        for term, similarity in terms.items():
            for doc, weight in self._postings[term]:
                value = similarity * weight
                if value > matches.get(doc, 0.0):
                    matches[doc] = value
        if not matches:
            return _Word(self._idf_unknown, matches, tuple(terms))
        return _Word(math.log(1 + len(self._docs) / len(matches)), matches, tuple(terms))

    def _prior(self, doc: _Doc, asks_when: bool, asks_where: bool, names_kind: bool) -> float:
        if doc.kind == "faq":
            return PRIOR_FAQ
        if doc.kind == "venue":
            if asks_where:
                return PRIOR_VENUE_WHERE
            return PRIOR_VENUE_KIND if names_kind else PRIOR_VENUE
        if asks_when:
            prior = PRIOR_EVENT_WHEN
        elif asks_where:
            prior = PRIOR_EVENT_WHERE
        else:
            prior = PRIOR_EVENT
        return prior * PRIOR_CANCELLED if doc.cancelled else prior

    def search(self, text: str, *, limit: int | None = 5) -> list[Hit]:
        """The best answers to a question, best first; [] when nothing matches well enough.

        `limit=None` returns every hit, so that a reply can tell how many it leaves out."""
        if limit is not None and limit <= 0:
            return []
        words, asks_when, asks_where = self._query_words(text)
        matched = [found for word in words if (found := self._match(word)) is not None]
        total = sum(word.weight for word in matched)
        if total <= 0:
            return []
        kinds = _named_kinds([*words, *(term for word in matched for term in word.terms)])
        names_kind = bool(kinds)
        # Only a question made of kind names alone ("sections", «тренинги завтра») lists that
        # kind only; «прощальный обед» names a break ("lunch") but asks for the farewell dinner.
        listing = names_kind and all(_is_kind_word(word) for word in words)
        sums: dict[int, float] = {}
        for word in matched:
            for position, value in word.matches.items():
                sums[position] = sums.get(position, 0.0) + word.weight * value
        scored: list[tuple[float, int, _Doc]] = []
        for position, value in sums.items():
            doc = self._docs[position]
            if listing and doc.event_kind is not None and doc.event_kind not in kinds:
                continue  # "sections": not the plenary whose speakers are section moderators
            score = 100 * value / total * self._prior(doc, asks_when, asks_where, names_kind)
            if score >= THRESHOLD:
                scored.append((round(score, 4), position, doc))
        if not scored:
            return []
        best = max(score for score, _, _ in scored)
        scored = [item for item in scored if item[0] >= best * RELATIVE_CUTOFF]
        # Equal scores: FAQ, then venues, then events; events in time order.
        scored.sort(key=lambda item: (-item[0], KIND_RANK[item[2].kind], item[2].order, item[1]))
        return [
            Hit(doc.kind, doc.id, round(score, 2), doc.room) for score, _, doc in scored[:limit]
        ]


# Replies kept for questions asked word for word before ("wifi password", typed by half the
# hall): the latest ones, for the current program and day. Longer texts are not kept.
REPLIES_KEPT: Final = 1000
KEPT_UP_TO: Final = 200  # characters


class Answers:
    """Keeps one index per program snapshot: rebuilt only when the snapshot object changes.

    A question's reply depends only on its text, the program and the day it is asked on (for
    "tomorrow"), so the replies to the latest questions are kept per snapshot and day: the
    same question again costs a lookup instead of a search, about half of what answering it
    costs (docs/PERFORMANCE.md).
    """

    def __init__(self, programs: ProgramHolder) -> None:
        self._programs = programs
        self._program: Program | None = None
        self._index: AnswerIndex | None = None
        self._replies: OrderedDict[tuple[str, date], Reply] = OrderedDict()

    @property
    def index(self) -> AnswerIndex:
        program = self._programs.current
        if self._index is None or program is not self._program:
            self._index = AnswerIndex.build(program)
            self._program = program
            self._replies.clear()
        return self._index

    def prepare(self) -> None:
        """Build the current program's index now rather than at the first question."""
        _ = self.index

    def search(self, text: str, *, limit: int | None = 5) -> list[Hit]:
        return self.index.search(text, limit=limit)

    def reply(self, text: str, now: datetime) -> Reply:
        """What to answer a question with: a screen it asks for, else the best hits; events on
        the day the question names, if it names one of the forum's ("trainings tomorrow")."""
        if len(text) > KEPT_UP_TO:
            return self._reply(text, now)
        _ = self.index  # a new program forgets the replies kept
        key = (text, now.astimezone(self._programs.current.tz).date())
        reply = self._replies.get(key)
        if reply is None:
            reply = self._replies[key] = self._reply(text, now)
            if len(self._replies) > REPLIES_KEPT:
                self._replies.popitem(last=False)
        else:
            self._replies.move_to_end(key)
        return reply

    def _reply(self, text: str, now: datetime) -> Reply:
        intent = question_intent(text)
        day = named_day(text)
        if intent is not None:
            return Reply(intent, day=day if intent == "schedule" else None)
        hits = self.search(text, limit=None)
        program = self._programs.current
        index = None if day is None else named_day_index(program, now, day)
        if index is not None:
            date = program.forum.days[index]
            on_day = [
                hit
                for hit in hits
                if hit.kind != "event"
                or program.events_by_id[hit.id].starts_at.astimezone(program.tz).date() == date
            ]
            if any(hit.kind == "event" for hit in on_day):  # else the other days', not nothing
                hits = on_day
        return choose_reply(hits)


# -- what to answer with -------------------------------------------------------------------

# Hits scoring at least this share of the best one are shown together.
TOGETHER: Final = 0.9
# Events listed in one answer; the others found alike are counted ("…and 3 more").
MAX_EVENTS: Final = 6
# The best hits among which a FAQ answer looks for its place's pin.
PLACE_HITS: Final = 5


@dataclass(frozen=True, slots=True)
class Reply:
    """What the bot answers a question with (the handler renders it)."""

    kind: ReplyKind | None  # None: nothing matched well enough
    ids: tuple[str, ...] = ()  # one FAQ entry or venue; one or more events
    room: str | None = None  # a venue found through one of its rooms
    venue: str | None = None  # a FAQ answer's place, to offer its pin
    more: int = 0  # events found as well as `ids` but left out of the list
    day: DayName | None = None  # the schedule of the day a question names


def choose_reply(hits: list[Hit]) -> Reply:
    """The best hit's kind decides; events that score alike are listed together.

    `hits`: all of them, best first (`search(limit=None)`), so that a kind of event with more
    events than a list shows ("sections": nine) is answered with the best `MAX_EVENTS` of them
    and the count of the rest, not with as many as a search limit happened to keep."""
    if not hits:
        return Reply(None)
    best = hits[0]
    close = [hit for hit in hits if hit.score >= best.score * TOGETHER]
    if best.kind == "faq":
        place = next((hit for hit in close[:PLACE_HITS] if hit.kind == "venue"), None)
        if place is None:
            return Reply("faq", (best.id,))
        return Reply("faq", (best.id,), room=place.room, venue=place.id)
    if best.kind == "venue":
        return Reply("venue", (best.id,), room=best.room)
    events = tuple(hit.id for hit in close if hit.kind == "event")
    return Reply("event", events[:MAX_EVENTS], more=len(events[MAX_EVENTS:]))
