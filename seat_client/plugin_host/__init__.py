"""The host of task plugins: finding them by entry point, loading, checking and calling their
hooks under a time limit, and the port that gives a plugin's context real effects. The API
a plugin sees is ``seat_client.plugin_api``.
"""
