"""Telegram's HTML subset, parsed the way Telegram (TDLib) parses it.

The bot checks organizers' broadcast texts with it before anything is sent, so a broken tag is
refused with Telegram's own reason; the fake Bot API in tests/fakes answers with the same parser.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

JsonDict = dict[str, Any]

SPACES: Final = frozenset(" \t\r\n\v\f\0")
_MARKUP: Final = re.compile("[<&]")


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units (the unit of MessageEntity offsets)."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def utf8_len(text: str) -> int:
    return len(text.encode("utf-8", "surrogatepass"))


class HtmlParseError(ValueError):
    """The text is not valid Telegram HTML; ``str(error)`` is Telegram's wording."""


_TAG_ENTITY_TYPES: Final[Mapping[str, str]] = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}

_NAMED_HTML_ENTITIES: Final[Mapping[str, str]] = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


def _decode_html_entity(source: str, pos: int) -> tuple[str, int] | None:
    """Decode ``&...`` at ``pos`` the way Telegram does; returns (character, next position).

    Only ``&lt; &gt; &amp; &quot;`` and numeric references are known; the trailing ``;`` is
    optional. Anything else is not an entity and the ``&`` stays literal.
    """
    n = len(source)
    end = pos + 1
    if end < n and source[end] == "#":
        end += 1
        code = 0
        if end < n and source[end] == "x":
            end += 1
            while end < n and source[end] in "0123456789abcdefABCDEF":
                code = code * 16 + int(source[end], 16)
                end += 1
                if code >= 0x10FFFF:
                    return None
        else:
            while end < n and "0" <= source[end] <= "9":
                code = code * 10 + int(source[end])
                end += 1
                if code >= 0x10FFFF:
                    return None
        if code == 0 or 0xD800 <= code <= 0xDFFF:
            return None
        char = chr(code)
    else:
        while end < n and source[end].isascii() and source[end].isalpha():
            end += 1
        named = _NAMED_HTML_ENTITIES.get(source[pos + 1 : end])
        if named is None:
            return None
        char = named
    if end < n and source[end] == ";":
        end += 1
    return char, end


@dataclass
class _OpenTag:
    name: str
    argument: str | None
    utf16_start: int
    piece_index: int


