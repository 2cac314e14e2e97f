"""The hub: agent login and presence, the ACD queue, signaling relay, the work-order ledger.

Where things are, for a newcomer:

- ``cli``: the composition root (``seat-hub``): builds the store, the context and the
  server, and owns the hub's one ``TaskOwner``;
- ``model``: the live picture (``LiveState`` and its plain records); ``settings``: the
  tunables; ``context``: ``HubContext``, what every handler is given, and ``Refusal``;
- the rooms: ``connections`` (the border and login), ``routing`` (presence, queue, ACD,
  offers, the queue views), ``calls``, ``materials``, ``supervision`` (the seat wall,
  figures, actions, watching), ``storage`` (the records behind one interface) and
  ``reports`` (``seat-report``).
"""
