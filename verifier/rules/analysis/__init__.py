"""What the rules know about a file beyond its syntax tree.

The rules stay short because the inference lives here, shared: ``imports`` resolves names to
the library object they stand for, ``sessions`` knows which names hold an ``AsyncSession``,
engine, connection or session factory, ``models`` indexes the SQLModel table classes of every
file in the run, ``queries`` follows a ``select()`` to the objects it returns and what it
loaded, and ``context`` ties them to one file. Pure ``ast``: nothing here imports sqlalchemy,
sqlmodel or alembic.
"""
