"""`boardpack deploy aws --package DIR`: the code Lambda runs. The bundle is built once, for this
machine's Python (a Lambda runtime, so its Linux wheels load here), then its scheduled-run handler
runs from the unzipped bundle alone (`python -I -S`: no site-packages, nothing but the bundle and
the standard library) against a real moto_server."""

import json
import os
import platform
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from boardpack.aws.bundle import GLIBC_MINOR, UNZIPPED_LIMIT, ZIP_TIME, write_zip
from boardpack.aws.template import BUNDLE, RUNTIMES
from tests.conftest import TOML, run_cli, ses_toml, write_workspace
from tests.schedule.conftest import SLOT, Context

RUNTIME = f"python{sys.version_info.major}.{sys.version_info.minor}"
pytestmark = pytest.mark.skipif(
    RUNTIME not in RUNTIMES or platform.machine() != "x86_64",
    reason=f"the bundle is for Lambda's Linux x86_64; this is {RUNTIME} on {platform.machine()}",
)
SCHEDULE = '\n[schedule]\ncron = "0 6 * * MON"\n'
BUDGET = 150 * 2**20  # bytes unzipped; the demo's bundle is 114 MB (Lambda's limit is 250)
PRIVATE = {
    ".env": "SES_SMTP_PASSWORD=hunter2-not-for-lambda\n",
    ".env.example": "SES_SMTP_PASSWORD=\n",
    ".boardpack/audit.sqlite": b"local state",
    "outbox/2026-10/ceo.eml": "From: a local copy\n",
    "reports/2026-10/ceo.html": "<p>a local build</p>",
}


