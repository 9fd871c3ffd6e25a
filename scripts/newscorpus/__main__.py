"""Allow `python -m newscorpus`."""

import sys

from newscorpus.cli import main

sys.exit(main())
