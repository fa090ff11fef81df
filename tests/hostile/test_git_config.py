"""Class 1 of the second trial: a repository's own git configuration runs nothing and leads nowhere.

Each case puts a repository in the workspace whose `.git/config`, `info/attributes`,
`.gitattributes`, hooks or `.git` file asks git to run a program (which would leave a file beside
the workspace) or to read outside the workspace, then runs the real `check` or `build`. The program
must not run, nothing outside may be read, and the secret planted in the repository must still be
found (the audit still works) — or, where the repository itself leads outside, it is refused by
name.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.hostile.corpus import AS_OF, Case, problems_of, replace, run_case
from tests.sources.test_git import make_repo, sh

AWS_KEY = "AKIAZ4MHJ7Q2XK5P4W8N"
OUTSIDE_KEY = "AKIAQ7W3ERT5YU8IO2PL"  # in a repository beside the workspace: never read
REPOS = replace(
    'domains = ["smallco.example.com"]',
    'domains = ["smallco.example.com"]\nrepos = ["repos/app"]',
)
BUILD = ("build", *AS_OF, "--out", "{ws}/reports")


def marker(ws: Path) -> Path:
    return ws.parent / "RAN"


def program(ws: Path) -> str:
    """A program that leaves its mark beside the workspace, and passes its input on (a textconv or
    a filter must still give git some text)."""
    script = ws.parent / "evil.sh"
    script.write_text(f'#!/bin/sh\necho "$0 $*" >> "{marker(ws)}"\ncat "$1" 2>/dev/null || cat\n')
    script.chmod(0o755)
    return str(script)


def repository(ws: Path) -> Path:
    repo = make_repo(
        ws / "repos" / "app",
        {"app/settings.py": "REGION = 'us-west-2'\n", "README.md": "app\n", "notes.txt": "a\n"},
    )
    (repo / "app" / "settings.py").write_text(f'REGION = "us-west-2"\nKEY = "{AWS_KEY}"\n')
    sh(repo, "commit", "-qam", "settings", env={"GIT_COMMITTER_DATE": "2026-10-01T10:00:00Z"})
    return repo


def signed_commit(repo: Path) -> None:
    """HEAD becomes a commit that carries a signature, so that showing it would run gpg."""
    tree = sh(repo, "rev-parse", "HEAD^{tree}").strip()
    parent = sh(repo, "rev-parse", "HEAD").strip()
    body = (
        f"tree {tree}\nparent {parent}\nauthor Ana <ana@example.com> 1790000000 +0000\n"
        "committer Ana <ana@example.com> 1790000000 +0000\ngpgsig -----BEGIN PGP SIGNATURE-----\n"
        " \n iQEzBAABCAAdFiEE\n -----END PGP SIGNATURE-----\n\nsigned\n"
    )
    (repo.parent / "commit").write_text(body)
    oid = sh(repo, "hash-object", "-t", "commit", "-w", str(repo.parent / "commit")).strip()
    sh(repo, "update-ref", "refs/heads/main", oid)
    sh(repo, "tag", "-a", "v1", "-m", "release")


def configured(config: str, attributes: str = "", hooks: bool = False, signed: bool = False):
    """A repository whose own files say `config` ({program} is the marking program)."""

    def make(ws: Path) -> None:
        repo = repository(ws)
        run = program(ws)
        if attributes:
            (repo / ".gitattributes").write_text(attributes)
            sh(repo, "add", ".gitattributes")
            sh(repo, "commit", "-qm", "attributes")
            (repo / ".git" / "info").mkdir(exist_ok=True)
            (repo / ".git" / "info" / "attributes").write_text(attributes)
        if signed:
            signed_commit(repo)
        with open(repo / ".git" / "config", "a") as handle:  # last: the test's own git obeys it
            handle.write(config.format(program=run, outside=ws.parent))
        if hooks:
            (repo / ".git" / "hooks").mkdir(exist_ok=True)
            for hook in ("post-checkout", "post-index-change", "reference-transaction"):
                (repo / ".git" / "hooks" / hook).write_text(f"#!/bin/sh\n{run}\n")
                (repo / ".git" / "hooks" / hook).chmod(0o755)

    return make


def runs_nothing(id: str, config: str, argv=("check", *AS_OF), **options) -> Case:
    return Case(id, "git config", argv, REPOS, {}, configured(config, **options), 0, ())


CASES = [
    runs_nothing(
        "a diff driver's textconv, named by .gitattributes and info/attributes",
        '[diff "evil"]\n\ttextconv = {program}\n\tcommand = {program}\n',
        argv=BUILD,
        attributes="* diff=evil\n",
    ),
    runs_nothing(
        "gpg.program with log.showSignature on a signed commit",
        "[log]\n\tshowSignature = true\n[gpg]\n\tprogram = {program}\n"
        '[gpg "ssh"]\n\tprogram = {program}\n[gpg "x509"]\n\tprogram = {program}\n',
        signed=True,
    ),
    runs_nothing("an fsmonitor", "[core]\n\tfsmonitor = {program}\n", argv=BUILD),
    runs_nothing(
        "a pager for every command",
        "[core]\n\tpager = {program}\n[pager]\n\tlog = {program}\n\tblame = {program}\n",
    ),
    runs_nothing(
        "hooks, from the hooks folder and core.hooksPath",
        "[core]\n\thooksPath = hooks-elsewhere\n",
        hooks=True,
    ),
    runs_nothing(
        "a clean, smudge and process filter on every file",
        '[filter "evil"]\n\tclean = {program}\n\tsmudge = {program}\n\tprocess = {program}\n'
        "\trequired = true\n",
        attributes="* filter=evil\n",
    ),
    runs_nothing("an external diff", "[diff]\n\texternal = {program}\n", argv=BUILD),
    runs_nothing(
        "an included file outside that turns on signatures",
        "[include]\n\tpath = {outside}/more.config\n",
        signed=True,
    ),
    runs_nothing(
        "an alias named like a command, an editor and a credential helper",
        "[alias]\n\tlog = !{program}\n[core]\n\teditor = {program}\n\taskPass = {program}\n"
        "\tsshCommand = {program}\n[credential]\n\thelper = !{program}\n",
    ),
    runs_nothing(
        "a log output encoding that would break the records apart",
        "[i18n]\n\tlogOutputEncoding = UTF-16\n[log]\n\tdate = {program}\n",
        argv=BUILD,
    ),
]


def include_outside(case: Case) -> Case:
    def make(ws: Path) -> None:
        case.setup(ws)
        (ws.parent / "more.config").write_text(
            f"[log]\n\tshowSignature = true\n[gpg]\n\tprogram = {program(ws)}\n"
        )

    return Case(case.id, case.group, case.argv, case.toml, {}, make, 0, ())


CASES = [include_outside(c) if "included" in c.id else c for c in CASES]


def outside_repository(ws: Path) -> Path:
    """A repository beside the workspace, holding a secret the workspace must not read."""
    return make_repo(ws.parent / "elsewhere", {"config.py": f'KEY = "{OUTSIDE_KEY}"\n'})


def git_file_outside(ws: Path) -> None:
    outside = outside_repository(ws)
    (ws / "repos" / "app").mkdir(parents=True)
    (ws / "repos" / "app" / ".git").write_text(f"gitdir: {outside / '.git'}\n")


def git_link_outside(ws: Path) -> None:
    outside = outside_repository(ws)
    (ws / "repos" / "app").mkdir(parents=True)
    os.symlink(outside / ".git", ws / "repos" / "app" / ".git")


def alternates_outside(ws: Path) -> None:
    outside = outside_repository(ws)
    repo = make_repo(ws / "repos" / "app", {})
    (repo / ".git" / "objects" / "info" / "alternates").write_text(f"{outside}/.git/objects\n")
    head = sh(outside, "rev-parse", "HEAD").strip()
    (repo / ".git" / "refs" / "heads" / "main").write_text(head + "\n")


def ref_link_outside(ws: Path) -> None:
    outside = outside_repository(ws)
    repo = repository(ws)
    os.symlink(outside / ".git" / "refs" / "heads" / "main", repo / ".git" / "refs" / "heads" / "x")


def commondir_outside(ws: Path) -> None:
    outside = outside_repository(ws)
    repo = repository(ws)
    (repo / ".git" / "commondir").write_text(f"{outside / '.git'}\n")


def fifo(name: str):
    def make(ws: Path) -> None:
        repo = repository(ws)
        target = repo / ".git" / name
        target.unlink(missing_ok=True)
        os.mkfifo(target)

    return make


def refused(id: str, setup, *says: str) -> Case:
    return Case(
        id,
        "git config",
        ("check", *AS_OF),
        REPOS,
        {},
        setup,
        2,
        ("the git source could not be read", "repos/app", *says),
        secrets=(OUTSIDE_KEY, "config.py"),
    )


REFUSED = [
    refused("a .git file whose gitdir is outside", git_file_outside, "outside the workspace"),
    refused("a .git link to a repository outside", git_link_outside, "outside the workspace"),
    refused("object alternates outside", alternates_outside, "borrows objects from"),
    refused("a branch that is a link outside", ref_link_outside, "outside the workspace"),
    refused("a commondir outside", commondir_outside, "outside the workspace"),
    refused("packed-refs is a FIFO", fifo("packed-refs"), "neither a folder nor a regular file"),
    refused("HEAD is a FIFO", fifo("HEAD"), "neither a folder nor a regular file"),
    refused("a loose ref is a FIFO", fifo("refs/heads/stuck"), "neither a folder nor a regular"),
]
CASES += REFUSED


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_a_repository_s_own_git_configuration_runs_nothing_and_leads_nowhere(case, tmp_path):
    outcome = run_case(case, tmp_path)
    assert problems_of(case, outcome, tmp_path / "ws") == []
    assert not marker(tmp_path / "ws").exists(), marker(tmp_path / "ws").read_text()
    if case.argv == BUILD:  # the audit still sees the repository: its secret is found and blamed
        cto = (tmp_path / "ws" / "reports" / "2026-10" / "cto.txt").read_text()
        assert "AWS Access Key" in cto and "app/settings.py:2" in cto
        assert AWS_KEY not in cto


def test_the_machine_s_global_and_system_configuration_run_nothing(tmp_path):
    """The operator's own ~/.gitconfig, GIT_CONFIG_GLOBAL and GIT_CONFIG_* settings are not read
    for a workspace's repository either: one of them could be aimed at by a workspace's .env."""
    ws = tmp_path / "ws"
    evil = tmp_path / "global.config"
    case = Case(
        "global configuration",
        "git config",
        ("check", *AS_OF),
        REPOS,
        {},
        configured("", signed=True),
        0,
        (),
        env={
            "GIT_CONFIG_GLOBAL": str(evil),
            "GIT_CONFIG_COUNT": "1",
            "GIT_CONFIG_KEY_0": "log.showSignature",
            "GIT_CONFIG_VALUE_0": "true",
            "HOME": str(tmp_path),
        },
    )
    ws.parent.mkdir(parents=True, exist_ok=True)
    evil.write_text(f"[log]\n\tshowSignature = true\n[gpg]\n\tprogram = {program(ws)}\n")
    (tmp_path / ".gitconfig").write_text(evil.read_text())
    outcome = run_case(case, tmp_path)
    assert problems_of(case, outcome, ws) == []
    assert not marker(ws).exists()


def test_a_repository_read_through_its_shadow_gives_the_same_facts(tmp_path):
    """The shadow reads what git itself reads: branch, head, history, tags and blame of a
    worktree (a `.git` file and a commondir, inside the workspace) match the repository's own."""
    from boardpack.sources.git_safe import SafeGit

    repo = repository(tmp_path / "ws")
    signed_commit(repo)
    sh(repo, "worktree", "add", "-q", str(tmp_path / "ws" / "repos" / "tree"), "-b", "side")
    for root in (repo, tmp_path / "ws" / "repos" / "tree"):
        with SafeGit(root, tmp_path / "ws") as git:
            for args in (
                ("log", "--format=%H %aE %s", "HEAD"),
                ("for-each-ref", "--format=%(refname) %(objectname)"),
                ("symbolic-ref", "HEAD"),
                ("blame", "--porcelain", "HEAD", "--", "app/settings.py"),
            ):
                own = subprocess.run(
                    ["git", *args], cwd=root, capture_output=True, check=True
                ).stdout
                assert git(*args) == own, args
        assert not list(Path(git.shadow).parent.glob(Path(git.shadow).name))  # removed