def package(
    root: Path, out: Path, *options: str, env: dict | None = None
) -> subprocess.CompletedProcess:
    return run_cli(
        "deploy",
        "aws",
        "-w",
        str(root),
        "--template-out",
        str(out / "template.json"),
        "--package",
        str(out),
        "--runtime",
        RUNTIME,
        *options,
        env=env,
        timeout=600,
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    base = tmp_path_factory.mktemp("bundle")
    root = write_workspace(base / "harbor", ses_toml() + SCHEDULE, PRIVATE)
    result = package(root, base / "out")
    assert result.returncode == 0, result.stderr
    return base / "out", result.stdout


def test_the_bundle_holds_the_code_for_lambdas_platform_and_the_workspace_without_its_private_files(
    built,
):
    out, said = built
    template = json.loads((out / "template.json").read_text())
    assert template["Parameters"]["CodeKey"]["Default"] == BUNDLE
    with zipfile.ZipFile(out / BUNDLE) as bundle:
        entries = bundle.infolist()
        names = {e.filename for e in entries}
        wheels = [bundle.read(n).decode() for n in names if n.endswith(".dist-info/WHEEL")]
    assert {
        "boardpack/aws/handlers.py",
        "boardpack/render/templates/report.html.j2",
        "duckdb/__init__.py",
        "workspace/boardpack.toml",
        "workspace/ledger/bank.csv",
        "workspace/.env.example",
    } <= names
    assert any(
        n.startswith("boardpack-") and n.endswith(".dist-info/entry_points.txt") for n in names
    )
    private = [
        n
        for n in names
        if n.startswith(("workspace/.boardpack/", "workspace/outbox/", "workspace/reports/"))
        or n == "workspace/.env"
        or "__pycache__" in n
        or n.endswith(".pyc")
    ]
    assert private == []
    assert "left out of the bundle: .env (secrets" in said and "hunter2" not in said
    assert sum(e.file_size for e in entries) < UNZIPPED_LIMIT
    # issue 27's budget: no numpy, no PDF or image libraries, no command-line libraries
    assert sum(e.file_size for e in entries) < BUDGET, sum(e.file_size for e in entries) / 2**20
    tops = {n.split("/")[0].split(".")[0].split("-")[0].lower() for n in names}
    assert not tops & {"numpy", "weasyprint", "pil", "fonttools", "typer", "rich", "pygments"}
    assert all(
        e.date_time == ZIP_TIME and (e.external_attr >> 16) & 0o444 == 0o444 for e in entries
    )
    # every compiled library is for Linux x86_64, this Python, and a glibc the runtime has
    for wheel in wheels:
        tags = [
            line.removeprefix("Tag: ") for line in wheel.splitlines() if line.startswith("Tag: ")
        ]
        assert any(t.endswith("-none-any") or lambda_runs(t) for t in tags), tags


def lambda_runs(tag: str) -> bool:
    """A wheel tag the runtime's Python and glibc can load: this CPython, or an older one's stable
    ABI."""
    python, abi, system = tag.split("-")
    minor = int(RUNTIME.split(".")[1])
    glibc = {"manylinux1_x86_64": 5, "manylinux2010_x86_64": 12, "manylinux2014_x86_64": 17}.get(
        system
    )
    if system.startswith("manylinux_2_") and system.endswith("_x86_64"):
        glibc = int(system.split("_")[2])
    python_ok = python == f"cp3{minor}" or (
        abi == "abi3" and python.startswith("cp3") and int(python[3:]) <= minor
    )
    return python_ok and glibc is not None and glibc <= GLIBC_MINOR[RUNTIME]


RUN_FROM_THE_BUNDLE = """
import json, sys
sys.path[:0] = [sys.argv[1]]
import boardpack, duckdb
from boardpack.aws.handlers import scheduled_run

class Context:
    aws_request_id = sys.argv[3]

result = scheduled_run({"scheduled_time": sys.argv[2], "attempt": "1"}, Context())
print(json.dumps({"result": result, "modules": [boardpack.__file__, duckdb.__file__]}))
"""


def test_the_bundled_scheduled_run_works_from_the_bundle_alone(built, cloud, aws, tmp_path):
    out, _ = built
    task = (
        tmp_path / "var-task"
    )  # as Lambda unpacks it: read-only code, the workspace in workspace/
    with zipfile.ZipFile(out / BUNDLE) as bundle:
        bundle.extractall(task)
    for folder, _, _ in os.walk(task):
        os.chmod(folder, 0o555)
    try:
        env = os.environ | {"BOARDPACK_WORKSPACE": str(task / "workspace")}
        run = subprocess.run(
            [
                sys.executable,
                "-I",
                "-S",
                "-c",
                RUN_FROM_THE_BUNDLE,
                str(task),
                SLOT,
                Context.aws_request_id,
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
    finally:
        for folder, _, _ in os.walk(task):
            os.chmod(folder, 0o755)
    assert run.returncode == 0, run.stderr
    answer = json.loads(run.stdout.splitlines()[-1])
    assert all(Path(m).is_relative_to(task) for m in answer["modules"]), answer["modules"]
    assert answer["result"]["status"] == "ok", answer["result"]["summary"]
    assert answer["result"]["summary"] == "2026-10: 2 sent"
    assert len(aws.sent_raw()) == 2
    assert {d.state for d in cloud.store().deliveries("2026-10")} == {"sent"}


def test_the_zip_is_the_same_bytes_for_the_same_files(tmp_path):
    (tmp_path / "code").mkdir()
    script = tmp_path / "code" / "run.sh"
    script.write_text("#!/bin/sh\n")
    script.chmod(0o700)
    data = tmp_path / "code" / "data.csv"
    data.write_text("a,b\n")
    entries = [("run.sh", script), ("data.csv", data)]
    write_zip(tmp_path / "one.zip", entries)
    os.utime(data, (0, 0))
    write_zip(tmp_path / "two.zip", list(reversed(entries)))
    assert (tmp_path / "one.zip").read_bytes() == (tmp_path / "two.zip").read_bytes()
    with zipfile.ZipFile(tmp_path / "one.zip") as bundle:
        modes = {e.filename: e.external_attr >> 16 & 0o777 for e in bundle.infolist()}
    assert modes == {
        "data.csv": 0o644,
        "run.sh": 0o755,
    }  # readable by Lambda's user; scripts stay runnable


def refused(result: subprocess.CompletedProcess, out: Path) -> str:
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert not (out / BUNDLE).exists() and not (out / "template.json").exists()
    return result.stderr


def test_a_file_outside_the_workspace_is_refused_before_anything_is_built(tmp_path):
    (tmp_path / "elsewhere").mkdir()
    toml = TOML.replace('path = "ledger/bank.csv"', 'path = "../elsewhere/bank.csv"') + SCHEDULE
    root = write_workspace(tmp_path / "ws", toml, {"ledger/bank.csv": None})
    (tmp_path / "elsewhere" / "bank.csv").write_text(
        "Date,Payee,Memo,Amount,Account\n"
    )  # found here, not on AWS
    said = refused(package(root, tmp_path / "out"), tmp_path / "out")
    assert "does not build from the bundle's copy" in said and "../elsewhere/bank.csv" in said
    assert "must be inside the workspace folder" in said


def test_a_workspace_with_git_repositories_is_refused_as_lambda_has_no_git(tmp_path):
    root = write_workspace(
        tmp_path / "ws", TOML.replace('id = "co"\n', 'id = "co"\nrepos = ["app"]\n') + SCHEDULE
    )
    said = refused(package(root, tmp_path / "out"), tmp_path / "out")
    assert "entities co list git repositories" in said and "boardpack schedule run" in said


def test_a_workspace_archiving_pdfs_is_refused_as_lambda_has_no_pango(tmp_path):
    root = write_workspace(tmp_path / "ws", TOML + SCHEDULE + "[archive]\npdf = true\n")
    said = refused(package(root, tmp_path / "out"), tmp_path / "out")
    assert "which Lambda's runtime lacks: set both to false" in said


def test_a_file_where_the_folder_should_be_is_refused(tmp_path):
    root = write_workspace(tmp_path / "ws", TOML + SCHEDULE)
    (tmp_path / "out").write_text("not a folder")
    result = package(root, tmp_path / "out")
    assert result.returncode == 2 and "that is a file; give a folder" in result.stderr
    assert (tmp_path / "out").read_text() == "not a folder"


def test_no_wheels_to_be_had_is_a_clear_error_and_writes_nothing(tmp_path):
    root = write_workspace(tmp_path / "ws", TOML + SCHEDULE)
    offline = {"PIP_CONFIG_FILE": os.devnull, "PIP_NO_INDEX": "1", "PIP_FIND_LINKS": ""}
    said = refused(package(root, tmp_path / "out", env=offline), tmp_path / "out")
    assert f"pip could not install the libraries for {RUNTIME}" in said
    assert "Could not find a version that satisfies the requirement duckdb" in said


def test_the_bundle_takes_the_libraries_the_live_sources_need_and_no_other_extra(tmp_path):
    """Stripe's library (31 MB) and psycopg go into the bundle only for a workspace that reads
    Stripe or a SQL database; the PDF archive's, beancount's and the tests' never."""
    from boardpack.aws.bundle import live_extras, requirements
    from boardpack.config import load_workspace
    from tests.sources.test_sql import QUERY

    plain = load_workspace(write_workspace(tmp_path / "a", TOML), environ={})
    live = load_workspace(
        write_workspace(
            tmp_path / "b", TOML + QUERY + '\n[sources.stripe]\naccount_entity = "co"\n'
        ),
        environ={},
    )
    names = [r.split(">")[0].split("=")[0].split("[")[0] for r in requirements(live_extras(live))]
    assert {"stripe", "psycopg"} <= set(names)
    assert not {"weasyprint", "beancount", "pytest"} & set(names)
    assert not {"stripe", "psycopg"} & {
        r.split(">")[0].split("[")[0] for r in requirements(live_extras(plain))
    }
