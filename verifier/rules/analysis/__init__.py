"""What the rules know about a file beyond its syntax tree.

The rules stay short because the inference lives here, shared. The modules are layered: each
imports only modules of the layers below it (``tests/lint/test_analysis_layers.py`` checks it
by parsing the imports, type-only ones included), so the package has no import cycle:

0. ``names`` (the library objects the rules recognise), ``imports`` (resolve a name through a
   file's imports), ``bindings`` (what a name can hold: a session, an engine, an instance of a
   project class...);
1. ``project``: the ``ProjectIndex`` of a run, plain data with lookups (models, exported
   bindings, classes with their bases and typed attributes, functions and whether they are
   coroutines);
2. ``context``: one file, its tree walked once, and a cache for the layers above;
3. ``models`` (read the model classes of a file), ``sessions`` (which names hold a session,
   engine, connection, factory or project object, in one function), ``urls`` and ``edits``
   (small helpers for the URL rules and the autofixes);
4. ``queries`` (follow a ``select()`` to the objects it returns and what it loaded),
   ``transactions`` (where a function commits), ``callees`` (which project coroutine a call
   invokes);
5. ``indexing``: build the ``ProjectIndex`` from every file, using all of the above.

Pure ``ast``: nothing here imports sqlalchemy, sqlmodel or alembic.
"""

LAYERS: tuple[tuple[str, ...], ...] = (
    ("names", "imports", "bindings"),
    ("project",),
    ("context",),
    ("models", "sessions", "urls", "edits"),
    ("queries", "transactions", "callees"),
    ("indexing",),
)
