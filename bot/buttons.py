"""An inline keyboard built in one pass.

aiogram's `InlineKeyboardBuilder.add` deep-copies the whole keyboard for every button it adds
(it goes through `export`), so a schedule page of 25 buttons cost hundreds of pydantic
deep copies: the largest single cost of a press in the whole-bot profile (docs/PERFORMANCE.md).
`Buttons` keeps the calls our views make (`button`, `adjust`, `buttons`, `as_markup`) and
their meaning, without the copies.
"""

from __future__ import annotations

from itertools import chain, repeat
from typing import Self

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

MAX_WIDTH = 8  # Telegram shows at most 8 buttons in a row


class Buttons:
    def __init__(self) -> None:
        self._buttons: list[InlineKeyboardButton] = []
        self._sizes: tuple[int, ...] = (MAX_WIDTH,)

    def button(self, *, text: str, callback_data: str | CallbackData) -> Self:
        data = callback_data.pack() if isinstance(callback_data, CallbackData) else callback_data
        self._buttons.append(InlineKeyboardButton(text=text, callback_data=data))
        return self

    def adjust(self, *sizes: int) -> Self:
        """Rows of these sizes, the last size repeated for the buttons left over."""
        if any(not 1 <= size <= MAX_WIDTH for size in sizes):
            raise ValueError(f"a row holds 1 to {MAX_WIDTH} buttons, not {sizes}")
        self._sizes = sizes or (MAX_WIDTH,)
        return self

    @property
    def buttons(self) -> tuple[InlineKeyboardButton, ...]:
        return tuple(self._buttons)

    def as_markup(self) -> InlineKeyboardMarkup:
        rows: list[list[InlineKeyboardButton]] = []
        sizes = chain(self._sizes, repeat(self._sizes[-1]))
        left = self._buttons
        while left:
            size = next(sizes)
            rows.append(left[:size])
            left = left[size:]
        return InlineKeyboardMarkup(inline_keyboard=rows)
