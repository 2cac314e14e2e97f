"""Remote assistance at a kiosk (远程操控协办), the agent's side: asking for control, sending
input, printing at the kiosk, and the audit trail of every control session. The channel's
messages are ``seat_common.protocol.assist``.
"""
