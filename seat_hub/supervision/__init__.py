"""Supervision: the seat-wall feed, today's figures, supervisor actions (whisper, set a state,
move a citizen, each written to the audit trail), watching a call and barging in.
"""
