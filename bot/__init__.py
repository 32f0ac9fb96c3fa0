"""The forum companion bot.

Importing any part of it first makes aiogram's models cheaper, without changing what they are:
their schemas are built on first use, not all at import (bot/deferred_schemas.py), and each
object is bound to the bot in one step (bot/bot_binding.py).
"""

from bot.bot_binding import bind_in_one_step
from bot.deferred_schemas import defer

defer()
bind_in_one_step()
