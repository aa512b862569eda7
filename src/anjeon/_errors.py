"""Input problems, reported all at once as ``FILE:LINE: field: problem``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    line: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        if not self.file:
            return self.message
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.field or '-'}: {self.message}"


class InputError(Exception):
    """Bad input from the user. The CLI prints every problem and exits with code 2."""

    def __init__(self, problems: Iterable[Problem] | str) -> None:
        if isinstance(problems, str):
            problems = [Problem("", None, None, problems)]
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class StorageError(Exception):
    """The run's store could not be written: the run stops at once, loudly (the CLI
    exits with its own code), and what was written stays valid for a resume."""
