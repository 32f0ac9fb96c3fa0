"""aiogram's schemas are built on first use (bot/deferred_schemas.py), and built the same.

Each check runs in a fresh interpreter: whether the deferral happens depends on what was
imported first, and the test process has long since imported everything.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

DESCRIBE = """
import json, sys
{first}
import aiogram.methods, aiogram.types
from pydantic import BaseModel
described = {{}}
for module in (aiogram.types, aiogram.methods):
    for name in module.__all__:
        cls = getattr(module, name)
        if isinstance(cls, type) and issubclass(cls, BaseModel):
            before = cls.__pydantic_complete__
            cls.model_rebuild()
            fields = {{f: repr(i.annotation) for f, i in cls.model_fields.items()}}
            described[name] = [cls.__module__, before, cls.__pydantic_complete__, fields]
json.dump(described, sys.stdout)
"""


def run(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def describe(first: str) -> dict[str, Any]:
    described: dict[str, Any] = json.loads(run(DESCRIBE.format(first=first)))
    return described


def without_addresses(fields: dict[str, str]) -> dict[str, str]:
    return {name: re.sub(r" at 0x[0-9a-f]+", "", text) for name, text in fields.items()}


def test_every_type_and_method_resolves_as_aiogram_resolves_it() -> None:
    deferred = describe("import bot")
    stock = describe("")
    assert deferred.keys() == stock.keys()
    assert len(deferred) > 500  # every type and method, not an empty import
    modules = {name: module for name, (module, *_) in deferred.items()}
    types = [name for name, module in modules.items() if module.startswith("aiogram.types.")]
    methods = [
        name
        for name, module in modules.items()
        if module.startswith("aiogram.methods.") and module != "aiogram.methods.base"
    ]
    assert len(types) > 300 and len(methods) > 150
    # with the deferral the import builds no type and no method; without it, every one
    assert not any(deferred[name][1] for name in types + methods)
    assert all(stock[name][1] for name in types + methods)
    for name, (_, _, complete, fields) in deferred.items():
        assert complete, name
        assert without_addresses(fields) == without_addresses(stock[name][3]), name


def test_a_bot_that_imported_aiogram_first_gets_aiogram_unchanged() -> None:
    out = run(
        "import aiogram.types\n"
        "import bot.deferred_schemas\n"
        "print(bot.deferred_schemas.defer(), aiogram.types.Message.__pydantic_complete__)"
    )
    assert out.split() == ["False", "True"]


def test_pydantic_is_left_as_it_was_for_every_other_model() -> None:
    out = run(
        "import bot\n"
        "from pydantic import BaseModel\n"
        "print('__init_subclass__' in BaseModel.__dict__,\n"
        "      BaseModel.__dict__['model_rebuild'].__func__.__module__)\n"
        "class Later(BaseModel):\n"
        "    x: 'int'\n"
        "print(Later.__pydantic_complete__, Later(x='3').x)"
    )
    assert out.split() == ["False", "pydantic.main", "True", "3"]
