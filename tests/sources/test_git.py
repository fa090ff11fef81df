"""The git source on real repositories built here, with planted fake secrets that must be found and
never shown."""

from __future__ import annotations

import email
import json
import signal
import sqlite3
import subprocess
import threading
from pathlib import Path

import pytest

from boardpack.config import load_workspace
from boardpack.pipeline import build_pack
from tests.conftest import AS_OF, GENERATED_AT, TOML, run_cli, write_workspace

# Fake, but shaped like the real thing so that detect-secrets' own detectors recognise each kind.
AWS_KEY = "AKIAZ7QWERTYUIOPASDF"
SLACK = "xoxb-483920174652-2938475610293-QpWoEiRuTyAlSkDjFhGzXmCn"
GITHUB = "ghp_Zx9Qw8Er7Ty6Ui5Op4As3Df2Gh1Jk0LmNbVc"
DB_PASSWORD = "Tr0ub4dor-and-3-horses-k7"
PRIVATE_KEY_BODY = "MIIEowIBAAKCAQEAq7ZGkR1e9xNw0pLmT5cVbHs2YdJfU8iQ3oKtWzXa6nCgE4rD"
ALLOWLISTED = "AKIAZ7QWERTYUIOPASDG"
PLANTED = {
    AWS_KEY: "AKIA",
    SLACK: "xoxb-",
    GITHUB: "ghp_",
    DB_PASSWORD: "",
    PRIVATE_KEY_BODY: "",
    ALLOWLISTED: "AKIA",
}


def sh(cwd: Path, *args: str, env: dict | None = None) -> str:
    base = {
        "GIT_AUTHOR_NAME": "Ana",
        "GIT_AUTHOR_EMAIL": "ana@example.com",
        "GIT_COMMITTER_NAME": "Ana",
        "GIT_COMMITTER_EMAIL": "ana@example.com",
        "GIT_AUTHOR_DATE": "2026-09-20T10:00:00Z",
        "GIT_COMMITTER_DATE": "2026-09-20T10:00:00Z",
        "HOME": str(cwd),
        "PATH": "/usr/bin:/bin:/usr/local/bin",
    }
    return subprocess.run(
        ["git", *args], cwd=cwd, env=base | (env or {}), check=True, capture_output=True
    ).stdout.decode()


def make_repo(root: Path, files: dict[str, str | bytes]) -> Path:
    root.mkdir(parents=True)
    sh(root, "init", "-q", "-b", "main")
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
    sh(root, "add", "-A")
    if files:
        sh(root, "commit", "-q", "-m", "init")
    return root


SITE = {
    ".github/workflows/deploy.yml": (
        "on: push\njobs:\n  deploy-staging:\n    runs-on: ubuntu-latest\n"
    ),
    "app/settings.py": (
        f'REGION = "us-west-2"\nAWS_ACCESS_KEY_ID = "{AWS_KEY}"\n'
        f'LEGACY = "{ALLOWLISTED}"  # pragma: allowlist secret\n'
    ),
    "app/notify.py": f'SLACK_TOKEN = "{SLACK}"\n',
    "scripts/release.sh": f"#!/bin/sh\nexport GITHUB_TOKEN={GITHUB}\n",
    ".env": f"DB_PASSWORD={DB_PASSWORD}\nDEBUG=1\n",
    ".env.example": "DB_PASSWORD=\n",
    "deploy/id_rsa": (
        f"-----BEGIN RSA PRIVATE KEY-----\n{PRIVATE_KEY_BODY}\n-----END RSA PRIVATE KEY-----\n"
    ),
    "tests/test_app.py": "def test_ok():\n    assert True\n",
    "package-lock.json": "{}\n",
    "package.json": '{"name": "site", "engines": {"node": ">=20"}}\n',
    "template.yaml": (
        "AWSTemplateFormatVersion: '2010-09-09'\nTransform:"
        " AWS::Serverless-2016-10-31\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n   "
        " Properties:\n      Runtime: python3.8\n"
    ),
    "Dockerfile": "FROM python:3.12-slim\n",
    "assets/logo.png": b"\x89PNG\r\n\x1a\n\0\0\0binary",
    "data/huge.csv": "x" * 1_200_000,
}


