"""`boardpack deploy aws --package DIR`: the functions' deployment bundle, a zip Lambda runs as it
is.

At its root, boardpack and every library it needs, as pip installs them for Lambda's own platform
(Linux x86_64, the runtime's Python and glibc), whatever machine builds it; in `workspace/`, the
workspace the template's BOARDPACK_WORKSPACE names, without its state, outputs or `.env` files (on
AWS the audit store is DynamoDB, and secrets belong to the function's role and environment, never to
its code).

Before anything is written, the bundled copy of the workspace must build a pack on its own, so a
file that boardpack.toml names but the bundle lacks is found here, not by the first scheduled run.
The zip is reproducible: entries sorted, one fixed time, so the same inputs give the same bytes and
hash.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import boardpack
from boardpack import pipeline
from boardpack.aws.template import BUNDLE, BUNDLED_WORKSPACE
from boardpack.config import Workspace, load_workspace
from boardpack.errors import WorkspaceError
from boardpack.sources.secrets import ENV_FILE, ENV_TEMPLATES

# Amazon Linux 2; Amazon Linux 2023
GLIBC_MINOR = {
    "python3.11": 26,
    "python3.12": 34,
    "python3.13": 34,
}
UNZIPPED_LIMIT = 250 * 1024 * 1024  # Lambda's limit on a function's code, unzipped
ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip can hold: the same for every build
SKIPPED_FOLDERS = {".git", "__pycache__", ".venv", "node_modules"}


@dataclass(frozen=True)
class Bundle:
    path: Path
    files: int
    zipped: int
    unzipped: int
    left_out: list[str]  # what of the workspace was not bundled, and why


def build(workspace: Workspace, out_dir: Path, runtime: str, with_workspace: bool = True) -> Bundle:
    """Write `out_dir/boardpack-lambda.zip` for `runtime`; with_workspace=False when it is read from
    S3."""
    if out_dir.exists() and not out_dir.is_dir():
        raise WorkspaceError(f"--package {out_dir}: that is a file; give a folder for {BUNDLE}")
    code: list[tuple[str, Path]] = []
    left_out: list[str] = []
    with tempfile.TemporaryDirectory(prefix="boardpack-bundle-") as scratch:
        if with_workspace:  # first: a mistake here is the user's, and found in seconds
            files, left_out = workspace_files(workspace)
            check_alone(workspace, files, Path(scratch) / BUNDLED_WORKSPACE)
            code += [
                (f"{BUNDLED_WORKSPACE}/{path.relative_to(workspace.root).as_posix()}", path)
                for path in files
            ]
        libraries = Path(scratch) / "code"
        install_libraries(libraries, runtime, live_extras(workspace))
        copy_boardpack(libraries)
        code += [(path.relative_to(libraries).as_posix(), path) for path in files_under(libraries)]
        unzipped = sum(path.stat().st_size for _, path in code)
        if unzipped > UNZIPPED_LIMIT:
            raise WorkspaceError(
                f"--package: the bundle would be {unzipped / 2**20:.0f} MB unzipped; Lambda takes"
                f" at most {UNZIPPED_LIMIT / 2**20:.0f} MB. Move large data out of the workspace"
                " and deploy with --workspace-uri s3://…"
            )
        try:
            out_dir.mkdir(parents=True, exist_ok=True)
            path = out_dir / BUNDLE
            write_zip(path, code)
        except OSError as exc:
            raise WorkspaceError(
                f"--package {out_dir}: cannot write {BUNDLE} ({exc.strerror or exc})"
            ) from None
    return Bundle(
        path=path, files=len(code), zipped=path.stat().st_size, unzipped=unzipped, left_out=left_out
    )


# the command line's own libraries (and through them pygments and click): Lambda runs handlers
COMMAND_LINE_ONLY = {"typer", "rich"}


def requirements(extras: frozenset[str] = frozenset()) -> list[str]:
    """boardpack's own requirements, as installed, but for the command line's; of the extras (for
    local use: the PDF archive, beancount, signing, the tests) only those the workspace's live
    sources need (`live_extras`)."""
    from packaging.requirements import Requirement

    found = []
    for text in metadata.requires("boardpack") or []:
        requirement = Requirement(text)
        if requirement.name.lower() in COMMAND_LINE_ONLY:
            continue
        marker = requirement.marker
        if marker is None:
            found.append(text)
        elif any(marker.evaluate({"extra": e}) for e in extras):
            requirement.marker = None
            found.append(str(requirement))
    return found


def live_extras(workspace: Workspace) -> frozenset[str]:
    """The extras a workspace's live sources need on Lambda: psycopg for SQL, Stripe's library."""
    sources = workspace.settings.sources
    return frozenset({"sql"} if sources.sql else set()) | ({"stripe"} if sources.stripe else set())


def install_libraries(target: Path, runtime: str, extras: frozenset[str] = frozenset()) -> None:
    """pip, for the runtime's platform rather than this machine's: binary wheels only, so nothing is
    compiled here for the wrong system, and none newer than the runtime's glibc."""
    platforms = [
        "manylinux2014_x86_64",
        *(f"manylinux_2_{m}_x86_64" for m in range(17, GLIBC_MINOR[runtime] + 1)),
    ]
    command = [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "--no-compile",
        "--target",
        str(target),
        "--only-binary=:all:",
        "--implementation",
        "cp",
        "--python-version",
        runtime.removeprefix("python"),
        *(f"--platform={p}" for p in platforms),
        *requirements(extras),
    ]
    run = subprocess.run(command, capture_output=True, text=True)
    if run.returncode:
        lines = run.stderr.strip().splitlines()
        reason = next(
            (line for line in lines if line.startswith("ERROR")),
            lines[-1] if lines else "no output",
        )
        raise WorkspaceError(
            f"--package: pip could not install the libraries for {runtime} on Linux x86_64: "
            f"{reason.removeprefix('ERROR: ')} (pip needs its package index, or a wheel mirror "
            "in its configuration)"
        )


