"""``rda render``: an entity spec (YAML) rendered into an async database layer.

From the bottom up: ``yaml_source`` reads the YAML with the position of every value, ``spec``
is the format (pydantic models; ``schema_json`` exports it as JSON Schema), ``references`` and
``load`` validate a spec and name each problem's line; ``layer`` turns it into columns,
relationships and operations, ``codegen``, ``operations``, ``samples`` and ``testplan`` give
the pieces the Jinja templates (``templates/layer/``) print, and ``files`` renders them
(``formatting`` runs ruff over the result). ``record`` and ``plan`` decide what a render may
write into a layer that exists already; ``revision`` autogenerates the Alembic revision a spec
change needs (``revision_fixes`` completes it); ``run`` is the command's whole flow.
"""
