"""`/start` payloads: e-<event id>, v-<venue id>, d-<join code>."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class LinkKind(StrEnum):
    EVENT = "e"
    VENUE = "v"
    DELEGATION = "d"


# Telegram usernames: 5-32 letters, digits and underscores.
_USERNAME = re.compile(r"^[A-Za-z0-9_]{5,32}$")

# Telegram allows A-Z, a-z, 0-9, _ and - in a start payload, at most 64 characters.
_PAYLOAD = re.compile(r"^(?P<kind>[evd])-(?P<value>[A-Za-z0-9_-]{1,62})$")


@dataclass(frozen=True, slots=True)
class DeepLink:
    kind: LinkKind
    value: str

    @property
    def payload(self) -> str:
        return f"{self.kind.value}-{self.value}"


def parse_payload(payload: str | None) -> DeepLink | None:
    """The link a payload names, or None if it names none we know of."""
    if not payload:
        return None
    match = _PAYLOAD.match(payload.strip())
    if match is None:
        return None
    return DeepLink(LinkKind(match["kind"]), match["value"])


def normalize_bot_username(value: str) -> str:
    """The bot's username without a leading @; ValueError if it is not a Telegram username."""
    name = value.strip().removeprefix("@")
    if not _USERNAME.fullmatch(name):
        raise ValueError(
            f"invalid bot username {value!r}: expected 5-32 letters, digits or underscores "
            "(an optional leading @ is dropped), like forum_bot"
        )
    return name


def start_link(bot_username: str, link: DeepLink) -> str:
    return f"https://t.me/{bot_username}?start={link.payload}"
