"""relational-db-agent's verifier: lints and executes async SQLModel database layers.

The package is split by job (see DESIGN.md section 2): ``rules`` and ``lint`` are the static
stage, ``db`` gives throwaway PostgreSQL databases, ``sandbox`` runs untrusted code in child
processes, ``stages`` and ``contracts`` are the dynamic checks, ``report`` renders findings, and
``cli`` is the thin ``rda`` command over all of them. Importing this package stays cheap: the
static path must never pull in sqlalchemy, sqlmodel or alembic.
"""

__version__ = "0.1.0"
