"""The forum companion bot.

Importing any part of it first defers aiogram's schema building to first use (see
bot/deferred_schemas.py): start-up and memory are a fraction of what they are otherwise.
"""

from bot.deferred_schemas import defer

defer()
