"""Entry script of the bundle: the same ``cognito-desk`` command as the installed console script."""

import sys

from cognito_desk.cli import main

if __name__ == "__main__":
    sys.exit(main())
