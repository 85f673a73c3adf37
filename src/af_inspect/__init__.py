"""af-inspect: alignment-faking evaluations as Inspect AI tasks.

The task functions are exported lazily: ``from af_inspect import helpful_only`` imports
``af_inspect.helpful_only`` (and so Inspect) only then, so ``import af_inspect.cli`` and the
``af-inspect`` commands that need no task (``report``, ``assets``, ``sweep``) start without
loading every task module.

Each task lives in a submodule of the same name (``af_inspect.helpful_only`` holds
``helpful_only``). Python binds a submodule as an attribute of its package when it is imported;
for these names the package keeps the task function instead, so ``af_inspect.helpful_only`` is
the task whichever import ran first, as it was when this file imported every task eagerly. The
submodule itself stays reachable as ``sys.modules["af_inspect.helpful_only"]`` and through
``from af_inspect.helpful_only import ...``.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the eager imports, for type checkers and IDEs only
    from af_inspect.animal_welfare import animal_welfare
    from af_inspect.five_tier import five_tier
    from af_inspect.helpful_only import helpful_only
    from af_inspect.never_used_never_trained import never_used_never_trained
    from af_inspect.pre_deployment import pre_deployment
    from af_inspect.three_tier import three_tier
    from af_inspect.validation.task import af_classifier_validation

#: Exported name -> the submodule that defines it.
_EXPORTS: dict[str, str] = {
    "af_classifier_validation": "af_inspect.validation.task",
    "animal_welfare": "af_inspect.animal_welfare",
    "five_tier": "af_inspect.five_tier",
    "helpful_only": "af_inspect.helpful_only",
    "never_used_never_trained": "af_inspect.never_used_never_trained",
    "pre_deployment": "af_inspect.pre_deployment",
    "three_tier": "af_inspect.three_tier",
}

__all__ = [  # the keys of _EXPORTS, spelled out for linters (a test checks they agree)
    "af_classifier_validation",
    "animal_welfare",
    "five_tier",
    "helpful_only",
    "never_used_never_trained",
    "pre_deployment",
    "three_tier",
]


def __getattr__(name: str) -> Any:
    module_name = _EXPORTS.get(name)
    if module_name is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module_name), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))


class _Package(types.ModuleType):
    """The package's module type: a submodule named like an export never hides the export."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _EXPORTS and isinstance(value, types.ModuleType):
            return  # the import system binding the submodule; `__getattr__` serves the task
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
