"""The hostile corpus: one small workspace (or parameter set) per case, run through the real command
line in this process, and the outcome a user relies on checked the same way for every case.

A case says what it changes in the small test workspace (tests/conftest.py), which command it runs,
and what must come of it: the exit status and the words that name the place. Every case is also held
to the rules that hold for all of them: no traceback, nothing sent unless the case says so, nothing
written outside the workspace, no planted secret in any output. `bench/hostile.py` runs the same
cases and counts them.
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from boardpack.render import budget
from tests.conftest import TOML, run_cli, write_workspace

AS_OF = ("--as-of", "2026-11-15")


@dataclass(frozen=True)
class Case:
    id: str
    group: str  # the class of attack or mistake (the numbered list)
    argv: tuple[str, ...] = ("send", *AS_OF)  # -w WORKSPACE is added; {ws} is the workspace folder
    toml: Callable[[str], str] | None = None  # an edit of the base boardpack.toml
    files: dict[str, str | bytes | None] = field(default_factory=dict)  # None removes the file
    setup: Callable[[Path], None] | None = (
        None  # anything else (symlinks, repositories); gets the workspace
    )
    code: int = 2
    says: tuple[str, ...] = ()  # each in the output; {ws} is the workspace folder
    sends: bool = False  # the case's command may send (its point is elsewhere)
    stdin: bytes = b""
    secrets: tuple[str, ...] = ()  # text that must appear in no output and no file the run wrote
    env: dict[str, str] = field(default_factory=dict)


@dataclass
class Outcome:
    code: int | None
    output: str
    seconds: float
    sent: int  # messages in the outbox and deliveries recorded as sent
    outside: list[str]  # files written outside the workspace
    removed: list[str]  # files outside the workspace that the run deleted
    leaked: list[str]  # where a planted secret showed


def replace(old: str, new: str, count: int = 1) -> Callable[[str], str]:
    def edit(text: str) -> str:
        assert old in text, f"the base workspace has no {old!r}"
        return text.replace(old, new, count)

    return edit


def append(extra: str) -> Callable[[str], str]:
    return lambda text: text + "\n" + extra


def run_case(case: Case, tmp_path: Path) -> Outcome:
    ws = tmp_path / "ws"
    toml = case.toml(TOML) if case.toml else TOML
    write_workspace(ws, toml, case.files)
    if case.setup:
        case.setup(ws)
    before, inputs = snapshot(tmp_path, ws), contents(ws)
    argv = [arg.replace("{ws}", str(ws)) for arg in case.argv]
    env = {k: v.replace("{ws}", str(ws)) for k, v in case.env.items()}
    started = time.perf_counter()
    with _limits():
        done = run_cli(*argv, *(() if "-w" in argv else ("-w", str(ws))), env=env, input=case.stdin)
    seconds = time.perf_counter() - started
    output = done.stdout + done.stderr
    after = snapshot(tmp_path, ws)
    written, removed = sorted(after - before), sorted(before - after)
    files = [  # what the run wrote: the inputs it was given may hold the planted secret
        p
        for p in ws.rglob("*")
        if p.is_file()
        and not p.is_symlink()
        and p.name != "fingerprint.key"
        and inputs.get(p) != p.read_bytes()
    ]
    leaked = [
        where
        for where, text in [("output", output), *((str(p), _text(p)) for p in files)]
        for secret in case.secrets
        if secret.lower() in text.lower()  # lower-cased on the way is still shown
    ]
    return Outcome(done.returncode, output, seconds, sent(ws), written, removed, leaked)


def problems_of(case: Case, outcome: Outcome, ws: Path) -> list[str]:
    """What went wrong, in words; empty when the case behaved as a user relies on."""
    found = []
    if "Traceback" in outcome.output:  # an exception escaped the command line
        found.append("a traceback was printed")
    if outcome.code != case.code:
        found.append(f"exit status {outcome.code}, expected {case.code}")
    for words in case.says:
        if words.format(ws=ws) not in outcome.output:
            found.append(f"the output does not say {words.format(ws=ws)!r}")
    if outcome.sent and not case.sends:
        found.append(f"{outcome.sent} message(s) were sent")
    if outcome.outside:
        found.append(f"wrote outside the workspace: {outcome.outside[:3]}")
    if outcome.removed:
        found.append(f"deleted outside the workspace: {outcome.removed[:3]}")
    if outcome.leaked:
        found.append(f"a planted secret shows in {outcome.leaked[:3]}")
    return found


def snapshot(tmp_path: Path, ws: Path) -> set[str]:
    """Every path beside the workspace (links not followed), with its content's hash for files,
    so that a file overwritten in place counts as written."""
    found = set()
    for path in tmp_path.rglob("*"):
        if path.is_relative_to(ws):
            continue
        if path.is_file() and not path.is_symlink():
            found.add(f"{path} {hash(path.read_bytes())}")
        else:
            found.add(str(path))
    return found


def contents(ws: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in ws.rglob("*") if p.is_file() and not p.is_symlink()}


def sent(ws: Path) -> int:
    emails = len(list((ws / "outbox").rglob("*.eml")))
    audit = ws / ".boardpack" / "audit.sqlite"
    if not audit.is_file() or audit.is_symlink() or audit.parent.is_symlink():
        return emails  # a linked store is the case's point: written through, it shows outside
    with contextlib.closing(sqlite3.connect(audit)) as db:
        return (
            emails
            + db.execute("SELECT count(*) FROM deliveries WHERE state = 'sent'").fetchone()[0]
        )


def _text(path: Path) -> str:
    return path.read_bytes().decode("utf-8", "replace")


@contextlib.contextmanager
def _limits():
    """A template's time budget cut to a second, so the endless loop cases end quickly."""
    saved, budget.TIME_LIMIT = budget.TIME_LIMIT, 1.0
    try:
        yield
    finally:
        budget.TIME_LIMIT = saved
