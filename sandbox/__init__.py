"""Stand-ins for what we cannot reach here: citizens' phones and kiosks, the government API."""
