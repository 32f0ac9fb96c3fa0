"""The garbage collector, set for a long-running bot once it has started.

Python's cyclic collector runs a young collection every 700 new container objects and now and
then a full one that walks every object alive: the pydantic schemas, the program, the answer
index. Each update makes and drops a few hundred objects (its models, the request's, the
answer's), almost all freed by reference counting anyway. In the whole-bot benchmark the
collector took about a quarter of the bot's CPU time (measured with `gc.callbacks`).

A second after polling starts (the first answers do not wait for it), the bot first builds what
its first presses and questions would otherwise wait for (`App.prepare`: the schemas of the
requests it sends, the index of answers), then `settle()` freezes everything alive, so that
full collections skip it, those schemas included, and lets the young generation grow to 50,000
objects before it is collected. Cyclic garbage made later is still collected.

Why 50,000: the young generation counts objects made and not yet freed, so it fills when many
updates are in flight at once, and then a young collection walks objects that are all still
in use and moves them on to be walked again by the middle one. In the whole-bot benchmark
(1,000 updates at once) the collector took a tenth of the bot's time at 10,000 and a
twentieth at 50,000 (`gc.callbacks`), 2.6% fewer instructions in all; 100,000 saved hardly
more (2.8%) and would double the pause, about 30 ms at 50,000 when a burst fills it.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Callable

YOUNG_GENERATION = 50_000
SETTLE_AFTER_S = 1.0


def settle() -> None:
    gc.collect()
    gc.freeze()
    young, middle, old = gc.get_threshold()
    gc.set_threshold(max(young, YOUNG_GENERATION), middle, old)


def settle_soon(prepare: Callable[[], object] | None = None) -> asyncio.TimerHandle:
    """Call from the running bot's event loop, before it starts polling; `prepare` runs first."""

    def prepare_and_settle() -> None:
        try:
            if prepare is not None:
                prepare()
        finally:  # a failure to prepare is the loop's to log; the collector is set anyway
            settle()

    return asyncio.get_running_loop().call_later(SETTLE_AFTER_S, prepare_and_settle)
