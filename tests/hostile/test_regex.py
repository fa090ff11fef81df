"""Class 7: no regular expression can be made slow. Every pattern boardpack applies to workspace
data (notes, repository files and names, CSV cells, AWS names, report text) meets lines of 100,000
characters built to make a backtracking engine try every split; each must finish in one pass.
(Categorization rules, the only patterns a workspace writes, run in DuckDB's RE2, linear by design.)

The patterns run in a child process, each with a generous deadline: a pattern that backtracks takes
hours on these lines, not seconds, so the deadline tells a broken pattern from a slow machine. A
pattern added to the code without being listed here fails
`test_every_pattern_in_the_code_is_listed`.
"""

from __future__ import annotations

import ast
import importlib
import queue
import subprocess
import sys
import threading
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "boardpack"
# module.NAME -> the method the code calls on it
PATTERNS = {
    "boardpack.sources.notes.TASK": "match",
    "boardpack.sources.notes.DUE": "fullmatch",
    "boardpack.sources.notes.DECISION": "match",
    "boardpack.reports.lint.AMOUNT": "findall",
    "boardpack.reports.lint.FOOTNOTE": "findall",
    "boardpack.sources.notes.DECISIONS_HEADING": "fullmatch",
    "boardpack.sources.secrets.ENV_FILE": "search",
    "boardpack.sources.secrets.ENV_ASSIGNMENT": "match",
    "boardpack.sources.stack.TEST_FILE": "search",
    "boardpack.sources.stack.STAGING": "search",
    "boardpack.sources.stack.LAMBDA_RUNTIME": "finditer",
    "boardpack.sources.stack.CDK_RUNTIME": "finditer",
    "boardpack.sources.stack.DOCKER_FROM": "findall",
    "boardpack.sources.stack.GO_VERSION": "finditer",
    "boardpack.sources.aws_reader.SECRET_NAME": "search",
    "boardpack.sources.aws_reader.ACCESS_KEY_ID": "search",
    "boardpack.csv_file.NUMBER": "fullmatch",
    "boardpack.terminal.CONTROL": "findall",
    "boardpack.analyses.real_estate.MAINTENANCE": "search",
    "boardpack.render.markdown.SPECIAL": "sub",
    "boardpack.render.markdown.LEADING": "match",
    "boardpack.preview.CID": "sub",
    "boardpack.config.REGION": "fullmatch",
    "boardpack.config.POSITIONAL": "fullmatch",
    "boardpack.config.OWNED_OR_OWED": "fullmatch",
    "boardpack.analyses.reconciliation.WORDS": "sub",
    "boardpack.sources.budget.PERIOD": "fullmatch",
    "boardpack.sources.budget.ACCOUNT": "fullmatch",
    "boardpack.analyses.executive.KPI_OFF": "fullmatch",
    "boardpack.analyses.executive.WORD": "findall",
    "boardpack.model.results.STRIPPED": "sub",
    "boardpack.model.results.ID_WORDS": "split",
    "boardpack.delivery.approval.BUILT": "search",
    "boardpack.delivery.approval.BODY": "sub",
    "boardpack.cli.PERIOD_LABEL": "match",
    "boardpack.render.xlsx.ISO_DAY": "fullmatch",
    "boardpack.config.NOT_IN_KEYS": "sub",
    "boardpack.delivery.chat.MARKDOWN": "sub",
    "boardpack.sources.lockfiles.REQUIREMENT": "match",
    "boardpack.sources.lockfiles.YARN_VERSION": "match",
    "boardpack.sources.lockfiles.GEM_SPEC": "match",
    "boardpack.model.technology.SEPARATORS": "sub",
    "boardpack.render.xlsx.NOT_IN_NAMES": "sub",
    "boardpack.delivery.addresses.WORD_BREAKS": "split",
    "boardpack.sources.secrets.YAML_ALIAS": "search",
    "boardpack.analyses.customers.SHARE": "search",
    "boardpack.sources.ventures.ISO_TIMESTAMP": "fullmatch",
    "boardpack.config.AGE": "fullmatch",
    "boardpack.config.STAT": "fullmatch",
    "boardpack.live.sql.WINDOW": "sub",
    "boardpack.analyses.events.SLUG": "sub",
}
PATTERNS |= {f"boardpack.sources.stack.CI[{n}]": "search" for n in range(10)}


def entropy_patterns() -> list:
    """The secret scan's own form of detect-secrets' entropy plugins' patterns (long_enough), which
    it tries on a file's lines. (The other plugins' patterns are detect-secrets' own, tried as it
    tries them.)"""
    from detect_secrets.core.scan import get_plugins
    from detect_secrets.plugins.high_entropy_strings import HighEntropyStringsPlugin

    from boardpack.sources.secret_lines import long_enough
    from boardpack.sources.secrets import SecretScanner

    with SecretScanner(b"k" * 32).session():
        return [
            long_enough(p) for p in get_plugins() if isinstance(p, HighEntropyStringsPlugin)
        ]


