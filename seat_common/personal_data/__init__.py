"""The shared kernel's personal-data room: how citizens' personal data is checked, masked and
kept. ``pii`` masks ID numbers, phone numbers and names for lists, logs and seat walls,
``id_numbers`` checks a resident ID number (GB 11643) and reads the age it tells, and
``private_files`` makes the folders and files that hold personal data the owner's alone (0700
and 0600). Callers import each module by its full path; this package re-exports nothing.
"""
