"""Acceptance (业务受理): the application desk that owns the application of the contact in hand
(``desk``), the form's state, the submission outbox (SQLite, idempotent), the government-API
client, the receipt PDF, and the services the composition root builds them from.
"""
