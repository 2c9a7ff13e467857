"""`python -m federation.cli ...` runs the `kfed` command line."""

import sys

from federation.cli import main

sys.exit(main())
