"""The exception tree, drawn once.

    BoardpackError                 anything boardpack reports to a user
    ├── WorkspaceError             bad input or configuration: exit 2, nothing sent
    │   └── SourceErrors           one or more `file:line: message` problems in the inputs
    └── DeliveryError              a transport could not deliver (see delivery.transports.base)

A `WorkspaceError` is a user's mistake: the CLI prints its message, never a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass


class BoardpackError(Exception):
    """Base of every error boardpack raises on purpose."""


class WorkspaceError(BoardpackError):
    """Bad input or configuration; the message names the file, line or key and the fix."""


@dataclass(frozen=True)
class SourceProblem:
    """One bad input, located as editors expect: `path:line: message`."""

    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"


class SourceErrors(WorkspaceError):
    """Problems collected from an input, reported together rather than one at a time."""

    SHOWN = 20

    def __init__(self, problems: list[SourceProblem]):
        self.problems = problems
        lines = [str(p) for p in problems[: self.SHOWN]]
        if len(problems) > self.SHOWN:
            lines.append(f"... and {len(problems) - self.SHOWN} more")
        super().__init__("\n".join(lines))


class LiveError(Exception):
    """A live source could not be read whole (unreachable, throttled past its retries, refused,
    too slow): nothing of it is used."""
