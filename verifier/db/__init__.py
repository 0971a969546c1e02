"""Database providers: each gives a caller throwaway PostgreSQL databases and takes them back.

``get_provider(spec)`` maps the ``--db`` option (``auto``, ``embedded``, ``docker`` or a URL) to
a provider; the rest of the verifier only talks to the ``DatabaseProvider`` interface.
"""

from verifier.db.base import Database, DatabaseProvider, ServerInfo
from verifier.db.select import get_provider

__all__ = ["Database", "DatabaseProvider", "ServerInfo", "get_provider"]
