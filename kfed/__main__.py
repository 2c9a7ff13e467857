"""`python -m kfed ...`: the `kfed` command line."""

import sys

from federation.cli import main

if __name__ == "__main__":
    sys.exit(main())
