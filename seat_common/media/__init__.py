"""The shared kernel's media room: what every WebRTC peer of ours (the workstation, the hub's
stand-ins, the simulated citizens and kiosks) does the same way on aiortc. ``frame_assembly``
hands frames to the decoder as soon as they are whole, ``rtp_costs`` keeps the voice's per-frame
work on the event loop, ``quiet_vp8`` is VP8 without libvpx's denoiser for noiseless pictures,
``audio_levels`` measures a voice's loudness and tone, ``trickle`` keeps trickled ICE candidates
until they can be applied and ``ice_policy`` decides which candidates and servers a peer uses.
Callers import each module by its full path; this package re-exports nothing.
"""
