"""Materials in and out of the hub: chunked uploads checked at the border and stored
content-addressed, downloads to the parties of a work order, and pre-review verdicts.
"""
