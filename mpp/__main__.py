"""`python -m mpp ...`: the same as the `mpp` console script."""

import sys

from mpp.cli import main

sys.exit(main())
