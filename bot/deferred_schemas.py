"""Build aiogram's pydantic schemas when a type is first used, not all at import.

aiogram declares its Telegram types with `defer_build=True`, then `aiogram/types/__init__.py`
calls `model_rebuild()` on every one of them to resolve their forward references. Each call
builds a complete validator and serializer for that type and everything it contains, so the
import builds the nested types over and over: about 2 s and 150 MB, for some 300 types of
which a bot touches a few dozen. Measured in docs/PERFORMANCE.md.

`defer()` lets that loop record the namespace it resolves names in instead of building, marks
aiogram's ~170 method classes `defer_build` too as they are created (each was built at once,
pulling in the types it nests), and teaches aiogram's three model bases to use that namespace
whenever pydantic builds a model on first use (pydantic does this by itself for any model whose
schema is not complete yet). The types and methods, their fields and their validation are
aiogram's own; only the moment of building moves.

It must run before anything imports `aiogram.types`; `bot/__init__.py` calls it, so every
entry point (`python -m bot`, `forum-bot`, the benchmarks, the tests) gets it. If aiogram was
imported first, it does nothing and everything works as before, only slower to start.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

_REBUILD = "model_rebuild"
_SUBCLASS = "__init_subclass__"
_METHODS_BASE = "aiogram.methods.base"  # TelegramMethod and the generic Response: as they are


def defer() -> bool:
    """Import aiogram with its schemas deferred; False if it was imported already."""
    if "aiogram.types" in sys.modules:
        return False
    stock = BaseModel.__dict__[_REBUILD]
    own_subclass_hook = BaseModel.__dict__.get(_SUBCLASS)  # none in pydantic 2.13
    namespace: dict[str, Any] = {}
    recording = True

    def rebuild(
        cls: type[BaseModel],
        *,
        force: bool = False,
        raise_errors: bool = True,
        _parent_namespace_depth: int = 2,
        _types_namespace: Mapping[str, Any] | None = None,
    ) -> bool | None:
        if cls.__module__.startswith("aiogram."):  # any other model: as pydantic would
            if recording and _types_namespace is not None:
                namespace.update(_types_namespace)  # aiogram's loop: remember, do not build
                return None
            if _types_namespace is None:
                _types_namespace = namespace
        return stock.__func__(  # type: ignore[no-any-return]
            cls,
            force=force,
            raise_errors=raise_errors,
            _parent_namespace_depth=_parent_namespace_depth + 1,
            _types_namespace=_types_namespace,
        )

    def defer_methods(cls: type[BaseModel], /, **kwargs: Any) -> None:
        # Runs inside pydantic's metaclass before it decides whether to build the class, with
        # cls.model_config being the very dictionary it will ask "defer_build?".
        if cls.__module__.startswith("aiogram.methods.") and cls.__module__ != _METHODS_BASE:
            cls.model_config["defer_build"] = True
        if own_subclass_hook is not None:
            own_subclass_hook.__get__(None, cls)(**kwargs)
        else:
            super(BaseModel, cls).__init_subclass__(**kwargs)

    setattr(BaseModel, _REBUILD, classmethod(rebuild))
    setattr(BaseModel, _SUBCLASS, classmethod(defer_methods))
    try:
        importlib.import_module("aiogram.types")
    finally:
        setattr(BaseModel, _REBUILD, stock)
        if own_subclass_hook is None:
            delattr(BaseModel, _SUBCLASS)
        else:
            setattr(BaseModel, _SUBCLASS, own_subclass_hook)
        recording = False

    types = importlib.import_module("aiogram.types.base")
    methods = importlib.import_module(_METHODS_BASE)
    for base in (types.TelegramObject, methods.TelegramMethod, methods.Response):
        setattr(base, _REBUILD, classmethod(rebuild))
    return True
