"""``python -m metaexpo`` is the ``metaexpo`` command."""

from metaexpo.cli import main

raise SystemExit(main())
