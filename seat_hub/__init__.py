"""The hub: agent login and presence, the ACD queue, signaling relay, the work-order ledger."""
