"""``python -m corridors.cli``: the same program as the ``corridors`` command."""

import sys

from .app import main

sys.exit(main())
