"""The call in hand and what leads to it: the hub link, the workstation's presence, offers,
call and wrap-up, the call's WebRTC session, the queue this agent serves and the agent's
own work-order list.
"""