@pytest.fixture(autouse=True)
def trusted_repos(tmp_path, monkeypatch):
    """The repositories sit beside the workspace, as an owner's clones do: the owner trusts that
    folder."""
    monkeypatch.setenv("BOARDPACK_TRUSTED_PATHS", str(tmp_path / "repos"))


def cli(tmp_path: Path, *args: str):
    return run_cli(*args, env={"BOARDPACK_TRUSTED_PATHS": str(tmp_path / "repos")})


@pytest.fixture
def site(tmp_path) -> Path:
    repo = make_repo(tmp_path / "repos" / "site", SITE | {"caf\xe9.txt": "ok\n"})
    (repo / "nom\xe9".encode("latin-1").decode("utf-8", "surrogateescape")).write_text("ok\n")
    sh(repo, "add", "-A")
    (repo.parent / "message").write_bytes(b"r\xe9sum\xe9 in Latin-1, not UTF-8\n")
    sh(
        repo,
        "commit",
        "-q",
        "-F",
        str(repo.parent / "message"),
        env={
            "GIT_COMMITTER_DATE": "2026-11-01T10:00:00Z",
            "GIT_AUTHOR_DATE": "2026-11-01T10:00:00Z",
        },
    )
    return repo


def workspace(tmp_path: Path, repos: list[str], extra: str = "", files: dict | None = None) -> Path:
    toml = TOML.replace(
        'stack = ["Django", "Postgres"]',
        f'stack = ["Django", "Postgres"]\nrepos = {json.dumps(repos)}',
    )
    return write_workspace(tmp_path / "ws", toml + extra, files)


def build(ws: Path):
    return build_pack(load_workspace(ws, environ={}), AS_OF, generated_at=GENERATED_AT)


def test_each_planted_secret_is_found_with_location_commit_and_fingerprint(tmp_path, site):
    pack = build(workspace(tmp_path, ["../repos/site"]))
    (repo,) = pack.portfolio.repositories
    first = sh(site, "rev-list", "--max-parents=0", "HEAD").strip()[:7]
    found = {(s.kind, s.location, s.prefix) for s in repo.secrets}
    assert ("AWS Access Key", "app/settings.py:2", "AKIA") in found
    assert ("Slack Token", "app/notify.py:1", "xoxb-") in found
    assert ("GitHub Token", "scripts/release.sh:2", "ghp_") in found
    assert ("Private Key", "deploy/id_rsa:1", "") in found
    assert ("Committed .env file (2 values)", ".env:1", "") in found
    assert not any(
        s.location == "app/settings.py:3" for s in repo.secrets
    )  # the allowlist pragma is honoured
    assert not any(
        s.path == ".env.example" for s in repo.secrets
    )  # a template with no values is not a secret
    assert {s.commit for s in repo.secrets} == {first}  # blamed to the commit that added the line
    assert all(len(s.fingerprint) == 16 for s in repo.secrets)
    # the same secret in another repository has the same fingerprint (the workspace key is stable)
    again = build(tmp_path / "ws").portfolio.repositories[0]
    assert {s.fingerprint for s in again.secrets} == {s.fingerprint for s in repo.secrets}
    assert (repo.skipped_large, repo.skipped_binary) == (1, 1)
    assert repo.files == len(SITE) + 2  # both non-UTF-8 and UTF-8 accented names are tracked files


