"""Make the statistics report PDF (统计报告) for a day or a month from the hub's ledger.

    .venv/bin/python scripts/stats_report.py --db var/hub.sqlite3 --day 2026-11-28 --out day.pdf
    .venv/bin/python scripts/stats_report.py --db var/hub.sqlite3 --month 2026-11 --out month.pdf \
        [--seats seats.json]   # agent names on the charts

A thin wrapper: the command is the hub's ``seat-report`` (``python -m
seat_hub.reports``, in ``seat_hub/reports/cli.py``), which takes the same
arguments and prints the path and the headline figures as one JSON line.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from seat_hub.reports.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
