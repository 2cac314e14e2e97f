"""``python -m seat_hub.reports``: the statistics report command (``seat-report``)."""

import sys

from seat_hub.reports.cli import main

sys.exit(main())
