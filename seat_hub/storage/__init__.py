"""The hub's records: the work-order ledger (SQLite), its tables, the material index and the
event log. Everything durable goes through here.
"""
