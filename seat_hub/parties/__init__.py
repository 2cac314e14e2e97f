"""The parties the hub knows: one session per connection (who it is, its ordered outbox)
and the seat registry (who may log in as an agent or a supervisor, with which skills).
Every room of the hub speaks to parties through these.
"""
