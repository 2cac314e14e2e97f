"""Reports from the hub's records: the statistics PDF of any period.

``contact_figures`` counts the period's work orders as contact centres define
the figures (users by the citizens' pseudonymous keys), ``periods`` says which
span a report covers, ``stats_report`` lays out the PDF, and ``cli`` is the
``seat-report`` command (also ``python -m seat_hub.reports``), which reads the
ledger through the storage interface.
"""