PATTERNS |= {f"boardpack.sources.secret_lines.quoted_run[{n}]": "search" for n in range(2)}
# compiled in the code but never applied to workspace data: why, for each
NOT_ON_WORKSPACE_DATA = {
    "boardpack.config._line_of": "built from a key name with re.escape, one bounded pass per line",
    "boardpack.aws.template.eventbridge_cron": "digits of a cron field already checked by croniter",
    "boardpack.sources.regex_needs.between": "cuts the literal strings of detect-secrets' patterns",
    "boardpack.sources.regex_needs.parse_understood": (
        "compiles its own fixed patterns and matches them on its own fixed strings"
    ),
    "boardpack.sources.ledger.QUOTED": "boardpack's own SQL for a problem's message, never data",
    "boardpack.delivery.http_post.without_url": (
        "literal pieces of the operator's webhook URL (re.escape): one pass each over an answer"
    ),
}
# a backtracking pattern takes minutes on a line this long; a linear one, a millisecond
LENGTH = 30_000
DEADLINE = 120  # seconds for one pattern over every line
PREFIXES = (
    "",
    "[ ] ",
    "[x] @owner ",
    "FROM ",
    "FROM --platform=",
    "runtime: ",
    "Runtime.",
    "(due ",
    "go ",
    "test_",
    ".env.",
    "export A=",
    "cid:",
    "us-",
    "a.b",
    "1,",
    "staging",
)
FILLERS = (" ", "\t", "a", "0", "/", ".", "-", "_", "#", "(", ",", "a/", "0,", "a.", "[ ", "=")


def pathological() -> list[str]:
    """Lines that start a match and then never let it finish, in every shape the patterns above can
    stall on."""
    lines = []
    for prefix in PREFIXES:
        for filler in FILLERS:
            body = (filler * (LENGTH // len(filler)))[: LENGTH - len(prefix) - 1]
            lines.append(prefix + body + "!")
    return lines


def compiled(name: str):
    module, _, attribute = name.rpartition(".")
    if attribute.startswith("CI["):
        return importlib.import_module(module).CI[int(attribute[3:-1])][0]
    if attribute.startswith("quoted_run["):
        return entropy_patterns()[int(attribute[11:-1])]
    return getattr(importlib.import_module(module), attribute)


def worst_seconds(name: str, method: str) -> float:
    """The slowest of the pathological lines through the pattern, in this process."""
    import time

    pattern, worst = compiled(name), 0.0
    for line in pathological():
        started = time.perf_counter()
        result = getattr(pattern, method)(*(("", line) if method == "sub" else (line,)))
        if method in ("finditer",):
            list(result)
        worst = max(worst, time.perf_counter() - started)
    return worst


def each_pattern() -> None:
    """In the child: each pattern's name when it starts, its worst time when it ends."""
    for name in sorted(PATTERNS):
        print("start", name, flush=True)
        print("done", name, worst_seconds(name, PATTERNS[name]), flush=True)


@pytest.fixture(scope="module")
def outcomes() -> tuple[dict[str, str], str]:
    """Every pattern through one child process (importing boardpack once, not thirty times): the
    name of each that finished, with its worst seconds, or "backtracks" for the one that did not
    finish within DEADLINE of its start."""
    child = subprocess.Popen(
        [sys.executable, "-c", "from tests.hostile.test_regex import each_pattern; each_pattern()"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=SRC.parents[1],
    )
    lines: queue.Queue[str | None] = queue.Queue()

    def read() -> None:
        for line in child.stdout:
            lines.put(line)
        lines.put(None)  # the child is done

    threading.Thread(target=read, daemon=True).start()
    found: dict[str, str] = {}
    running = ""
    try:
        while True:
            try:
                line = lines.get(timeout=DEADLINE)
            except queue.Empty:  # the pattern that started last is still running
                found[running] = "backtracks"
                break
            if line is None:
                break
            what, running, *seconds = line.split()
            if what == "done":
                found[running] = seconds[0]
    finally:
        child.kill()
        errors = child.stderr.read()
    return found, errors


@pytest.mark.parametrize("name", sorted(PATTERNS))
def test_a_pattern_finishes_in_one_pass_on_every_pathological_line(name, outcomes):
    found, errors = outcomes
    assert name in found, f"the child process stopped before this pattern ran: {errors[-2000:]}"
    assert (
        found[name] != "backtracks"
    ), f"{name} did not finish in {DEADLINE} seconds on {LENGTH:,}-character lines: it backtracks"


def test_every_pattern_in_the_code_is_listed():
    """A regular expression compiled or used anywhere in boardpack is in PATTERNS or
    NOT_ON_WORKSPACE_DATA."""
    found = set()
    for file in SRC.rglob("*.py"):
        module = ".".join(file.relative_to(SRC.parent).with_suffix("").parts)
        for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and uses_re(node):
                found.add(f"{module}.{node.name}")
            elif isinstance(node, ast.Assign) and node.col_offset == 0 and (count := uses_re(node)):
                name = node.targets[0].id
                found |= (
                    {f"{module}.CI[{n}]" for n in range(count)}
                    if name == "CI"
                    else {f"{module}.{name}"}
                )
    # quoted_run[n]: the patterns one function makes
    listed = {n.partition("[")[0] if ".quoted_run[" in n else n for n in PATTERNS}
    listed |= set(NOT_ON_WORKSPACE_DATA)
    assert found - listed == set(), "a pattern to list above"
    assert listed <= found, "a listed pattern is gone from the code"


def uses_re(node: ast.AST) -> int:
    """How many calls of the re module (other than re.escape) the node holds."""
    return sum(
        1
        for c in ast.walk(node)
        if isinstance(c, ast.Call)
        and isinstance(c.func, ast.Attribute)
        and isinstance(c.func.value, ast.Name)
        and c.func.value.id == "re"
        and c.func.attr != "escape"
    )
