"""Task API database layer, written as a package of small modules.

``app.models`` holds the tables (one module each), ``app.db`` the engine and sessions and
``app.crud`` the operations.
"""
