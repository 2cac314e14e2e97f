"""A cluster's store: the hub's records in PostgreSQL, shared by every hub of a city.

``PostgresStore`` (``store``) implements ``seat_hub.storage.interface.HubStore`` with the
same tables and the same answers as the embedded SQLite store: the work-order ledger
(``ledger``, ``ledger_reads``), the material index (``materials``) and the audit trail
(``audit``), all on one connection worked in call order (``worker``), over the tables of
``schema``. ``seat_hub.storage.migration`` copies an embedded store into one. Nothing
outside ``seat_hub.storage`` knows the records are PostgreSQL.
"""
