"""Telegram's HTML subset, read back: visible text (for limits) and terminal rendering."""

from __future__ import annotations

from html.parser import HTMLParser

# ANSI styles for the rehearsal console.
_ANSI = {
    "b": "1",
    "strong": "1",
    "i": "3",
    "em": "3",
    "u": "4",
    "ins": "4",
    "s": "9",
    "strike": "9",
    "del": "9",
    "code": "36",
    "pre": "36",
    "tg-spoiler": "7",
}


class _Renderer(HTMLParser):
    def __init__(self, *, color: bool, show_links: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.color = color
        self.show_links = show_links
        self.parts: list[str] = []
        self.stack: list[str] = []
        self.links: list[str | None] = []

    def _restyle(self) -> None:
        if self.color:
            codes = [_ANSI[tag] for tag in self.stack if tag in _ANSI]
            self.parts.append("\x1b[0m" + (f"\x1b[{';'.join(codes)}m" if codes else ""))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "span" and ("class", "tg-spoiler") in attrs:
            tag = "tg-spoiler"
        self.stack.append(tag)
        if tag == "a":
            self.links.append(dict(attrs).get("href"))
        self._restyle()

    def handle_endtag(self, tag: str) -> None:
        wanted = "tg-spoiler" if tag == "span" and "tg-spoiler" in self.stack else tag
        while self.stack:
            top = self.stack.pop()
            if top == "a":
                href = self.links.pop() if self.links else None
                if href and self.show_links:
                    self.parts.append(f" ({href})")
            if top == wanted:
                break
        self._restyle()

    def handle_data(self, data: str) -> None:
        if self.show_links and "blockquote" in self.stack:
            data = "│ " + data.replace("\n", "\n│ ")
        self.parts.append(data)


def _render(html: str, *, color: bool, show_links: bool) -> str:
    renderer = _Renderer(color=color, show_links=show_links)
    renderer.feed(html)
    renderer.close()
    return "".join(renderer.parts)


def visible_text(html: str) -> str:
    """What Telegram shows for `html` (tags gone, entities decoded): its length is what counts."""
    return _render(html, color=False, show_links=False)


def render_terminal(html: str, *, color: bool) -> str:
    """`html` for a terminal: styles as ANSI escapes (or none), links followed by their URL."""
    out = _render(html, color=color, show_links=True)
    return out + "\x1b[0m" if color else out
