"""The shared kernel's documents room: the files citizens hand us and the papers we hand back.
``imagecheck`` is the one check that an uploaded document photo is an image we can store, used
at every border, and ``pdf_fonts`` registers the embedded CJK font every PDF we make (receipts,
pre-review notices, reports) uses. Callers import each module by its full path; this package
re-exports nothing.
"""
