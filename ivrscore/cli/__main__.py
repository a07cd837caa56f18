"""``python -m ivrscore.cli``."""

import sys

from . import main

sys.exit(main())
