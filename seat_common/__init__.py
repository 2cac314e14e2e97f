"""The shared kernel: what every side of Seat speaks and nobody owns.

The wire protocol (``protocol``: hub messages, the remote-assist channel, binary chunks, one
codec), the service-item catalog, form schemas and value checks, PII masking, the one image
check, the ICE host policy, the frame assembly every WebRTC receiver of ours uses, the
embedded PDF font, voice levels, the typed ``Event`` and the ``TaskOwner`` for background
work. The hub, the workstation, the plugins' host and the stand-ins in ``sandbox/`` all build
on it; it imports no other Seat package.
"""
