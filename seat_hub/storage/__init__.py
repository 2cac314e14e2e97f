"""The hub's records behind one interface, and its event log.

``interface`` says what the hub asks of a store (the work-order ledger, the
material index, the audit trail) and ``records`` the values it takes and gives
back; the rest of the hub is typed against them. ``stores.open_store`` is the
one place that picks an implementation, from the address it is given: ``sqlite``,
the embedded one (one file per hub), or ``postgres``, a cluster's (one database
for a city's hubs), with the same tables and answers. ``migration`` moves a
hall's file into a cluster's database and checks it row by row. ``audit_chain``
is the audit log's hash chain, the same for both. ``eventlog`` writes the hub's
JSON event lines.
"""
