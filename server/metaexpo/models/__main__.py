"""``python -m metaexpo.models FILE [--json] [--normalise OUT.glb] …``: see :mod:`.cli`."""

import sys

from metaexpo.models.cli import main

sys.exit(main())