def test_stack_facts_and_activity(tmp_path, site):
    pack = build(workspace(tmp_path, ["../repos/site"]))
    (repo,) = pack.portfolio.repositories
    assert (repo.branch, repo.commits_30, repo.commits_90, repo.authors) == ("main", 1, 2, 1)
    assert str(repo.last_commit) == "2026-11-01"
    assert (
        repo.ci == ("GitHub Actions",)
        and repo.test_files == 1
        and repo.lock_files == ("package-lock.json",)
    )
    assert repo.iac == ("SAM",) and repo.docker and ".github/workflows/deploy.yml" in repo.staging
    assert {
        "node >=20 (package.json)",
        "python 3.12 (container) (Dockerfile)",
        "lambda python3.8 (template.yaml)",
    } <= set(repo.runtimes)
    findings = {f.title: f for f in pack.results.findings}
    assert findings["site deploys Lambda on python3.8"].severity == "high"
    critical = findings["2 cloud or private-key credentials committed to site"]
    assert (
        critical.severity == "critical"
        and critical.entity == "co"
        and critical.asset == "../repos/site"
    )
    others = findings[
        "4 credentials committed to site"
    ]  # Slack, GitHub, the .env file and its password line
    assert (
        others.severity == "high" and "Committed .env file (2 values) at .env:1" in others.evidence
    )
    # the CEO sees the same findings on the asset, and the agenda has the CTO's action
    assets = {r["asset"]: r for r in pack.results.tables["executive.assets"].rows}
    assert (
        assets["../repos/site"]["worst"] == "critical"
        and assets["../repos/site"]["open_findings"] >= 3
    )
    actions = pack.results.tables["technology.actions"].rows
    assert actions[0]["why"] == "critical" and len(actions) <= 10
    assert any(a.title == actions[0]["action"] for a in pack.results.agenda)


