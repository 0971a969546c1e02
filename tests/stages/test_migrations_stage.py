"""The migrations stage on real PostgreSQL: silent on the reference, firing on one-patch mutants.

Every mutant is the reference implementation plus one patch (a revision file added, a function
redefined, a model field added), so the tests keep meaning the same thing as the reference
grows revisions of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from alembic.script import ScriptDirectory

from tests.reference_copies import REFERENCE, append, patch
from verifier.findings import Severity
from verifier.stages.squawk import lint_sql

from .conftest import StageRun

RunStage = Callable[..., StageRun]
ALL_CHECKS = [
    "load history",
    "single head",
    "upgrade from empty",
    "models match migrations",
    "downgrade leaves no trace",
    "stairway",
    "offline sql",
]


def reference_head() -> tuple[str, str | None, str]:
    """The reference's head revision: its id, its down_revision and its file name."""
    script = ScriptDirectory(str(REFERENCE / "alembic"))
    head = script.get_revision(script.get_current_head())
    assert head is not None and not isinstance(head.down_revision, tuple)
    return head.revision, head.down_revision, Path(head.path).name


def add_revision(
    target: Path, revision: str, down_revision: str | None, upgrade: str, downgrade: str
) -> str:
    """Write a revision file into the copy; returns its path relative to the target."""
    relative = f"alembic/versions/{revision}_mutant.py"
    (target / relative).write_text(
        f'''"""Mutant revision {revision}."""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "{revision}"
down_revision = {down_revision!r}
branch_labels = None
depends_on = None


def upgrade() -> None:
{_indent(upgrade)}


def downgrade() -> None:
{_indent(downgrade)}
''',
        encoding="utf-8",
    )
    return relative


def _indent(body: str) -> str:
    return "\n".join("    " + line for line in body.strip().splitlines())


def line_of(target: Path, relative: str, text: str) -> int:
    lines = (target / relative).read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if text in line)


# --- silent ----------------------------------------------------------------------------------


def test_reference_passes_every_check(reference_copy: Path, run_stage: RunStage) -> None:
    run = run_stage(reference_copy)
    assert run.statuses == {"migrations": "passed"}
    assert run.findings == []
    assert run.checks() == ALL_CHECKS
    offline = run.event("offline_sql")
    assert "CREATE TABLE task" in offline["sql"]
    head, _, head_file = reference_head()
    assert offline["revision_files"][head] == f"alembic/versions/{head_file}"


def test_reference_offline_sql_is_clean_for_squawk(
    reference_copy: Path, run_stage: RunStage
) -> None:
    offline = run_stage(reference_copy).event("offline_sql")
    assert lint_sql(offline["sql"], revision_files=offline["revision_files"]) == []


def test_reference_passes_after_the_import_stage(reference_copy: Path, run_stage: RunStage) -> None:
    """In the real child the import stage has loaded the models before env.py imports them."""
    run = run_stage(reference_copy, stages=("import", "migrations"))
    assert run.statuses == {"import": "passed", "migrations": "passed"}
    assert run.codes(severity=None) == set()


def test_the_stage_puts_back_url_cwd_and_sys_path(
    reference_copy: Path, run_stage: RunStage, stage_databases: dict[str, str]
) -> None:
    run = run_stage(reference_copy)
    after = run.event("after")
    assert after["url"] == stage_databases["main"]
    assert Path(after["cwd"]) == reference_copy
    assert after["sys_path"].count(".") == 0  # alembic's prepend_sys_path was undone


def test_skipped_with_a_note_without_alembic(reference_copy: Path, run_stage: RunStage) -> None:
    run = run_stage(reference_copy, alembic_ini=None)
    assert run.statuses == {"migrations": "skipped"}
    assert run.findings == []
    assert any("no alembic.ini" in note for note in run.log.notes)


# --- RDA801 ----------------------------------------------------------------------------------


