"""Materials (申请材料) on the workstation: document images received from the hub, captured
from video or scanned by the document camera, kept content-addressed on disk, and moved
between the workstation and the hub in checked chunks.
"""