def parse_html(source: str) -> tuple[str, list[JsonDict]]:
    """Parse Telegram's HTML subset into plain text and MessageEntity dicts.

    Mirrors TDLib's ``parse_html``: supported tags are b/strong, i/em, u/ins, s/strike/del,
    tg-spoiler, span class="tg-spoiler", a href, code (class="language-x" inside pre), pre,
    blockquote (optionally ``expandable``) and tg-emoji emoji-id. Offsets and lengths are in
    UTF-16 code units; error messages carry UTF-8 byte offsets like Telegram's.

    Raises:
        HtmlParseError: with Telegram's description (without the "can't parse entities" prefix).
    """

    def byte_offset(index: int) -> int:
        return utf8_len(source[:index])

    pieces: list[str] = []
    utf16 = 0
    stack: list[_OpenTag] = []
    # (entity, language of a code entity) in closing order
    entities: list[tuple[JsonDict, str | None]] = []
    n = len(source)
    i = 0
    while i < n:
        char = source[i]
        if char == "&":
            decoded = _decode_html_entity(source, i)
            if decoded is not None:
                text, i = decoded
                pieces.append(text)
                utf16 += utf16_len(text)
                continue
        if char != "<":
            # plain text (or an "&" that begins no entity) up to the next tag or "&", in one piece
            found = _MARKUP.search(source, i + 1)
            stop = n if found is None else found.start()
            run = source[i:stop]
            pieces.append(run)
            utf16 += utf16_len(run)
            i = stop
            continue

        begin = i
        i += 1
        if i < n and source[i] == "/":
            # an end tag
            if not stack:
                raise HtmlParseError(f"Unexpected end tag at byte offset {byte_offset(begin)}")
            j = i + 1
            while j < n and source[j] not in SPACES and source[j] != ">":
                j += 1
            end_name = source[i + 1 : j].lower()
            while j < n and source[j] in SPACES:
                j += 1
            if j >= n or source[j] != ">":
                raise HtmlParseError(f"Unclosed end tag at byte offset {byte_offset(begin)}")
            open_tag = stack.pop()
            if end_name and end_name != open_tag.name:
                raise HtmlParseError(
                    f"Unmatched end tag at byte offset {byte_offset(begin)}, "
                    f'expected "</{open_tag.name}>", found "</{end_name}>"'
                )
            i = j + 1
            length = utf16 - open_tag.utf16_start
            if length <= 0:
                continue
            entity: JsonDict = {
                "type": _TAG_ENTITY_TYPES[open_tag.name],
                "offset": open_tag.utf16_start,
                "length": length,
            }
            language: str | None = None
            if open_tag.name == "a":
                url = open_tag.argument
                if url is None:
                    url = "".join(pieces[open_tag.piece_index :])
                if not url.strip():
                    continue
                entity["url"] = url
            elif open_tag.name == "code":
                language = open_tag.argument
            elif open_tag.name == "pre":
                if entities:
                    last, last_language = entities[-1]
                    if (
                        last["type"] == "code"
                        and last["offset"] == entity["offset"]
                        and last["length"] == entity["length"]
                    ):
                        # <pre><code class="language-x">...</code></pre> is one pre entity
                        entities.pop()
                        if last_language:
                            entity["language"] = last_language
            elif open_tag.name == "blockquote":
                if open_tag.argument == "expandable":
                    entity["type"] = "expandable_blockquote"
            elif open_tag.name == "tg-emoji":
                entity["custom_emoji_id"] = open_tag.argument
            entities.append((entity, language))
            continue

        # a start tag
        j = i
        while j < n and source[j] not in SPACES and source[j] != ">":
            j += 1
        if j >= n:
            raise HtmlParseError(f"Unclosed start tag at byte offset {byte_offset(begin)}")
        tag = source[i:j].lower()
        if tag not in _TAG_ENTITY_TYPES:
            raise HtmlParseError(
                f'Unsupported start tag "{tag}" at byte offset {byte_offset(begin)}'
            )
        argument: str | None = None
        expandable = False
        while True:
            while j < n and source[j] in SPACES:
                j += 1
            if j >= n:
                raise HtmlParseError(
                    f'Unclosed start tag "{tag}" at byte offset {byte_offset(begin)}'
                )
            if source[j] == ">":
                break
            attribute_begin = j
            while j < n and source[j] not in SPACES and source[j] not in "=>":
                j += 1
            attribute = source[attribute_begin:j].lower()
            if not attribute:
                raise HtmlParseError(
                    f'Empty attribute name in the tag "{tag}" at byte offset {byte_offset(begin)}'
                )
            while j < n and source[j] in SPACES:
                j += 1
            if j >= n or source[j] != "=":
                if tag == "blockquote" and attribute == "expandable":
                    expandable = True
                    continue
                raise HtmlParseError(
                    "Expected equal sign in declaration of an attribute of the tag "
                    f'"{tag}" at byte offset {byte_offset(begin)}'
                )
            j += 1
            while j < n and source[j] in SPACES:
                j += 1
            if j >= n:
                raise HtmlParseError(
                    f'Unclosed start tag "{tag}" at byte offset {byte_offset(begin)}'
                )
            if source[j] in "\"'":
                quote = source[j]
                j += 1
                value_chars: list[str] = []
                while j < n and source[j] != quote:
                    if source[j] == "&":
                        decoded = _decode_html_entity(source, j)
                        if decoded is not None:
                            value_chars.append(decoded[0])
                            j = decoded[1]
                            continue
                    value_chars.append(source[j])
                    j += 1
                if j >= n:
                    raise HtmlParseError(
                        f'Unclosed start tag "{tag}" at byte offset {byte_offset(begin)}'
                    )
                j += 1
                value = "".join(value_chars)
            else:
                token_begin = j
                while j < n and source[j].isascii() and (source[j].isalnum() or source[j] in ".-"):
                    j += 1
                value = source[token_begin:j].lower()
                if j >= n or (source[j] not in SPACES and source[j] != ">"):
                    raise HtmlParseError(
                        f"Unexpected end of name token at byte offset {byte_offset(token_begin)}"
                    )
            if tag == "a" and attribute == "href":
                argument = value
            elif tag == "code" and attribute == "class" and value.startswith("language-"):
                argument = value.removeprefix("language-")
            elif tag == "span" and attribute == "class" and value.startswith("tg-"):
                argument = value.removeprefix("tg-")
            elif tag == "tg-emoji" and attribute == "emoji-id":
                argument = value
            elif tag == "blockquote" and attribute == "expandable":
                expandable = True
        if tag == "span" and argument != "spoiler":
            raise HtmlParseError(
                f'Tag "span" must have class "tg-spoiler" at byte offset {byte_offset(begin)}'
            )
        if tag == "tg-emoji" and not (argument and argument.isdigit() and int(argument) > 0):
            raise HtmlParseError("Invalid custom emoji identifier specified")
        if tag == "blockquote":
            argument = "expandable" if expandable else None
        stack.append(_OpenTag(tag, argument, utf16, len(pieces)))
        i = j + 1

    if stack:
        raise HtmlParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    ordered = sorted((e for e, _ in entities), key=lambda e: (e["offset"], -e["length"]))
    return "".join(pieces), ordered


def html_problem(source: str, *, limit: int) -> str | None:
    """Why Telegram would refuse `source` as a message of at most `limit` characters, or None."""
    try:
        text, _entities = parse_html(source)
    except HtmlParseError as exc:
        return str(exc)
    shown = text.strip()
    if not shown:
        return "the text is empty"
    if len(shown) > limit:
        return f"{len(shown)} characters, more than the {limit} Telegram allows"
    return None
