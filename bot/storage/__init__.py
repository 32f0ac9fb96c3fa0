"""Persistent state: what people did (the program itself lives in bot.program)."""

from bot.storage.db import Database, DatabaseRefused, from_db, to_db
from bot.storage.people import PeopleRepository, Person

__all__ = ["Database", "DatabaseRefused", "PeopleRepository", "Person", "from_db", "to_db"]