def test_two_heads_fire_rda801(reference_copy: Path, run_stage: RunStage) -> None:
    head, down, head_file = reference_head()
    sibling = add_revision(reference_copy, "b7a9", down, "pass", "pass")
    run = run_stage(reference_copy)
    assert run.statuses == {"migrations": "failed"}
    assert run.codes() == {"RDA801"}
    (found,) = run.with_code("RDA801")
    assert f"{head} (alembic/versions/{head_file})" in found.message
    assert f"b7a9 ({sibling})" in found.message
    assert sorted(found.details["heads"]) == sorted([head, "b7a9"])
    # Each head is still checked: `upgrade heads`, the model match, the downgrade.
    assert run.checks() == ALL_CHECKS
    assert any("stairway not run: the history has several heads" in n for n in run.log.notes)


def test_two_heads_still_report_the_drift_of_one(reference_copy: Path, run_stage: RunStage) -> None:
    """Two branches off the head, as an unresolved merge leaves them; one of them drifts."""
    head, _, _ = reference_head()
    add_revision(reference_copy, "b1b1", head, "pass", "pass")
    add_revision(
        reference_copy,
        "c3d4",
        head,
        "op.add_column('project', sa.Column('archived', sa.Boolean(), nullable=True))",
        "op.drop_column('project', 'archived')",
    )
    run = run_stage(reference_copy)
    assert run.codes() == {"RDA801", "RDA803"}, [f.message for f in run.findings]
    (drift,) = run.with_code("RDA803")
    assert "project" in drift.message and "archived" in drift.message


# --- RDA802 ----------------------------------------------------------------------------------


def test_broken_upgrade_fires_rda802_at_its_line(reference_copy: Path, run_stage: RunStage) -> None:
    head, _, _ = reference_head()
    relative = add_revision(
        reference_copy,
        "c0de",
        head,
        'op.add_column("task", sa.Column("estimate", sa.Integer()))\n'
        'op.execute("ALTER TABLE no_such_table ADD COLUMN x integer")',
        'op.drop_column("task", "estimate")',
    )
    run = run_stage(reference_copy)
    assert run.statuses == {"migrations": "failed"}
    assert run.codes() == {"RDA802"}
    (found,) = run.with_code("RDA802")
    assert found.file == relative
    assert found.line == line_of(reference_copy, relative, "no_such_table")
    assert "revision c0de" in found.message and "no_such_table" in found.message
    assert found.stage == "migrations" and found.skill_ref


def test_history_that_does_not_load_fires_rda802(reference_copy: Path, run_stage: RunStage) -> None:
    head, _, _ = reference_head()
    relative = add_revision(reference_copy, "dead", head, "pass", "pass")
    patch(reference_copy, relative, "def downgrade() -> None:", "def downgrade() -> None")
    run = run_stage(reference_copy)
    assert run.codes() == {"RDA802"}
    (found,) = run.with_code("RDA802")
    assert "could not be loaded" in found.message
    assert found.file == relative
    assert found.line == line_of(reference_copy, relative, "def downgrade() -> None")


def test_env_py_that_migrates_another_database_fires_rda802(
    reference_copy: Path, run_stage: RunStage, stage_databases: dict[str, str]
) -> None:
    patch(
        reference_copy,
        "alembic/env.py",
        "return to_async_url(given) if given else database_url()",
        f"return to_async_url({stage_databases['main']!r})",
    )
    run = run_stage(reference_copy)
    assert run.codes() == {"RDA802"}
    (found,) = run.with_code("RDA802")
    assert "wrote nothing to the database it was given" in found.message
    assert found.file == "alembic/env.py"


def test_missing_alembic_ini_fires_rda802(reference_copy: Path, run_stage: RunStage) -> None:
    run = run_stage(reference_copy, alembic_ini="migrations/alembic.ini")
    assert run.statuses == {"migrations": "failed"}
    assert "does not exist" in run.with_code("RDA802")[0].message


# --- RDA803 ----------------------------------------------------------------------------------


