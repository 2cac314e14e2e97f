"""Live calls and after: the signaling relay (and the parties' camera and microphone states),
chat, hang-up, wrap-up and rating; recordings linked to work orders; the searchable work-order
list.
"""