def text_of(path: Path) -> str:
    """A file's text as a reader would get it: MIME parts decoded, SQLite rows read, bytes
    otherwise."""
    data = path.read_bytes()
    if path.suffix == ".eml":
        message = email.message_from_bytes(data)
        parts = [p.get_payload(decode=True) or b"" for p in message.walk() if not p.is_multipart()]
        return data.decode("utf-8", "replace") + "".join(
            p.decode("utf-8", "replace") for p in parts
        )
    if data.startswith(b"SQLite format 3"):
        with sqlite3.connect(path) as db:
            tables = [
                t for (t,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            ]
            return data.decode("latin-1") + "".join(
                repr(db.execute(f"SELECT * FROM {t}").fetchall()) for t in tables
            )
    return data.decode("utf-8", "replace")


def test_no_output_reveals_any_piece_of_a_planted_secret(tmp_path, site):
    ws = workspace(tmp_path, ["../repos/site"])
    built = cli(
        tmp_path,
        "build",
        "-w",
        str(ws),
        "--as-of",
        AS_OF.isoformat(),
        "--out",
        str(tmp_path / "out"),
    )
    sent = cli(tmp_path, "send", "-w", str(ws), "--as-of", AS_OF.isoformat())
    runs = cli(tmp_path, "runs", "-w", str(ws), "--json")
    checked = cli(tmp_path, "check", "-w", str(ws), "--as-of", AS_OF.isoformat())
    assert built.returncode == 0 and sent.returncode == 0, built.stderr + sent.stderr
    outputs = {f"{r.args[3]} output": r.stdout + r.stderr for r in (built, sent, runs, checked)}
    files = [
        p
        for p in [*ws.rglob("*"), *(tmp_path / "out").rglob("*")]
        if p.is_file() and p.name != "fingerprint.key"
    ]
    assert any(p.suffix == ".eml" for p in files) and any(p.name == "audit.sqlite" for p in files)
    outputs |= {str(p): text_of(p) for p in files}
    assert (
        "AWS Access Key (AKIA…) at app/settings.py:2" in outputs[
            str(tmp_path / "out/2026-10/cto.txt")
        ]
    )
    for secret, prefix in PLANTED.items():
        rest = secret[len(prefix) :]
        pieces = {rest[i : i + 8] for i in range(len(rest) - 7)}
        for where, text in outputs.items():
            assert secret not in text, f"{where} shows a planted secret"
            leaked = [p for p in pieces if p in text]
            assert (
                not leaked
            ), f"{where} shows part of a planted secret: {len(leaked)} 8-character pieces"


def test_workspace_baseline_acknowledges_secrets_unless_marked_real(tmp_path, site):
    from detect_secrets.core.potential_secret import PotentialSecret

    baseline = {
        "results": {
            "site/app/notify.py": [
                {
                    "type": "Slack Token",
                    "hashed_secret": PotentialSecret.hash_secret(SLACK),
                    "line_number": 1,
                }
            ],
            "scripts/release.sh": [
                {
                    "type": "GitHub Token",
                    "hashed_secret": PotentialSecret.hash_secret(GITHUB),
                    "line_number": 2,
                    "is_secret": True,
                }
            ],
        }
    }
    ws = workspace(
        tmp_path,
        ["../repos/site"],
        '[sources.git]\nbaseline = ".secrets.baseline"\n',
        {".secrets.baseline": json.dumps(baseline)},
    )
    (repo,) = build(ws).portfolio.repositories
    kinds = {s.kind for s in repo.secrets}
    assert "Slack Token" not in kinds and "GitHub Token" in kinds and repo.in_baseline == 1


def test_bad_baseline_is_a_clear_error(tmp_path, site):
    ws = workspace(
        tmp_path,
        ["../repos/site"],
        '[sources.git]\nbaseline = ".secrets.baseline"\n',
        {".secrets.baseline": "{not json"},
    )
    result = cli(tmp_path, "build", "-w", str(ws), "--as-of", AS_OF.isoformat())
    assert (
        result.returncode == 2
        and ".secrets.baseline: not a detect-secrets baseline" in result.stderr
    )
    assert "Traceback" not in result.stderr


def test_unreadable_repositories_are_reported_and_the_pack_still_builds(tmp_path, site):
    make_repo(tmp_path / "repos" / "empty", {})
    (tmp_path / "repos" / "plain").mkdir()
    subprocess.run(
        [
            "git",
            "clone",
            "-q",
            "--depth",
            "1",
            f"file://{site}",
            str(tmp_path / "repos" / "shallow"),
        ],
        check=True,
    )
    ws = workspace(
        tmp_path,
        [
            "../repos/site",
            "../repos/missing",
            "../repos/plain",
            "../repos/empty",
            "../repos/shallow",
            "../repos/site/app",
        ],
    )
    pack = build(ws)
    by_path = {r.path: r for r in pack.portfolio.repositories}
    assert "no such folder" in by_path["../repos/missing"].problem
    assert by_path["../repos/plain"].problem.startswith("not a git repository")
    assert "folder inside the repository" in by_path["../repos/site/app"].problem
    assert by_path["../repos/empty"].problem == "empty repository: no commits yet"
    assert by_path["../repos/shallow"].shallow and by_path["../repos/shallow"].problem is None
    assert by_path["../repos/shallow"].commits_90 == 1  # only the clone's depth is there
    cto = next(d for d in pack.documents if d.id == "cto")
    notices = [b.text for s in cto.sections for b in s.blocks if getattr(b, "tone", "") == "warn"]
    assert any("repository ../repos/missing (co): no such folder" in n for n in notices)
    assert any("shallow clone" in f.title for f in pack.results.findings)
    checked = cli(tmp_path, "check", "-w", str(ws), "--as-of", AS_OF.isoformat())
    assert checked.returncode == 2 and "repos '../repos/missing'" in checked.stderr + checked.stdout
    built = cli(
        tmp_path,
        "build",
        "-w",
        str(ws),
        "--as-of",
        AS_OF.isoformat(),
        "--out",
        str(tmp_path / "out"),
    )
    assert built.returncode == 0 and (tmp_path / "out/2026-10/cto.html").is_file()


def test_another_detect_secrets_is_refused_by_name_and_nothing_is_sent(tmp_path, site, monkeypatch):
    """The scan calls detect-secrets' own line loop, pinned to one version: another one installed
    makes the git source unreadable with the fix in its message, and a send stops before any
    message goes."""
    from boardpack.sources import secret_lines

    monkeypatch.setattr(secret_lines, "installed_version", lambda: "1.6.0")
    ws = workspace(tmp_path, ["../repos/site"])
    pack = build(ws)
    error = pack.portfolio.sources["git"].error
    assert error == (
        "the secret scan cannot run: detect-secrets 1.6.0 is installed, and boardpack's scan is"
        " written against 1.5.0 exactly; install that one: pip install 'detect-secrets==1.5.0'"
    )
    assert pack.portfolio.repositories == []
    sent = cli(tmp_path, "send", "-w", str(ws), "--as-of", AS_OF.isoformat())
    assert sent.returncode == 2 and "detect-secrets==1.5.0" in sent.stderr + sent.stdout
    assert "Traceback" not in sent.stderr + sent.stdout
    assert not list(ws.rglob("*.eml"))


def test_a_large_tree_is_scanned_across_processes_with_the_same_findings(monkeypatch):
    """Past POOL_FROM_FILES files the scan spreads over a pool of spawned processes: the same hits,
    in the same order, as one process finds, and none of the secret's characters come back."""
    from concurrent import futures

    from boardpack.sources import secrets

    texts = [
        (
            f"pkg/module{n}.{('py', 'cfg', 'yaml', 'js')[n % 4]}",
            "\n".join(f"name_{i} = 'value {n} {i}'" for i in range(20))
            + (f'\nAWS_KEY = "{AWS_KEY}"\ntoken = "{GITHUB}"\n' if n % 50 == 7 else "\n"),
        )
        for n in range(secrets.POOL_FROM_FILES + 40)
    ]
    pools = []

    class Recorded(futures.ProcessPoolExecutor):
        def map(self, *args, **kwargs):
            pools.append(self._max_workers)
            return super().map(*args, **kwargs)

    monkeypatch.setattr(futures, "ProcessPoolExecutor", Recorded)  # imported when a pool starts
    monkeypatch.setattr(secrets.os, "sched_getaffinity", lambda pid: {0, 1})  # two cores
    scanner = secrets.SecretScanner(b"k" * 32)
    with scanner.session():
        one = [(path, hit) for path, text in texts for hit in scanner.scan(path, text)]
        pooled = scanner.scan_many(texts).hits
    planted = sum(1 for n in range(len(texts)) if n % 50 == 7)
    assert pools == [2] and pooled == one and len({path for path, _ in one}) == planted
    assert not any(AWS_KEY[4:] in repr(hit) or GITHUB[4:] in repr(hit) for _, hit in pooled)


# a line detect-secrets' npm pattern backtracks over from every `//`: its time grows with the
# square of its length (16,000 characters take about a second here; this one, half a minute)
STALLING = "a" * 36 + " " + "//" * 32_000 + "/:_authToken=\n"


def test_a_file_that_holds_the_scan_is_named_and_the_rest_is_scanned(tmp_path, monkeypatch):
    from boardpack.sources import secrets

    monkeypatch.setattr(secrets, "FILE_SECONDS", 1.0)
    make_repo(
        tmp_path / "repos" / "site",
        {"public/bundle.js": STALLING, "app/settings.py": f'AWS_KEY = "{AWS_KEY}"\n'},
    )
    handler = signal.getsignal(signal.SIGALRM)
    pack = build(workspace(tmp_path, ["../repos/site"]))
    (repo,) = pack.portfolio.repositories
    assert repo.unscanned == ("public/bundle.js",)
    assert [(s.kind, s.location) for s in repo.secrets] == [("AWS Access Key", "app/settings.py:1")]
    (said,) = [f for f in pack.results.findings if "not scanned" in f.title]
    assert said.title == "1 file in site not scanned for secrets" and said.severity == "medium"
    assert said.evidence == "public/bundle.js: the scan stopped on each after 1 s."
    # the timer is stopped and its signal handed back
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGALRM) is handler


def test_a_thread_that_cannot_time_the_scan_has_a_process_do_it(monkeypatch):
    """Only the main thread takes signals, and the preview builds in its request threads: there the
    scan runs in a spawned process, which holds each file to the parent's limit."""
    from boardpack.sources import secrets

    monkeypatch.setattr(secrets, "FILE_SECONDS", 1.0)
    texts = [("public/bundle.js", STALLING), ("app/settings.py", f'AWS_KEY = "{AWS_KEY}"\n')]
    scanner, found = secrets.SecretScanner(b"k" * 32), []
    with scanner.session():
        thread = threading.Thread(target=lambda: found.append(scanner.scan_many(texts)))
        thread.start()
        thread.join()
    (scanned,) = found
    assert scanned.unscanned == ["public/bundle.js"]
    assert [(path, hit.kind) for path, hit in scanned.hits] == [
        ("app/settings.py", "AWS Access Key")
    ]