def test_model_column_missing_from_migrations_fires_rda803(
    reference_copy: Path, run_stage: RunStage
) -> None:
    patch(
        reference_copy,
        "taskapi/models.py",
        "class Task(SQLModel, table=True):\n",
        "class Task(SQLModel, table=True):\n    estimate: int | None = None\n",
    )
    run = run_stage(reference_copy)
    assert run.statuses == {"migrations": "failed"}
    assert run.codes() == {"RDA803"}
    (found,) = run.with_code("RDA803")
    assert "column task.estimate (INTEGER) is in the models but no migration creates it" in (
        found.message
    )
    assert found.file == "taskapi/models.py"
    assert found.line == line_of(reference_copy, "taskapi/models.py", "class Task(")
    assert "op.add_column('task'" in str(found.details["autogenerate"])


def test_server_default_and_type_drift_fire_rda803(
    reference_copy: Path, run_stage: RunStage
) -> None:
    head, _, _ = reference_head()
    add_revision(
        reference_copy,
        "d1f7",
        head,
        'op.alter_column("project", "name", type_=sa.String(300))\n'
        'op.alter_column("audit_log", "details", server_default=sa.text("\'[]\'::jsonb"))',
        'op.alter_column("audit_log", "details", server_default="{}")\n'
        'op.alter_column("project", "name", type_=sa.String(200))',
    )
    run = run_stage(reference_copy)
    assert run.codes() == {"RDA803"}
    messages = {f.message for f in run.with_code("RDA803")}
    assert any("project.name: the type is VARCHAR(300)" in m for m in messages)
    assert any("audit_log.details: the server default is '[]'::jsonb" in m for m in messages)


# --- RDA804 / RDA805 -------------------------------------------------------------------------


def test_empty_downgrade_fires_rda804(reference_copy: Path, run_stage: RunStage) -> None:
    _, _, head_file = reference_head()
    append(reference_copy, f"alembic/versions/{head_file}", "def downgrade() -> None:\n    pass")
    run = run_stage(reference_copy)
    assert run.statuses == {"migrations": "failed"}
    (leftovers,) = run.with_code("RDA804")
    assert "left behind" in leftovers.message
    assert "table public.task" in leftovers.message
    assert "enum type public.taskstatus" in leftovers.message
    assert "table public.task" in leftovers.details["left"]
    assert "RDA805" in run.codes()  # the stairway names the revision too


def test_downgrade_leaving_an_enum_fires_rda804_and_rda805(
    reference_copy: Path, run_stage: RunStage
) -> None:
    head, _, _ = reference_head()
    relative = add_revision(
        reference_copy,
        "e9a1",
        head,
        'op.create_table("label", sa.Column("id", sa.Integer(), primary_key=True),\n'
        '    sa.Column("color", sa.Enum("red", "blue", name="labelcolor"), nullable=False))\n'
        'op.create_index("ix_label_color", "label", ["color"])',
        'op.drop_table("label")',
    )
    run = run_stage(reference_copy)
    assert run.statuses == {"migrations": "failed"}
    (base,) = run.with_code("RDA804")
    assert "enum type public.labelcolor" in base.message
    assert "table public.label" not in base.message
    (step,) = run.with_code("RDA805")
    assert step.file == relative
    assert step.line == line_of(reference_copy, relative, "def downgrade")
    assert "Revision e9a1" in step.message
    assert "left behind enum type public.labelcolor" in step.message
    assert 'type "labelcolor" already exists' in step.message  # the upgrade after it fails


def test_downgrade_forgetting_an_index_fires_rda805(
    reference_copy: Path, run_stage: RunStage
) -> None:
    """Downgrade base drops the table and the index with it: only the stairway sees this."""
    head, _, _ = reference_head()
    relative = add_revision(
        reference_copy, "f00d", head, 'op.create_index("ix_task_title", "task", ["title"])', "pass"
    )
    run = run_stage(reference_copy)
    assert "RDA804" not in run.codes()
    (step,) = run.with_code("RDA805")
    assert step.file == relative
    assert "left behind index public.ix_task_title" in step.message
    assert "index ix_task_title on task(title) is created by the migrations" in " ".join(
        f.message for f in run.with_code("RDA803")
    )


