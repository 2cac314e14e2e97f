"""Reports from the hub's records: the monthly and daily statistics PDF.

``stats_report`` sums work-order rows and lays out the PDF; ``cli`` is the
``seat-report`` command (also ``python -m seat_hub.reports``), which reads the
ledger through the storage interface.
"""
