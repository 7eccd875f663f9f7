"""``python -m corridors``: the same program as the ``corridors`` command."""

import sys

from corridors.cli.app import main

sys.exit(main())
