"""The PyQt6 face of Seat: the agent workstation and the supervisor seat wall."""
