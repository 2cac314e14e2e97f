"""Live calls and after: the signaling relay, chat, hang-up, wrap-up and rating; recordings
linked to work orders; the searchable work-order list.
"""
