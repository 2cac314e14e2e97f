"""Counter mode (综窗): the walk-in desk, one citizen at the counter after another, and the
intake that opens an appointment with what the proxy booking linked to it.
"""
