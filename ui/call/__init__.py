"""The call on screen: the queue, the ringing banner and ring, the video pane, chat, the
citizen and work-order pane, and the work-order list.
"""
