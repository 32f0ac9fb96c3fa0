"""Load and validate the program file, reporting every problem at once.

Each item (the forum block, every venue, event, delegation, ...) is validated on its own, so
one broken event does not hide the problems of the next one; the rules that span items
(references, duplicate ids, overlapping rooms, dates) run over the items that parsed. Every
problem names the file, the line where YAML has one, the path inside the file
(`events[12].starts_at`) and what is wrong.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError
from yaml.constructor import SafeConstructor

from bot.program.models import (
    FALLBACK_ORDER,
    Delegation,
    Event,
    FaqEntry,
    Forum,
    ItineraryItem,
    Program,
    Section,
    Text,
    Venue,
)

Loc = tuple[str | int, ...]
M = TypeVar("M", bound=BaseModel)

TOP_LEVEL = ("forum", "sections", "venues", "events", "delegations", "faq")
TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"


@dataclass(frozen=True)
class Problem:
    path: str
    message: str
    line: int | None = None

    def render(self, source: str) -> str:
        where = f"{source}:{self.line}" if self.line else source
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class ProgramError(Exception):
    """The program file cannot be used; `problems` lists everything wrong with it."""

    def __init__(self, source: str, problems: Sequence[Problem]) -> None:
        self.source = source
        self.problems = tuple(problems)
        super().__init__(self.render())

    def render(self) -> str:
        count = len(self.problems)
        head = f"{self.source}: {count} problem{'s' if count != 1 else ''} in the program file"
        return "\n".join([head, *self.lines()])

    def lines(self) -> list[str]:
        """Each problem on a line of its own, naming the file and the line."""
        return [problem.render(self.source) for problem in self.problems]


@dataclass(frozen=True)
class LoadedProgram:
    program: Program
    warnings: tuple[Problem, ...] = ()
    source: str = ""

    def render_warnings(self) -> list[str]:
        return [warning.render(self.source) for warning in self.warnings]


def format_path(loc: Loc) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def load_program(path: Path | str) -> LoadedProgram:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ProgramError(str(path), [Problem("", "file not found")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ProgramError(str(path), [Problem("", f"cannot read the file: {exc}")]) from None
    return parse_program(text, source=str(path))


def parse_program(text: str, *, source: str = "<program>") -> LoadedProgram:
    # libyaml's loader when PyYAML has it (15 times faster: start-up and /reload), parsing once:
    # the node tree gives the line numbers of problems, the document built from it the data.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)
    root_node = None
    try:
        root_node = loader.get_single_node()
        raw = loader.construct_document(root_node) if root_node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        reason = getattr(exc, "problem", None) or str(exc)
        raise ProgramError(source, [Problem("", f"not valid YAML: {reason}", line)]) from None
    except ValueError as exc:
        # YAML turns every scalar shaped like a date into one and fails, outside its own error
        # type, on a date that does not exist: name each such value where it is written.
        problems = _impossible_timestamps(loader, root_node)
        raise ProgramError(source, problems or [Problem("", f"not valid YAML: {exc}")]) from None
    finally:
        loader.dispose()
    checker = _Checker(raw, root_node)
    program = checker.run()
    if checker.errors or program is None:
        raise ProgramError(source, sorted(checker.errors, key=lambda p: p.line or 0))
    return LoadedProgram(program=program, warnings=tuple(checker.warnings), source=source)


def _impossible_timestamps(loader: SafeConstructor, root: yaml.Node | None) -> list[Problem]:
    """A problem for each scalar YAML reads as a date or time that does not exist
    (2026-02-30, 2026-12-10 25:00:00), at its line and path."""
    problems = []
    for loc, node in _scalars(root, (), set()):
        if node.tag != TIMESTAMP_TAG:
            continue
        try:
            loader.construct_yaml_timestamp(node)
        except ValueError as exc:
            what = "date and time" if ":" in node.value else "date"
            message = f"{node.value!r} is not a real {what}: {exc}"
            problems.append(Problem(format_path(loc), message, node.start_mark.line + 1))
    return problems


def _scalars(
    node: yaml.Node | None, loc: Loc, seen: set[int]
) -> Iterator[tuple[Loc, yaml.ScalarNode]]:
    """Every scalar under `node` with its path, each once (an alias may repeat a node)."""
    if node is None or id(node) in seen:
        return
    seen.add(id(node))
    if isinstance(node, yaml.ScalarNode):
        yield loc, node
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            yield from _scalars(item, loc + (index,), seen)
    elif isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            yield from _scalars(key, loc, seen)
            part = str(key.value) if isinstance(key, yaml.ScalarNode) else "?"
            yield from _scalars(value, loc + (part,), seen)


def _line_of(node: yaml.Node | None, loc: Loc) -> int | None:
    """The 1-based line of the YAML node at `loc`, or of its nearest existing parent."""
    if node is None:
        return None
    line = node.start_mark.line + 1
    for part in loc:
        child: yaml.Node | None = None
        if isinstance(node, yaml.MappingNode) and isinstance(part, str):
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode) and key.value == part:
                    child = value
                    break
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part >= 0:
            child = node.value[part] if part < len(node.value) else None
        if child is None:
            break
        node = child
        line = node.start_mark.line + 1
    return line


def _message(error: Mapping[str, Any]) -> str:
    kind = error.get("type", "")
    if kind == "string_pattern_mismatch":
        pattern = str(error.get("ctx", {}).get("pattern", ""))
        if "A-Z" in pattern:
            return "expected letters, digits, '-' or '_'"
        return "expected an id of lowercase latin letters, digits, '-' or '_'"
    if kind == "missing":
        return "required field is missing"
    ctx = error.get("ctx", {})
    if kind == "greater_than_equal":
        return f"must be {ctx.get('ge')} or more"
    if kind == "greater_than":
        return f"must be more than {ctx.get('gt')}"
    if kind == "less_than_equal":
        return f"must be {ctx.get('le')} or less"
    if kind.startswith("datetime_"):
        return "expected a date and time like 2026-12-10T10:00"
    if kind.startswith("date_"):
        return "expected a date like 2026-12-10"
    if kind == "extra_forbidden":
        return "unknown field (check the spelling against the program format)"
    message = str(error.get("msg", "invalid value"))
    return message.removeprefix("Value error, ")


@dataclass
class _Checker:
    raw: Any
    root: yaml.Node | None
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    def error(self, loc: Loc, message: str) -> None:
        self.errors.append(Problem(format_path(loc), message, _line_of(self.root, loc)))

    def warn(self, loc: Loc, message: str) -> None:
        self.warnings.append(Problem(format_path(loc), message, _line_of(self.root, loc)))

    def validate(self, model: type[M], data: Any, loc: Loc, context: dict[str, Any]) -> M | None:
        try:
            return model.model_validate(data, context=context)
        except ValidationError as exc:
            for error in exc.errors():
                self.error(loc + tuple(error["loc"]), _message(error))
            return None

    def items(self, key: str) -> list[tuple[Loc, Any]]:
        value = self.raw.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.error((key,), "expected a list")
            return []
        return [((key, index), item) for index, item in enumerate(value)]

    def run(self) -> Program | None:
        if not isinstance(self.raw, dict):
            self.error((), "expected a mapping with forum, venues and events at the top")
            return None
        for key in self.raw:
            if key not in TOP_LEVEL:
                self.error((str(key),), f"unknown top-level key; expected one of {TOP_LEVEL}")
        if "forum" not in self.raw:
            self.error(("forum",), "required block is missing")
        forum = self.validate(Forum, self.raw.get("forum"), ("forum",), {})
        context: dict[str, Any] = {"tz": forum.tz if forum else None}

        def parse(key: str, model: type[M]) -> list[tuple[Loc, M]]:
            parsed = []
            for loc, item in self.items(key):
                value = self.validate(model, item, loc, context)
                if value is not None:
                    parsed.append((loc, value))
            return parsed

        sections = parse("sections", Section)
        venues = parse("venues", Venue)
        events = parse("events", Event)
        delegations = parse("delegations", Delegation)
        faq = parse("faq", FaqEntry)
        if not self.raw.get("venues"):
            self.error(("venues",), "the program has no venues")
        if not self.raw.get("events"):
            self.error(("events",), "the program has no events")

        self.check_unique(self.raw_ids("sections"))
        self.check_unique(self.raw_ids("venues"))
        self.check_unique(self.raw_ids("events"))
        self.check_unique(self.raw_ids("delegations"))
        self.check_unique(self.raw_ids("faq"))
        self.check_unique(self.raw_ids("delegations", "join_code"), "join_code")
        for loc, venue in venues:
            rooms = [(loc + ("rooms", i), room.id) for i, room in enumerate(venue.rooms)]
            self.check_unique(rooms, "room id")
        items = self.itinerary_items(context)
        self.check_references(events, items)
        self.check_times(forum, events, items)
        self.check_rooms(events)
        if forum is not None:
            self.check_reminders(forum, events)
        for loc, model in [*sections, *venues, *events, *delegations, *faq]:
            self.check_languages(model, loc)
        if forum is not None:
            self.check_languages(forum, ("forum",))

        if self.errors or forum is None:
            return None
        return Program(
            forum=forum,
            sections=tuple(item for _, item in sections),
            venues=tuple(item for _, item in venues),
            events=tuple(item for _, item in events),
            delegations=tuple(item for _, item in delegations),
            faq=tuple(item for _, item in faq),
        )

    # -- rules that span items -------------------------------------------------------------

    def itinerary_items(self, context: dict[str, Any]) -> list[tuple[Loc, ItineraryItem]]:
        """Every itinerary item that is valid on its own, also in a delegation that failed
        (its problem is reported already; the other items' problems are reported with it)."""
        found = []
        for loc, delegation in self.items("delegations"):
            items = delegation.get("itinerary") if isinstance(delegation, dict) else None
            for index, item in enumerate(items if isinstance(items, list) else ()):
                try:
                    parsed = ItineraryItem.model_validate(item, context=context)
                except ValidationError:
                    continue
                found.append((loc + ("itinerary", index), parsed))
        return found

    def raw_ids(self, key: str, name: str = "id") -> list[tuple[Loc, str]]:
        """Ids as written, also of items that failed to parse (so references stay checkable)."""
        out = []
        for loc, item in self.items(key):
            if isinstance(item, dict) and isinstance(item.get(name), str):
                out.append((loc + (name,), item[name]))
        return out

    def check_unique(self, ids: list[tuple[Loc, str]], what: str = "id") -> None:
        first: dict[str, Loc] = {}
        for loc, value in ids:
            if value in first:
                self.error(
                    loc, f"duplicate {what} {value!r} (first used at {format_path(first[value])})"
                )
            else:
                first[value] = loc

    def check_references(
        self,
        events: list[tuple[Loc, Event]],
        items: list[tuple[Loc, ItineraryItem]],
    ) -> None:
        venue_rooms: dict[str, set[str]] = {}
        for _, venue in self.items("venues"):
            if isinstance(venue, dict) and isinstance(venue.get("id"), str):
                rooms = venue.get("rooms") or []
                venue_rooms[venue["id"]] = {
                    room["id"] for room in rooms if isinstance(room, dict) and "id" in room
                }
        section_ids = {value for _, value in self.raw_ids("sections")}
        for loc, event in events:
            if event.venue not in venue_rooms:
                self.error(loc + ("venue",), f"unknown venue {event.venue!r}")
            elif event.room is not None and event.room not in venue_rooms[event.venue]:
                self.error(
                    loc + ("room",), f"unknown room {event.room!r} in venue {event.venue!r}"
                )
            if event.section is not None and event.section not in section_ids:
                if "sections" in self.raw:
                    self.error(loc + ("section",), f"unknown section {event.section!r}")
                else:
                    self.warn(
                        loc + ("section",),
                        f"section {event.section!r} has no title: add it under `sections`",
                    )
        for loc, item in items:
            if item.venue is not None and item.venue not in venue_rooms:
                self.error(loc + ("venue",), f"unknown venue {item.venue!r}")

    def check_times(
        self,
        forum: Forum | None,
        events: list[tuple[Loc, Event]],
        items: list[tuple[Loc, ItineraryItem]],
    ) -> None:
        for loc, event in events:
            if event.ends_at <= event.starts_at:
                self.error(loc + ("ends_at",), "ends_at must be after starts_at")
                continue
            if forum is None:
                continue
            first = event.starts_at.astimezone(forum.tz).date()
            last = (event.ends_at - timedelta(microseconds=1)).astimezone(forum.tz).date()
            if first < forum.starts_on or last > forum.ends_on:
                self.error(
                    loc + ("starts_at",),
                    f"the event is outside the forum's dates "
                    f"({forum.starts_on.isoformat()} to {forum.ends_on.isoformat()})",
                )
        for loc, item in items:
            if item.ends_at is not None and item.ends_at <= item.starts_at:
                self.error(loc + ("ends_at",), "ends_at must be after starts_at")

    def check_rooms(self, events: list[tuple[Loc, Event]]) -> None:
        by_room: dict[tuple[str, str], list[tuple[Loc, Event]]] = defaultdict(list)
        for loc, event in events:
            if event.room is not None and not event.cancelled:
                by_room[(event.venue, event.room)].append((loc, event))
        for (venue, room), held in by_room.items():
            held.sort(key=lambda pair: pair[1].starts_at)
            busy_loc, busy = held[0]
            for loc, event in held[1:]:
                if event.starts_at < busy.ends_at:
                    self.error(
                        loc + ("starts_at",),
                        f"overlaps {format_path(busy_loc)} ({busy.id!r}) in room "
                        f"{venue}/{room}; cancel one or move it",
                    )
                if event.ends_at > busy.ends_at:
                    busy_loc, busy = loc, event

    def check_reminders(self, forum: Forum, events: list[tuple[Loc, Event]]) -> None:
        kinds = {event.kind for _, event in events}
        for kind in forum.reminders:
            if kind != "default" and kind not in kinds:
                self.error(("forum", "reminders", str(kind)), f"no event has the kind '{kind}'")
        for index, kind in enumerate(forum.remind_everyone):
            if kind not in kinds:
                self.error(("forum", "remind_everyone", index), f"no event has the kind '{kind}'")

    def check_languages(self, model: BaseModel, loc: Loc) -> None:
        for text_loc, text in _texts(model, loc):
            missing = text.missing_languages()
            if missing:
                fallback = next(lang for lang in FALLBACK_ORDER if lang not in missing)
                self.warn(
                    text_loc,
                    f"no {'/'.join(missing)} text; those readers will see the {fallback} text",
                )


def _texts(value: Any, loc: Loc) -> Iterator[tuple[Loc, Text]]:
    if isinstance(value, Text):
        yield loc, value
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from _texts(getattr(value, name), loc + (name,))
    elif isinstance(value, tuple):
        for index, item in enumerate(value):
            yield from _texts(item, loc + (index,))


def summary_counts(program: Program) -> dict[str, Any]:
    """Figures for `forum-bot check-program`."""
    by_kind: dict[str, int] = defaultdict(int)
    for event in program.events:
        by_kind[event.kind.value] += 1
    return {
        "days": program.forum.days,
        "events": len(program.events),
        "by_kind": dict(sorted(by_kind.items())),
        "venues": len(program.venues),
        "rooms": sum(len(venue.rooms) for venue in program.venues),
        "delegations": len(program.delegations),
        "faq": len(program.faq),
        "sections": len(program.sections),
    }
