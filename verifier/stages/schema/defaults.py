"""RDA201 at run time: a model default that produces a naive datetime.

SQLModel stores ``datetime`` fields as ``timestamptz`` and refuses naive values at the first
insert ("Datetime values must have timezone information"), so ``default_factory=datetime.utcnow``
passes every test that sets the field and breaks the first real request that does not. Each
Python-side default of a mapped class is evaluated here (``default_factory`` called, ``default``
read) and a naive datetime is reported at the field's declaration, with the code of the static
rule that catches the same defect in the source.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from verifier import skill_refs
from verifier.findings import Finding, Severity
from verifier.stages.context import StageContext
from verifier.stages.targetmodels import attribute_place, mapped_classes

STAGE = "schema"
Naive = set[tuple[type, str]]


def _default_of(field: Any) -> tuple[bool, Any]:
    """The value a field defaults to (False when it has none or its factory fails)."""
    try:
        if field.default_factory is not None:
            try:
                return True, field.get_default(call_default_factory=True, validated_data={})
            except TypeError:  # pydantic before 2.10 takes no validated_data
                return True, field.get_default(call_default_factory=True)
        return True, field.default
    except Exception:  # the target's factory failed: the round trip reports the insert
        return False, None


def check_defaults(ctx: StageContext) -> Naive:
    """Report every naive datetime default; return them so the round trip can step over them."""
    naive: Naive = set()
    for cls in mapped_classes():
        for name, field in getattr(cls, "model_fields", {}).items():
            known, value = _default_of(field)
            if not known or not isinstance(value, dt.datetime) or value.tzinfo is not None:
                continue
            naive.add((cls, name))
            place = attribute_place(ctx, cls, name)
            how = "default_factory" if field.default_factory is not None else "default"
            ctx.report(
                Finding(
                    code="RDA201",
                    message=(
                        f"{cls.__name__}.{name}'s {how} gives a naive datetime ({value!r}): "
                        "SQLModel rejects it at the first insert that does not set the field "
                        "('Datetime values must have timezone information')"
                    ),
                    severity=Severity.ERROR,
                    file=place.file,
                    line=place.line,
                    stage=STAGE,
                    fix="default_factory=lambda: datetime.now(UTC)",
                    skill_ref=skill_refs.MODELS_TIMESTAMPS,
                    details=place.details(),
                )
            )
    return naive
