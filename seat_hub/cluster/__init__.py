"""The cluster's live state in Redis (``seat-hub --cluster redis://…``): the key names,
the queue and dispatch scripts and their typed API, presence, the signaling streams and
the ledger stream. A library for now: the hub is not wired onto it yet
(docs/deployment.md, *The live state in Redis*)."""
