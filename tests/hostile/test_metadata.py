"""Class 9: secrets in a repository's metadata. File names, branch names and pinned-version files
get the same detection as file contents: a report shows a hit as its kind and fingerprint, never its
text."""

from __future__ import annotations

import dataclasses
import json

import pytest

from tests.hostile.corpus import AS_OF, Case, problems_of, replace, run_case
from tests.sources.test_git import make_repo, sh

AWS_KEY = "AKIAZ4MHJ7Q2XK5P4W8N"
TOKEN = "ghp_Qw8Er7Ty6Ui5Op4As3Df2Gh1Jk0LmNbVcXz9"
REPOS = replace(
    'domains = ["smallco.example.com"]',
    'domains = ["smallco.example.com"]\nrepos = ["../repos/app"]',
)
TRUSTED = {"BOARDPACK_TRUSTED_PATHS": "{ws}/../repos"}


def repository(files: dict[str, str], branch: str = "main") -> callable:
    def make(ws) -> None:
        repo = make_repo(ws.parent / "repos" / "app", {"README.md": "app\n", **files})
        if branch != "main":
            sh(repo, "checkout", "-q", "-b", branch)

    return make


def case(
    id: str, secret: str, files: dict[str, str], branch: str = "main", shown: str = ""
) -> Case:
    """`shown`: the kind the CTO report names where the secret was (the branch, a runtime, a
    finding's path)."""
    argv = ("build", *AS_OF, "--out", "{ws}/reports")
    SHOWN[id] = f"[{shown}" if shown else ""
    return Case(
        id,
        "metadata",
        argv,
        REPOS,
        {},
        repository(files, branch),
        0,
        (),
        secrets=(secret,),
        env=TRUSTED,
    )


SHOWN: dict[str, str] = {}
ADVISORY = {
    "id": "PYSEC-2026-1",
    "modified": "2026-10-01T00:00:00Z",
    "summary": f"{AWS_KEY} is vulnerable",
    "affected": [{"package": {"ecosystem": "PyPI", "name": AWS_KEY}, "versions": ["1.0"]}],
}


CASES = [
    case("a key in a file name", AWS_KEY, {f"backup-{AWS_KEY}.txt": "nothing\n"}),
    case("a token in a folder name", TOKEN, {f"{TOKEN}/staging.yml": "env: staging\n"}),
    case("a token as the branch name", TOKEN, {}, branch=TOKEN, shown="GitHub Token"),
    case(
        "a key in .python-version",
        AWS_KEY,
        {".python-version": f"{AWS_KEY}\n"},
        shown="AWS Access Key",
    ),
    case("a token in .nvmrc", TOKEN, {".nvmrc": f"{TOKEN}\n"}, shown="GitHub Token"),
    case(
        "a key in runtime.txt",
        AWS_KEY,
        {"runtime.txt": f"python-{AWS_KEY}\n"},
        shown="AWS Access Key",
    ),
    case(
        "a token in .tool-versions",
        TOKEN,
        {".tool-versions": f"nodejs {TOKEN}\n"},
        shown="GitHub Token",
    ),
    case("a key in a lock file's name", AWS_KEY, {f"{AWS_KEY}/package-lock.json": "{}\n"}),
    case(
        "a token as a manifest's node version",
        TOKEN,
        {"package.json": f'{{"engines": {{"node": "{TOKEN}"}}}}\n'},
        shown="GitHub Token",
    ),
    case(
        "a key in a secret file's own name",
        AWS_KEY,
        {f"app/{AWS_KEY}.py": 'PASSWORD = "hunter2-hunter2-x9"\n'},
        shown="AWS Access Key",
    ),
    case(
        "a key in a Lambda runtime, lower-cased on the way",
        AWS_KEY,
        {
            "template.yaml": "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Fn:\n"
            f"    Type: AWS::Lambda::Function\n    Properties:\n      Runtime: python{AWS_KEY}\n"
        },
        shown="AWS Access Key",
    ),
    case(
        "a lock file's package named for a key, with an advisory for it",
        AWS_KEY,
        {"requirements.txt": f"{AWS_KEY}==1.0\nrequests==2.0\n"},
    ),
    case(
        "a manifest nested too deep to read",
        "never-shown",
        {"package.json": "[" * 100_000 + "]" * 100_000},
    ),
]


def with_advisory(case: Case) -> Case:
    """The case with an offline OSV database holding an advisory for the package named for a key."""
    return dataclasses.replace(
        case,
        toml=lambda t: REPOS(t) + '\n[sources.osv]\npath = "osv"\n',
        files={"osv/PYSEC-2026-1.json": json.dumps(ADVISORY)},
    )


CASES = [with_advisory(c) if "advisory" in c.id else c for c in CASES]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_a_secret_in_metadata_is_shown_as_kind_and_fingerprint_only(case, tmp_path):
    outcome = run_case(case, tmp_path)
    assert problems_of(case, outcome, tmp_path / "ws") == []
    report = (tmp_path / "ws" / "reports" / "2026-10" / "cto.txt").read_text()
    assert case.secrets[0] not in report and case.secrets[0][4:16] not in report
    assert SHOWN[case.id] in report.replace("\n", " ")
