"""The workstation's core, free of widgets: wire protocol, hub link, calls, queue, work orders."""
