"""The Task API database layer: the reference every ``rda`` check is calibrated on.

``taskapi.models`` holds the tables and schemas, ``taskapi.database`` the engine and sessions,
``taskapi.crud`` the contract operations and ``taskapi.errors`` the errors they raise.
"""
