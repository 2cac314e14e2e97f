"""The pre-review pane: thumbnails, the viewer with zoom, pan, rotate and annotation tools,
the checklist, and the off-thread decoding and rendering behind them.
"""
