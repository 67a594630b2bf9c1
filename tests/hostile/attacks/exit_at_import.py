"""Exits while being imported, before the grader could ask anything."""

import sys

sys.exit(0)
