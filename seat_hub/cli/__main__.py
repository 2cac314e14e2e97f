"""``python -m seat_hub.cli``: the same as ``seat-hub``."""

import sys

from seat_hub.cli import main

sys.exit(main())
