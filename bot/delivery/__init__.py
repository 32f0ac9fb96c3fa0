"""Everything the bot says on its own initiative goes through the outbox and one sender."""

from bot.delivery.reports import BroadcastReporter
from bot.delivery.sender import Sender

__all__ = ["BroadcastReporter", "Sender"]