def test_downgrade_leaving_a_function_fires_rda804(
    reference_copy: Path, run_stage: RunStage
) -> None:
    head, _, _ = reference_head()
    add_revision(
        reference_copy,
        "fa11",
        head,
        'op.execute("CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS '
        '$$ BEGIN NEW.updated_at = now(); RETURN NEW; END $$")\n'
        'op.execute("CREATE TRIGGER task_touch BEFORE UPDATE ON task '
        'FOR EACH ROW EXECUTE FUNCTION touch()")',
        'op.execute("DROP TRIGGER task_touch ON task")',
    )
    run = run_stage(reference_copy)
    (base,) = run.with_code("RDA804")
    assert "function public.touch()" in base.message
    assert "trigger" not in base.message  # dropped by the downgrade, so not a leftover
    assert "RDA805" in run.codes()


def test_failing_downgrade_fires_rda804_and_names_the_revision(
    reference_copy: Path, run_stage: RunStage
) -> None:
    head, _, _ = reference_head()
    relative = add_revision(reference_copy, "0bad", head, "pass", 'op.drop_table("no_such_table")')
    run = run_stage(reference_copy)
    (base,) = run.with_code("RDA804")
    assert base.file == relative
    assert base.line == line_of(reference_copy, relative, "no_such_table")
    assert "revision 0bad" in base.message
    (step,) = run.with_code("RDA805")
    assert "its downgrade failed" in step.message and step.file == relative


def _count_runs(target: Path, relative: str) -> None:
    """Make the revision append a line to ``runs.txt`` each time its upgrade or downgrade runs."""
    patch(target, relative, "def upgrade() -> None:\n", _COUNTED.format(step="upgrade"))
    patch(target, relative, "def downgrade() -> None:\n", _COUNTED.format(step="downgrade"))


_COUNTED = (
    "def {step}() -> None:\n"
    "    with open(__import__('os').path.join(__import__('os').path.dirname(__file__), "
    "'runs.txt'), 'a') as runs:\n"
    "        runs.write('{step}\\n')\n"
)


def test_one_revision_history_is_upgraded_twice_and_downgraded_once(
    reference_copy: Path, run_stage: RunStage
) -> None:
    """Its stairway's step up and down are upgrade head and downgrade base: not run again."""
    _, down, head_file = reference_head()
    assert down is None, "the reference has grown revisions: give this test a one-revision copy"
    _count_runs(reference_copy, f"alembic/versions/{head_file}")
    run = run_stage(reference_copy)
    assert run.statuses == {"migrations": "passed"} and run.findings == []
    runs = (reference_copy / "alembic/versions/runs.txt").read_text(encoding="utf-8").split()
    # upgrade head, downgrade base, the stairway's upgrade again (and the offline SQL's upgrade)
    assert runs == ["upgrade", "downgrade", "upgrade", "upgrade"]


def test_two_revision_history_climbs_the_whole_stairway(
    reference_copy: Path, run_stage: RunStage
) -> None:
    head, _, _ = reference_head()
    relative = add_revision(reference_copy, "c0de", head, "pass", "pass")
    _count_runs(reference_copy, relative)
    run = run_stage(reference_copy)
    assert run.statuses == {"migrations": "passed"} and run.findings == []
    runs = (reference_copy / "alembic/versions/runs.txt").read_text(encoding="utf-8").split()
    # upgrade head, downgrade base, then its own up, down, up; the offline SQL's upgrade
    assert runs == ["upgrade", "downgrade", "upgrade", "downgrade", "upgrade", "upgrade"]


def test_one_revision_that_cannot_be_upgraded_again_fires_rda805(
    reference_copy: Path, run_stage: RunStage
) -> None:
    """Its downgrade leaves the schema clean, but the revision refuses a second upgrade."""
    _, _, head_file = reference_head()
    relative = f"alembic/versions/{head_file}"
    patch(
        reference_copy,
        relative,
        "def upgrade() -> None:\n",
        "def upgrade() -> None:\n"
        "    marker = __import__('pathlib').Path(__file__).with_suffix('.applied')\n"
        "    if marker.exists() and not op.get_context().as_sql:\n"
        "        raise RuntimeError('this revision was applied before')\n"
        "    if not op.get_context().as_sql:\n"
        "        marker.write_text('')\n",
    )
    run = run_stage(reference_copy)
    assert run.codes() == {"RDA805"}
    (step,) = run.with_code("RDA805")
    assert step.file == relative
    assert "upgrading it again failed: " in step.message
    assert "this revision was applied before" in step.message


