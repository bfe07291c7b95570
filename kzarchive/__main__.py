"""Entry point for ``python -m kzarchive``."""

from kzarchive.cli import main

main()
