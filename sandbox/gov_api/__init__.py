"""A stand-in for the provincial government service API: a real aiohttp server with SQLite."""
