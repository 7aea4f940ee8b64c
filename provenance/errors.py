"""The exception hierarchy of prov.

Every error the library raises on purpose is a :class:`ProvError`; ``str(e)`` is a
one-line message for the user that names the file or database and says what to do.
The command line maps ``exit_code`` to the process exit status in one place.

Exit codes (like grep): 0 a copy was found, 1 none found, 2 usage error (click),
3 input that cannot be read, 4 database problem.
"""

from __future__ import annotations


class ProvError(Exception):
    """Base class; ``str(e)`` is shown to the user."""

    exit_code = 1


class NotFound(ProvError):
    """Something asked for by name is not there (a source in the index)."""

    exit_code = 1


class InputError(ProvError):
    """An input file is missing, empty, binary or undecodable."""

    exit_code = 3


class StoreError(ProvError):
    """The database is missing, unreadable, locked or not a prov index."""

    exit_code = 4


class IndexMismatch(StoreError):
    """The index was built with other parameters than the ones asked for."""

    exit_code = 4


class DataFileError(ProvError):
    """A data file that ships inside prov (a word table) is missing or damaged: the
    installation is broken, not the user's input."""

    exit_code = 5