# --- offline SQL -----------------------------------------------------------------------------


def test_offline_mode_that_raises_is_a_warning(reference_copy: Path, run_stage: RunStage) -> None:
    patch(
        reference_copy,
        "alembic/env.py",
        "def run_migrations_offline() -> None:\n",
        "def run_migrations_offline() -> None:\n"
        '    raise RuntimeError("offline mode is not supported")\n',
    )
    run = run_stage(reference_copy)
    assert run.statuses == {"migrations": "passed"}
    (warning,) = run.findings
    assert warning.severity is Severity.WARNING and warning.code == "RDA802"
    assert "offline mode is not supported" in warning.message
    assert warning.file == "alembic/env.py"
    assert not [e for e in run.events if e["event"] == "offline_sql"]


def test_offline_mode_printing_nothing_is_a_warning(
    reference_copy: Path, run_stage: RunStage
) -> None:
    patch(
        reference_copy,
        "alembic/env.py",
        "def run_migrations_offline() -> None:\n",
        "def run_migrations_offline() -> None:\n    return\n",
    )
    run = run_stage(reference_copy)
    assert run.statuses == {"migrations": "passed"}
    (warning,) = run.findings
    assert warning.severity is Severity.WARNING
    assert "printed no SQL" in warning.message


def test_a_renamed_version_table_is_not_a_leftover(
    reference_copy: Path, run_stage: RunStage
) -> None:
    """env.py may rename alembic's version table: it is recognised by its shape, not its name."""
    patch(
        reference_copy,
        "alembic/env.py",
        "context.configure(connection=connection, target_metadata=target_metadata,",
        "context.configure(connection=connection, version_table='schema_version',\n"
        "        target_metadata=target_metadata,",
    )
    run = run_stage(reference_copy)
    assert run.statuses == {"migrations": "passed"}
    assert run.findings == []


def test_a_history_without_revisions_fires_rda802(
    reference_copy: Path, run_stage: RunStage
) -> None:
    for revision in (reference_copy / "alembic" / "versions").glob("*.py"):
        revision.unlink()
    run = run_stage(reference_copy)
    assert run.statuses == {"migrations": "failed"}
    (found,) = run.findings
    assert found.code == "RDA802" and "no revision at all" in found.message


def test_every_kind_of_drift_is_described(reference_copy: Path, run_stage: RunStage) -> None:
    head, _, _ = reference_head()
    add_revision(
        reference_copy,
        "d2f7",
        head,
        'op.alter_column("project", "name", nullable=True)\n'
        'op.drop_constraint("task_parent_task_id_fkey", "task", type_="foreignkey")\n'
        'op.drop_constraint("worker_handle_key", "worker", type_="unique")\n'
        'op.add_column("project", sa.Column("archived", sa.Boolean()))\n'
        'op.drop_index("ix_audit_log_actor_id", table_name="audit_log")\n'
        'op.drop_table("audit_log")',
        "pass",  # the downgrade does not matter here
    )
    run = run_stage(reference_copy)
    by_table = {f.message.split("Table ")[1].split(":")[0]: f for f in run.with_code("RDA803")}
    assert set(by_table) == {"project", "task", "worker", "audit_log"}
    assert sorted(by_table["project"].details["differences"]) == [
        "column project.archived (BOOLEAN) is created by the migrations but is not in the models",
        "column project.name: nullability is NULL allowed in the migrated schema, "
        "NOT NULL in the models",
    ]
    assert by_table["task"].details["differences"] == [
        "foreign key task(parent_task_id) -> task.id is in the models but no migration creates it"
    ]
    assert by_table["worker"].details["differences"] == [
        "unique constraint on worker(handle) is in the models but no migration creates it"
    ]
    assert by_table["audit_log"].details["differences"] == [
        "table audit_log is in the models but no migration creates it"
    ]