def copy_boardpack(target: Path) -> None:
    """This boardpack, with the metadata its plugin registry reads (entry points), however it was
    installed."""
    shutil.copytree(
        Path(boardpack.__file__).parent,
        target / "boardpack",
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
    )
    dist = metadata.distribution("boardpack")
    info = target / f"boardpack-{dist.version}.dist-info"
    info.mkdir()
    for name in ("METADATA", "entry_points.txt"):
        (info / name).write_text(dist.read_text(name) or "", encoding="utf-8")


def files_under(folder: Path, skip: set[Path] = frozenset()) -> Iterator[Path]:
    for parent, folders, files in os.walk(folder):
        folders[:] = [
            f for f in folders if f not in SKIPPED_FOLDERS and Path(parent, f) not in skip
        ]
        yield from (Path(parent, f) for f in files if not f.endswith(".pyc"))


def workspace_files(workspace: Workspace) -> tuple[list[Path], list[str]]:
    """The workspace's files to bundle, and what is left out and why."""
    root = workspace.root
    outputs = {
        workspace.state_dir: "state: on AWS the audit store is DynamoDB",
        workspace.path(workspace.settings.delivery.outbox, "delivery.outbox"): "the outbox",
        root / "reports": "built reports",
    }
    left_out = [
        f"{folder.relative_to(root)}/ ({why})"
        for folder, why in outputs.items()
        if folder.is_dir() and folder.is_relative_to(root)
    ]
    files = []
    for path in files_under(root, set(outputs)):
        relative = path.relative_to(root).as_posix()
        if ENV_FILE.search(relative) and not relative.endswith(ENV_TEMPLATES):
            left_out.append(f"{relative} (secrets: set them on the function, not in its code)")
        else:
            files.append(path)
    return sorted(files), left_out


def check_alone(workspace: Workspace, files: list[Path], copy: Path) -> None:
    """Build a pack from the bundled files alone: whatever boardpack.toml names outside them fails
    here."""
    with_repos = [e.id for e in workspace.settings.entities if e.repos]
    git = workspace.settings.sources.git
    if with_repos and not (git and git.optional):  # optional: the CTO report says git is missing
        raise WorkspaceError(
            f"entities {', '.join(with_repos)} list git repositories (repos = [...]), and Lambda's "
            "runtime has no git: run this workspace with `boardpack schedule run` on a machine "
            "with git, remove repos from the workspace you deploy, or set [sources.git]"
            " optional = true to send the pack without the repositories"
        )
    archive = workspace.settings.archive
    if archive.pdf or archive.attach_pdf:
        raise WorkspaceError(
            "[archive] pdf / attach_pdf draw PDFs with the Pango library, which Lambda's runtime "
            "lacks: set both to false in the workspace you deploy, or run it with "
            "`boardpack schedule run` on a machine that has Pango"
        )
    for path in files:
        target = copy / path.relative_to(workspace.root)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
    try:
        pipeline.build_pack(load_workspace(copy))
    except WorkspaceError as exc:
        shown = str(exc).replace(str(copy), str(workspace.root))
        raise WorkspaceError(
            f"--package: the workspace does not build from the bundle's copy of it: {shown}. "
            "Every file boardpack.toml names must be inside the workspace folder"
        ) from None


def write_zip(path: Path, entries: list[tuple[str, Path]]) -> None:
    """Sorted, timeless and readable by all (Lambda runs the code as another user): reproducible
    bytes."""
    partial = path.with_name(path.name + ".partial")
    try:
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as bundle:
            for name, file in sorted(entries):
                info = zipfile.ZipInfo(name, ZIP_TIME)
                info.external_attr = (0o100755 if os.access(file, os.X_OK) else 0o100644) << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                with file.open("rb") as source, bundle.open(info, "w") as target:
                    shutil.copyfileobj(source, target, 1 << 20)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
