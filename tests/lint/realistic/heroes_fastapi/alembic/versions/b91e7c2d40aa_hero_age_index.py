"""hero age index

Revision ID: b91e7c2d40aa
Revises:
Create Date: 2024-05-20 09:01:44.000000

"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


# revision identifiers, used by Alembic.
revision = "b91e7c2d40aa"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(op.f("ix_hero_age"), "hero", ["age"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_hero_age"), table_name="hero")
