"""``python -m cognito_desk`` runs the ``cognito-desk`` command."""

import sys

from .cli import main

sys.exit(main())
