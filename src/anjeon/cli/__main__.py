"""``python -m anjeon.cli``: the command line without the console script."""

from anjeon.cli import main

main()
