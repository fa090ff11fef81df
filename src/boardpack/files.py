"""What a workspace may reach, and how boardpack opens a file it names: only inside the workspace
(or a folder the machine's owner trusts), only a regular file, never more than a stated size, and
never waiting on a FIFO or a device (which would hold a run for ever). `inside` is every path
boardpack reads, `output_path` every path it writes or deletes.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from boardpack.errors import WorkspaceError

TRUSTED_PATHS = "BOARDPACK_TRUSTED_PATHS"  # the machine owner's own roots, from the environment
KINDS = (
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISDIR, "a directory"),
)


def roots(root: Path) -> list[Path]:
    """The folders boardpack may read and write in: the workspace and the folders the machine's
    owner trusts in the process environment (never from the workspace or its .env)."""
    trusted = os.environ.get(TRUSTED_PATHS, "").split(os.pathsep)
    return [root.resolve(), *(Path(p).resolve() for p in trusted if p)]


def within(root: Path, path: Path) -> bool:
    """Whether `path`, symlinks resolved, stays in the workspace `root` (or a trusted folder)."""
    resolved = path.resolve()
    return any(resolved.is_relative_to(r) for r in roots(root))


def kind_of(mode: int) -> str:
    return next((name for test, name in KINDS if test(mode)), "not a regular file")


def not_a_file(path: Path, mode: int, what: str) -> WorkspaceError:
    return WorkspaceError(
        f"{path} ({what}) is {kind_of(mode)}, not a file; boardpack reads only regular files: "
        "put the file itself there"
    )


def check_node(path: Path, what: str) -> None:
    """A path a workspace names that may be a folder or a file, but nothing else."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return  # not there: whoever reads it says so
    if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
        raise not_a_file(path, mode, what)


def read_bytes(path: Path, what: str, limit: int) -> bytes:
    """The file's bytes: a regular file of at most `limit` bytes, or a `WorkspaceError` naming it.
    Opened without blocking, so a FIFO swapped in after a check is refused, not waited on."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY)
    mode, size = os.fstat(fd).st_mode, os.fstat(fd).st_size
    if not stat.S_ISREG(mode):  # before a file object is made of it: a folder cannot be one
        os.close(fd)
        raise not_a_file(path, mode, what)
    with os.fdopen(fd, "rb") as handle:
        if size > limit:
            raise too_large(path, what, size, limit)
        os.set_blocking(fd, True)
        data = handle.read(limit + 1)
    if len(data) > limit:  # it grew while being read
        raise too_large(path, what, len(data), limit)
    return data


def too_large(path: Path, what: str, size: int, limit: int) -> WorkspaceError:
    return WorkspaceError(
        f"{path} ({what}) is {size:,} bytes, over the {limit:,} boardpack reads for it; split it "
        "or leave out what it does not need"
    )


def inside(root: Path, relative: str, key: str) -> Path:
    """`relative` under the workspace `root`, symlinks resolved. A workspace may come from someone
    else, so a path that leads anywhere else is refused, naming its key, unless the machine's owner
    trusts that folder (`roots`)."""
    path = (root / relative).resolve()
    if not within(root, path):
        raise WorkspaceError(
            f"{key} = {relative!r} resolves to {path}, outside the workspace {root}; boardpack "
            "reads and writes only inside the workspace: move it in (or trust its folder with "
            f"{TRUSTED_PATHS} in the environment)"
        )
    check_node(path, key)
    return path


def output_path(root: Path, path: Path, place: str = "the workspace") -> Path:
    """`path`, which boardpack is about to write or delete, when it stays in `root` (or a trusted
    folder): a link on the way that leads outside, or to nothing, is refused by name, so that
    neither a write nor a `prune` can reach another folder through the workspace."""
    steps = [path, *path.parents]
    links = [p for p in reversed(steps) if p.is_relative_to(root) and p != root and p.is_symlink()]
    for link in links:
        target = link.resolve()
        if not within(root, link):
            raise WorkspaceError(
                f"{link} is a link to {target}, outside {place} {root}; boardpack writes only "
                f"inside {place}: remove the link (or trust that folder with {TRUSTED_PATHS} in "
                "the environment)"
            )
        if not target.exists():
            raise WorkspaceError(
                f"{link} is a link to {target}, which does not exist: remove the link, or make "
                "what it points to"
            )
    if not within(root, path):
        raise WorkspaceError(
            f"{path} resolves to {path.resolve()}, outside {place} {root}; boardpack writes only "
            f"inside {place}"
        )
    check_node(path, "a file boardpack writes")  # a FIFO there would hold the write
    return path
