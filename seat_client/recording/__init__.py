"""Call recording: the recorder and its encoder thread (PyAV), the archive of recordings on
disk with retention, and the desk that records each call the hub marks recorded.
"""
