"""Texts and keyboards of one feature each: pure functions of data, language and gettext."""
