"""Render the templates of ``templates/layer/`` for one spec: every file's path and content.

Which template gives which file, and in which group the progress lines count it, is the table
``FILES`` below; the context each template sees is built by ``_context``. Python output is then
passed through ``ruff format`` and ruff's import sorting (``verifier.render.formatting``), so a
render is clean by construction and rendering twice gives the same bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from verifier.render import codegen
from verifier.render.layer import Entity, Layer, build_layer
from verifier.render.operations import plans
from verifier.render.spec import Spec
from verifier.render.testplan import factories, test_plans

TEMPLATES = Path(__file__).resolve().parent.parent / "data" / "templates"
LAYER_TEMPLATES = TEMPLATES / "layer"
INITIAL_REVISION = "0001"

# (template, output path, group); {package} and {entity} are filled in, "per entity" repeats.
FILES: tuple[tuple[str, str, str], ...] = (
    ("pyproject.toml.j2", "pyproject.toml", "project"),
    ("package/__init__.py.j2", "{package}/__init__.py", "project"),
    ("package/database.py.j2", "{package}/database.py", "database"),
    ("package/errors.py.j2", "{package}/errors.py", "crud"),
    ("package/models/__init__.py.j2", "{package}/models/__init__.py", "models"),
    ("package/models/common.py.j2", "{package}/models/common.py", "models"),
    ("package/models/entity.py.j2", "{package}/models/{entity}.py", "models"),
    ("package/crud/__init__.py.j2", "{package}/crud/__init__.py", "crud"),
    ("package/crud/support.py.j2", "{package}/crud/support.py", "crud"),
    ("package/crud/entity.py.j2", "{package}/crud/{entity}.py", "crud"),
    ("alembic.ini.j2", "alembic.ini", "alembic"),
    ("alembic/env.py.j2", "alembic/env.py", "alembic"),
    ("alembic/script.py.mako.j2", "alembic/script.py.mako", "alembic"),
    (
        "alembic/versions/initial.py.j2",
        f"alembic/versions/{INITIAL_REVISION}_initial.py",
        "alembic",
    ),
    ("tests/conftest.py.j2", "tests/conftest.py", "tests"),
    ("tests/factories.py.j2", "tests/factories.py", "tests"),
    ("tests/test_entity.py.j2", "tests/test_{entity}.py", "tests"),
)
GROUPS = ("project", "models", "database", "crud", "alembic", "tests")


@dataclass(frozen=True)
class RenderedFile:
    path: str  # relative to the output folder, with "/"
    group: str
    content: str

    @property
    def is_revision(self) -> bool:
        return self.path.startswith("alembic/versions/")


def render_layer(spec: Spec, spec_name: str) -> list[RenderedFile]:
    """Every file of the layer, formatted; the initial revision among them."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    layer = build_layer(spec)
    env = Environment(
        loader=FileSystemLoader(str(LAYER_TEMPLATES)),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
        bytecode_cache=_bytecode_cache(),
    )
    env.filters["a"] = with_article
    base = _context(layer, spec_name)
    rendered = []
    for template_name, target, group in FILES:
        template = env.get_template(template_name)
        if "{entity}" in target:
            for entity in layer.entities:
                context = _entity_context(layer, entity, template_name)
                if context is None:
                    continue
                path = target.format(package=layer.package, entity=entity.module)
                rendered.append(
                    RenderedFile(
                        path, group, template.render({**base, **context, "entity": entity})
                    )
                )
        else:
            path = target.format(package=layer.package)
            rendered.append(RenderedFile(path, group, template.render(**base)))
    from verifier.render.formatting import format_files

    return format_files(rendered, _ruff_config(rendered))


def _bytecode_cache() -> Any:
    """Compiled templates kept in the user cache (as ``.pyc`` files are): a render compiles
    the templates once per rda version, not once per run. No cache when it cannot be written."""
    from jinja2 import FileSystemBytecodeCache
    from platformdirs import user_cache_path

    from verifier import __version__

    folder = user_cache_path("rda") / "templates" / __version__
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return FileSystemBytecodeCache(str(folder))


def with_article(noun: str) -> str:
    """``organization`` -> ``an organization`` (for docstrings)."""
    words = noun.replace("_", " ")
    return ("an " if words[:1].lower() in "aeiou" else "a ") + words


def _ruff_config(files: list[RenderedFile]) -> str:
    return next(f.content for f in files if f.path == "pyproject.toml")


def _context(layer: Layer, spec_name: str) -> dict[str, Any]:
    entities = layer.entities
    tables, enum_types = codegen.migration_tables(layer)
    referenced = {r.target for e in entities for r in e.relations if r.owner_side}
    link_entities = {
        r.link_model for e in entities for r in e.relations if r.link_model is not None
    }
    all_plans = {e.name: plans(layer, e) for e in entities}
    schemas = {e.name: _schemas(e) for e in entities}
    common = [*sorted(layer.enums), "utc_now"]
    all_names = sorted(
        [e.name for e in entities] + [s for e in entities for s in schemas[e.name]] + common
    )
    return {
        "spec": layer.spec,
        "layer": layer,
        "package": layer.package,
        "description": layer.spec.description,
        "contract": layer.spec.contract,
        "database_url_env": layer.spec.database_url_env,
        "spec_name": spec_name,
        "entities": entities,
        "enums": layer.enums,
        "audit": layer.audit,
        "base_error": "".join(p.capitalize() for p in layer.package.split("_")) + "Error",
        "any_soft_delete": any(e.soft_delete for e in entities),
        "referenced": referenced,
        "link_entities": link_entities,
        "plans": all_plans,
        "schemas": schemas,
        "common_names": common,
        "all_names": all_names,
        "tables": tables,
        "enum_types": enum_types,
        "revision": INITIAL_REVISION,
        "factories": factories(layer),
        "model_names": sorted(e.name for e in entities if not e.is_audit) + sorted(layer.enums),
        "first_table": entities[0].table,
        "audit_table": layer.audit.table if layer.audit else "",
        "schema_declaration": codegen.schema_declaration,
    }


