"""A task board's database layer, written with repository classes.

``taskboard.crud`` is the public surface; ``taskboard.repositories`` holds the logic.
"""
