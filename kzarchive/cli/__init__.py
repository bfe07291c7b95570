"""The ``kzarchive`` command line: parses options, calls the core, writes results.

Only this package imports click and draws with rich. :mod:`~kzarchive.cli.app` holds the group and
its one exit point, :mod:`~kzarchive.cli.options` the options commands share, and each command
family has its own module. Data goes to stdout (or ``--output``); warnings, errors and progress go
to stderr. Each command imports the parts it needs when it runs: start-up time is part of every
command's time, and ``check`` should not wait for the Wayback client, the PDF reader or the
progress bars of a terminal it is not writing to.
"""

from kzarchive.cli.app import main, show_environment_variables

__all__ = ["main"]

show_environment_variables(main)
