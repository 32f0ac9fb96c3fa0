"""The bot's tests.

`bot` is imported before anything else, so aiogram's schemas are deferred here as they are in
production (bot/deferred_schemas.py).
"""

import bot  # noqa: F401
