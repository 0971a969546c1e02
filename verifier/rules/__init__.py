"""The RDA rule catalogue (DESIGN.md section 4): one module per rule, found by name.

Every module named ``rdaNNN_<name>.py`` in this package holds one ``Rule`` subclass;
``all_rules()`` imports them once and returns them by code. Adding a rule is adding a module:
its docstring documents it and its examples test it (``tests/lint/test_rule_examples.py``).
A module's name carries its rule's code (``rda104_...`` holds RDA104, which ``all_rules``
checks), so ``rule_codes()`` knows the catalogue without importing it: checking a selection
and starting ruff need the codes, not the rules.
"""

from __future__ import annotations

import importlib
import os
import re
from functools import cache

from verifier.rules.base import Edit, Rule, RuleDoc, Violation

_MODULE = re.compile(r"^rda\d{3}_\w+$")

__all__ = ["Edit", "Rule", "RuleDoc", "Violation", "all_rules", "get_rule", "rule_codes"]


@cache
def _rule_modules() -> tuple[str, ...]:
    """The rule modules' names, from a listing of this package's folder (``pkgutil`` would
    import ``inspect`` for it, ~6 ms of ``rda lint``'s start)."""
    names = {
        name[:-3]
        for folder in __path__
        for name in os.listdir(folder)
        if name.endswith(".py") and _MODULE.match(name[:-3])
    }
    return tuple(sorted(names))


def _code_of(module_name: str) -> str:
    return "RDA" + module_name[3:6]


def rule_codes() -> tuple[str, ...]:
    """The code of every RDA rule, in code order, from the module names (nothing imported)."""
    return tuple(_code_of(name) for name in _rule_modules())


@cache
def all_rules() -> dict[str, Rule]:
    """Every RDA rule, by code, in code order."""
    found: dict[str, Rule] = {}
    for name in _rule_modules():
        module = importlib.import_module(f"{__name__}.{name}")
        classes = [
            obj
            for obj in vars(module).values()
            if isinstance(obj, type)
            and issubclass(obj, Rule)
            and obj is not Rule
            and obj.__module__ == module.__name__
        ]
        if len(classes) != 1:
            raise RuntimeError(f"{module.__name__} must define exactly one Rule subclass")
        rule = classes[0]()
        if rule.code != _code_of(name):
            raise RuntimeError(
                f"{module.__name__} must define rule {_code_of(name)}, not {rule.code}"
            )
        if rule.code in found:
            raise RuntimeError(f"duplicate rule code {rule.code} in {module.__name__}")
        found[rule.code] = rule
    return dict(sorted(found.items()))


def get_rule(code: str) -> Rule | None:
    return all_rules().get(code.upper())
