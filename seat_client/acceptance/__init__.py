"""Acceptance (业务受理): the application desk that owns the form of the contact in hand, the
form's state, the submission outbox (SQLite, idempotent), the government-API client and the
receipt PDF.
"""
