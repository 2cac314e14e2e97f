"""Routing: agents' presence, citizens joining and leaving the queue, the ACD rules, offers
(dispatch) and what citizens and agents are told about the queue.
"""
