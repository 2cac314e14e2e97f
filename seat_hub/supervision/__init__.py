"""Supervision: the seat-wall feed, today's figures, supervisor actions (whisper, set a state,
move a citizen), watching a call and barging in, and the append-only audit log.
"""
