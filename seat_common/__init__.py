"""The shared kernel: what every side of Seat speaks and nobody owns.

The wire protocol (``protocol``: hub messages, the remote-assist channel, binary chunks, one
codec), the service-item catalog, form schemas and value checks, the typed ``Event`` and the
``TaskOwner`` for background work sit at the top, with the run-time data in ``resources``.
Three rooms hold the rest by capability: ``media`` (the frame assembly every WebRTC receiver
of ours uses, the voice's RTP costs, VP8 without the denoiser, voice levels, trickled
candidates, the ICE host policy), ``personal_data`` (PII masking, resident ID numbers, private
files) and ``documents`` (the one image check, the embedded PDF font). The hub, the
workstation, the plugins' host and the stand-ins in ``sandbox/`` all build on it; it imports
no other Seat package.
"""
