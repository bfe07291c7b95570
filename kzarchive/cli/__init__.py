"""The ``kzarchive`` command line: parses options, calls the core, writes results.

Only this package imports click and draws with rich. :mod:`~kzarchive.cli.app` holds the group and
its one exit point, :mod:`~kzarchive.cli.options` the options commands share, and each command
family has its own module. Data goes to stdout (or ``--output``); warnings, errors and progress go
to stderr. Each command imports the parts it needs when it runs: start-up time is part of every
command's time, and ``check`` should not wait for the Wayback client, the PDF reader or the
progress bars of a terminal it is not writing to.
"""

from kzarchive.cli.annotate import annotate_command
from kzarchive.cli.app import main, show_environment_variables
from kzarchive.cli.archive import archive_command
from kzarchive.cli.check import check_command
from kzarchive.cli.diff import diff_command
from kzarchive.cli.extract import extract_command
from kzarchive.cli.hook import hook_command
from kzarchive.cli.library import library_command, recheck_command
from kzarchive.cli.report import cite_command, report_command
from kzarchive.cli.run import run_command
from kzarchive.cli.settings import config_command, schema_command
from kzarchive.cli.verify import restore_command, verify_command

__all__ = ["main"]

for _command in (
    extract_command,
    check_command,
    archive_command,
    run_command,
    recheck_command,
    library_command,
    report_command,
    cite_command,
    annotate_command,
    diff_command,
    verify_command,
    restore_command,
    schema_command,
    config_command,
    hook_command,
):
    main.add_command(_command)
show_environment_variables(main)
