"""The hub's records behind one interface, and its event log.

``interface`` says what the hub asks of a store (the work-order ledger, the
material index, the audit trail) and ``records`` the values it takes and gives
back; the rest of the hub is typed against them. ``stores.open_store`` is the
one place that picks an implementation: ``sqlite``, the embedded one (one file
per hub); a cluster's store (PostgreSQL) implements the same protocols.
``eventlog`` writes the hub's JSON event lines.
"""
