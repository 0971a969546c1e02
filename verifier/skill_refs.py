"""Where the skill teaches each right form: the ``skill_ref`` of every finding.

A ref is ``references/<file>.md#<anchor>`` relative to ``skills/relational-db-agent``; the anchor
is the GitHub slug of a heading in that file. Rules and dynamic checks name refs from here (never
a string of their own), ``rda skill check`` proves every one of them resolves, and ``rda reflect``
follows them from a failure back to the guidance that should have prevented it.
"""

from __future__ import annotations

# L02 design & normalization
DESIGN_NORMALIZATION = "references/design-normalization.md#normal-forms"
# L03 engine & pooling
ENGINE_URL = "references/engine-pooling.md#converting-the-database-url"
ENGINE_POOLING = "references/engine-pooling.md#pool-sizing-and-pre-ping"
ENGINE_SECURITY = "references/engine-pooling.md#credentials-and-ssl"
ENGINE_LIFETIME = "references/engine-pooling.md#one-engine-per-process"
# L04 models & indexing
MODELS_TIMESTAMPS = "references/models-indexing.md#timezone-aware-timestamps"
MODELS_FOREIGN_KEYS = "references/models-indexing.md#index-every-foreign-key"
MODELS_JSONB = "references/models-indexing.md#jsonb-columns"
MODELS_DEFAULTS = "references/models-indexing.md#defaults"
MODELS_VALIDATION = "references/models-indexing.md#table-models-do-not-validate"
MODELS_PATTERNS = "references/models-indexing.md#string-patterns"
# L05 sessions
SESSIONS_FACTORY = "references/sessions.md#the-session-factory"
SESSIONS_EXPIRE = "references/sessions.md#expire-on-commit"
SESSIONS_AWAIT = "references/sessions.md#await-every-database-call"
SESSIONS_LIFECYCLE = "references/sessions.md#session-lifecycle"
SESSIONS_CONCURRENCY = "references/sessions.md#one-session-per-task"
SESSIONS_EXEC = "references/sessions.md#exec-not-execute"
# L06 CRUD & soft delete
CRUD_PATTERNS = "references/crud-soft-delete.md#crud-functions"
CRUD_PAGINATION = "references/crud-soft-delete.md#pagination"
CRUD_SOFT_DELETE = "references/crud-soft-delete.md#soft-delete"
CRUD_BOUND_PARAMETERS = "references/crud-soft-delete.md#bound-parameters"
# L07 testing
TESTING = "references/testing.md#test-against-postgresql"
# L08 relationships & N+1
RELATIONSHIPS_EAGER = "references/relationships-n-plus-one.md#eager-loading"
RELATIONSHIPS_N_PLUS_ONE = "references/relationships-n-plus-one.md#the-n1-problem"
RELATIONSHIPS_FOREIGN_KEYS = (
    "references/relationships-n-plus-one.md#several-foreign-keys-to-one-table"
)
RELATIONSHIPS_SELF = "references/relationships-n-plus-one.md#self-referential-relationships"
RELATIONSHIPS_JOINEDLOAD = "references/relationships-n-plus-one.md#joinedload-and-unique"
RELATIONSHIPS_ANNOTATIONS = "references/relationships-n-plus-one.md#relationship-annotations"
# L09 transactions & errors
TRANSACTIONS_ATOMIC = "references/transactions-errors.md#one-operation-one-commit"
TRANSACTIONS_INTEGRITY = "references/transactions-errors.md#integrityerror-and-rollback"
TRANSACTIONS_EXCEPT = "references/transactions-errors.md#domain-errors"
# L10 migrations
MIGRATIONS_ENV = "references/migrations.md#async-envpy"
MIGRATIONS_MAKO = "references/migrations.md#scriptpymako"
MIGRATIONS_DOWNGRADE = "references/migrations.md#downgrades"
MIGRATIONS_AUTOGENERATE = "references/migrations.md#what-autogenerate-misses"
MIGRATIONS_SAFETY = "references/migrations.md#safe-migrations"
# L11 capstone
CAPSTONE_CONTRACT = "references/capstone-task-api.md#the-task-api-contract"

ALL: dict[str, str] = {
    name: value for name, value in dict(globals()).items() if name.isupper() and name != "ALL"
}
