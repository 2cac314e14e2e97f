"""The agent's outgoing media and voices mixed: the camera and microphone tracks (a test pattern
and gated silence where there are no devices) and the voice mixers used by barge-in, the
watch and the recorder.
"""
