"""The spec format as JSON Schema, for editors (``templates/spec.schema.json``).

Generated from the pydantic models of ``verifier.render.spec``, so it says exactly what
``rda render`` accepts. A spec opts in with a first line
``# yaml-language-server: $schema=<path>/spec.schema.json`` (the YAML language server of VS
Code and other editors reads it). ``rda render --schema`` prints it; a test keeps the shipped
file equal to it.
"""

from __future__ import annotations

import json


def spec_json_schema() -> str:
    from verifier.render.spec import Spec

    schema = Spec.model_json_schema(mode="validation")
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        **schema,
        "title": "rda render entity spec",
    }
    return json.dumps(schema, indent=2, sort_keys=False) + "\n"
