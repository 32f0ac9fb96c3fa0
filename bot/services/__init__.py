"""Business rules, free of aiogram types where they can be."""
