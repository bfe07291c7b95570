"""Domain errors: the CLI turns each into one clean line on stderr and exit code 2."""


class KzarchiveError(Exception):
    """An error the user can act on; its message is shown as it is, without a traceback."""


class DocumentError(KzarchiveError):
    """The input document cannot be read or parsed."""


class ManifestError(KzarchiveError):
    """A manifest is missing, corrupt, or of an unknown schema version."""
