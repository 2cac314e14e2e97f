"""The embedded store: the hub's records in one SQLite file on its own thread.

``SqliteStore`` (``store``) implements ``seat_hub.storage.interface.HubStore``:
the work-order ledger (``ledger``, ``ledger_reads``), the material index
(``materials``) and the audit trail (``audit``), all on one worker thread
(``worker``) over the tables of ``schema``. Nothing outside this package knows
the records are SQLite.
"""
