"""Supervision as the workstation and the seat wall see it: the agent's side of a watched call
(the relay out, the supervisor's voice in), the supervisor's watch viewer, the seat wall's
model and the agent's whisper inbox.
"""