def _schemas(entity: Entity) -> list[str]:
    names = []
    create = entity.op("create")
    if create is not None and create.options.get("input") == "schema":
        names.append(f"{entity.name}Create")
    if entity.op("update") is not None:
        names.append(f"{entity.name}Update")
    return names


def _entity_context(layer: Layer, entity: Entity, template: str) -> dict[str, Any] | None:
    if template == "package/models/entity.py.j2":
        return _model_context(layer, entity)
    entity_plans = plans(layer, entity)
    if not entity_plans:
        return None
    if template == "package/crud/entity.py.j2":
        return _crud_context(layer, entity, entity_plans)
    return _test_context(layer, entity)


def _model_context(layer: Layer, entity: Entity) -> dict[str, Any]:
    create = entity.op("create")
    update = entity.op("update")
    create_schema = update_schema = None
    creator = None
    if create is not None and create.options.get("input") == "schema":
        plan = next(p for p in plans(layer, entity) if p.kind == "create")
        create_schema = plan.columns
        creator = plan.creator_column
    if update is not None:
        plan = next(p for p in plans(layer, entity) if p.kind == "update")
        update_schema = plan.columns
    imports = codegen.model_imports(layer, entity)
    if update_schema and any(not c.nullable for c in update_schema):
        imports.insert(0, "from pydantic import model_validator")
    return {
        "notes": _model_notes(entity),
        "imports": imports,
        "table_args": codegen.table_args(entity),
        "create_schema": create_schema,
        "update_schema": update_schema,
        "update_required": [c.name for c in update_schema or [] if not c.nullable],
        "creator": creator,
    }


def _model_notes(entity: Entity) -> list[str]:
    """Docstring lines on the relationship options the module uses, and why."""
    kwargs = [r.kwargs for r in entity.relations]
    notes = []
    if any("foreign_keys" in k and "remote_side" not in k for k in kwargs):
        notes.append("Two references to one table name their ``foreign_keys`` on both sides.")
    if any("remote_side" in k for k in kwargs):
        notes.append("The self-reference names its ``remote_side`` (the parent's ``id``).")
    if any("viewonly" in k for k in kwargs):
        notes.append(
            "A many-to-many collection is ``viewonly``: write its link rows (``crud``) instead."
        )
    if any("passive_deletes" in k for k in kwargs):
        notes.append(
            "Deleting a row leaves its children to the database's ``ON DELETE`` (cascade, set\n"
            "null, or refuse), instead of SQLAlchemy setting their keys to NULL first."
        )
    return notes


def _crud_context(layer: Layer, entity: Entity, entity_plans: list[Any]) -> dict[str, Any]:
    from verifier.render.operations import key_params

    models = {entity.name} | {r.target for r in entity.relations} | set(layer.enums)
    errors = {f"{entity.name}NotFoundError"}
    support = {"transaction", "require", "key_of"}
    if layer.audit is not None and entity.audited:
        support.add("audit_entry")
    if entity.unique_columns:
        errors.add(f"{entity.name}AlreadyExistsError")
    link_relations: dict[str, list[str]] = {}
    for plan in entity_plans:
        for require in plan.requires:
            models.add(require.model)
            errors.add(f"{require.model}NotFoundError")
        if plan.kind in ("create", "update"):
            models |= set(_schemas(entity))
        if plan.kind == "link":
            link = layer.entity(str(plan.options["link"]))
            models.add(link.name)
            errors.add(f"{link.name}AlreadyExistsError")
            link_relations[link.name] = [r.name for r in link.relations]
        if plan.kind == "delete" and not entity.soft_delete and _is_referenced(layer, entity):
            errors.add(f"{entity.name}StillReferencedError")
    needs_clock = entity.has_updated_at or entity.soft_delete
    if needs_clock:
        models.add("utc_now")
    soft_targets = {e.name: e.soft_delete for e in layer.entities}
    return {
        "plans": entity_plans,
        "keys": key_params(entity),
        "pk": entity.primary_key,
        "error_imports": sorted(errors),
        "model_imports": sorted(models),
        "support_imports": sorted(support),
        "soft_targets": soft_targets,
        "referenced": _is_referenced(layer, entity),
        "link_relations": link_relations,
        "get_name": (entity.op("get").name if entity.op("get") else "_one"),  # type: ignore[union-attr]
    }


def _is_referenced(layer: Layer, entity: Entity) -> bool:
    return any(
        r.owner_side and r.target == entity.name for e in layer.entities for r in e.relations
    )


def _test_context(layer: Layer, entity: Entity) -> dict[str, Any]:
    tests = test_plans(layer, entity)
    needed = {entity.module}
    for test in tests:
        for line in test.setup:
            needed.add(line.split("make_", 1)[1].split("(", 1)[0])
        if test.kind in ("assign", "link"):
            needed.add(test.extra["target"])
    factory_imports = sorted({"key", "assert_loaded"} | {f"make_{m}" for m in needed})
    errors = (
        {"NotFoundError", f"{entity.name}AlreadyExistsError"}
        if entity.unique_columns
        else {"NotFoundError"}
    )
    errors |= {f"{t.extra['link']}AlreadyExistsError" for t in tests if t.kind == "link"}
    models = set(entity.enums) | set(_schemas(entity))
    return {
        "tests": tests,
        "factory_imports": factory_imports,
        "error_imports": sorted(errors),
        "model_imports": sorted(models | {entity.name}),
    }
