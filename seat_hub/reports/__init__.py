"""Reports from the hub's records: the monthly and daily statistics PDF.
"""
