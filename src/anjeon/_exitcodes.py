"""Exit codes of the ``anjeon`` command, one meaning each (documented in docs/cli.md).

Scripts and CI tell outcomes apart by these alone: a run that answered every cell is 0,
one that finished with failed cells is not, a run directory in use is not the same as
a broken store."""

OK = 0
#: ``anjeon check``: a check failed (the run itself is fine)
CHECK_FAILED = 1
#: bad input: every problem printed as FILE:LINE: field: problem, nothing written
INPUT = 2
#: the run stopped early: the server refused the credentials, or every first request
#: failed the same way (wrong model name, bad request); resumable once fixed
STOPPED = 3
#: the run finished, but some cells failed (their errors are in the summary)
FAILED_CELLS = 4
#: the run's store could not be written; the run stopped at once
STORAGE = 5
#: the run directory is in use by another anjeon process (the lock names it)
LOCKED = 6
#: interrupted (Ctrl-C, SIGTERM); resumable
INTERRUPTED = 130
