"""git run on a repository someone else may have written, obeying none of its configuration.

git obeys a repository's `.git/config`, its `info/attributes` and its hooks, and some of what they
say runs a program: a diff driver's `textconv`, `gpg.program` with `log.showSignature`, an
fsmonitor, a pager. So boardpack never points git at the repository's own git folder. It reads
through a bare shadow made for the run (the way git's own contrib/git-new-workdir shares a
repository): HEAD copied, `refs`, `packed-refs` and `shallow` linked, the object store named by
GIT_OBJECT_DIRECTORY, and a configuration of boardpack's own. The machine's system and global
configuration are not read either. Nothing the repository names may lead outside the workspace: its
`.git` (a link, or a file saying `gitdir:`), `commondir`, object alternates and every link in
`refs` and `objects` are resolved and refused when they do; anything there that is not a folder or a
regular file (a FIFO that would hold git) is refused too.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import tempfile
from pathlib import Path

from boardpack.errors import WorkspaceError
from boardpack.files import within

GIT_SECONDS = 300  # one git command; the largest repository's log or tree takes seconds
SMALL_FILE = 64 * 1024  # HEAD, commondir, a `.git` file, alternates: a line or a few
# Everything else git might be told is left at git's own default: these say it outright.
SHADOW_CONFIG = """\
[core]
\trepositoryformatversion = {version}
\tbare = true
\tfsmonitor = false
\thooksPath = /dev/null
\tattributesFile = /dev/null
\texcludesFile = /dev/null
\tpager = cat
[log]
\tshowSignature = false
[i18n]
\tlogOutputEncoding = UTF-8
[color]
\tui = false
[gc]
\tauto = 0
[maintenance]
\tauto = false
"""
KEPT_EXTENSIONS = ("objectformat", "compatobjectformat")  # what the objects need to be read


class GitError(Exception):
    """A git command failed: its last line of error."""


class NotARepository(Exception):
    """The path in boardpack.toml is wrong: a mistake for `check` to report, not a fact about a
    repository."""


class UnsafeRepository(NotARepository):
    """The repository's git folder leads outside the workspace, or holds what is not a file."""


def environment(shadow: Path) -> dict[str, str]:
    """The process environment without the operator's GIT_* settings, with no system or global
    configuration and nothing that could prompt, page or fetch."""
    kept = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    return kept | {
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_ATTR_NOSYSTEM": "1",
        "HOME": str(shadow),  # git before 2.32 reads ~/.gitconfig whatever GIT_CONFIG_GLOBAL says
        "XDG_CONFIG_HOME": str(shadow),
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_OPTIONAL_LOCKS": "0",
        "GIT_NO_REPLACE_OBJECTS": "1",
        "GIT_NO_LAZY_FETCH": "1",
        "GIT_PAGER": "cat",
        # `git config --file` (the repository's format, read as a file) looks for no repository
        "GIT_CEILING_DIRECTORIES": str(shadow.parent),
        "LC_ALL": "C",
    }


class SafeGit:
    """`git(*args)` on one repository's shadow; a context manager that removes the shadow."""

    def __init__(self, root: Path, workspace_root: Path):
        git_dir, common = locate(root, workspace_root)
        self.objects = common / "objects"
        checked_store(self.objects, workspace_root)
        checked_tree(common / "refs", workspace_root)
        self.shadow = Path(tempfile.mkdtemp(prefix="boardpack-git-"))
        try:
            self.env = environment(self.shadow) | {"GIT_OBJECT_DIRECTORY": str(self.objects)}
            (self.shadow / "HEAD").write_bytes(small_file(git_dir / "HEAD", workspace_root))
            for name in ("refs", "packed-refs", "shallow"):
                if (common / name).exists() or (common / name).is_symlink():
                    checked_entry(common / name, workspace_root)
                    os.symlink(common / name, self.shadow / name)
            (self.shadow / "config").write_text(shadow_config(common / "config", self.env))
        except BaseException:
            self.close()
            raise

    def __enter__(self) -> SafeGit:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        shutil.rmtree(self.shadow, ignore_errors=True)

    def argv(self, *args: str | bytes) -> list[str | bytes]:
        return ["git", f"--git-dir={self.shadow}", "--no-pager", *args]

    def __call__(self, *args: str | bytes) -> bytes:
        return run(self.argv(*args), self.env, self.shadow)

    def popen(self, *args: str | bytes, **options) -> subprocess.Popen:
        return subprocess.Popen(self.argv(*args), env=self.env, cwd=self.shadow, **options)


def run(argv: list, env: dict[str, str], cwd: Path) -> bytes:
    try:
        done = subprocess.run(argv, capture_output=True, env=env, cwd=cwd, timeout=GIT_SECONDS)
    except FileNotFoundError:
        raise WorkspaceError(
            "git is not installed: install git to audit the repositories listed on entities"
        ) from None
    except subprocess.TimeoutExpired:
        raise GitError(f"git took over {GIT_SECONDS} seconds and was stopped") from None
    if done.returncode:
        lines = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(lines[-1] if lines else f"git {argv[3]!r} failed")
    return done.stdout


def locate(root: Path, workspace_root: Path) -> tuple[Path, Path]:
    """(the git folder HEAD is in, the common folder with refs and objects) of the repository whose
    top is `root`, each kept inside the workspace."""
    dot_git = root / ".git"
    if not (dot_git.exists() or dot_git.is_symlink()):
        for parent in root.parents:
            if (parent / ".git").exists() and within(workspace_root, parent):
                raise NotARepository(
                    f"not a git repository: it is a folder inside the repository {parent}"
                )
        raise NotARepository("not a git repository (it has no .git)")
    checked_entry(dot_git, workspace_root)
    git_dir = dot_git
    if dot_git.is_file():  # a worktree's or a submodule's: `gitdir: <path>`
        line = small_file(dot_git, workspace_root).decode("utf-8", "replace").strip()
        if not line.startswith("gitdir:"):
            raise NotARepository(f"{dot_git} is a file that does not say `gitdir: <path>`")
        git_dir = folder(root / line.removeprefix("gitdir:").strip(), ".git's gitdir", root)
    common = git_dir
    if (git_dir / "commondir").exists():  # a worktree's: the repository it belongs to
        named = small_file(git_dir / "commondir", workspace_root).decode("utf-8", "replace")
        common = folder(git_dir / named.strip(), "commondir", root)
    for place in (git_dir, common):
        if not within(workspace_root, place):
            raise UnsafeRepository(
                f"its git folder resolves to {place.resolve()}, outside the workspace; boardpack "
                "reads only inside the workspace: move the repository in"
            )
    return git_dir.resolve(), common.resolve()


def folder(path: Path, what: str, root: Path) -> Path:
    if not path.is_dir():
        raise NotARepository(f"its {what} {path} is not a folder")
    return path


def checked_entry(path: Path, workspace_root: Path) -> None:
    """A link must stay in the workspace; what is there must be a folder or a regular file."""
    if path.is_symlink() and not within(workspace_root, path):
        raise UnsafeRepository(
            f"{path} is a link to {path.resolve()}, outside the workspace; boardpack reads only "
            "inside the workspace: replace the link with what it points to"
        )
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        raise UnsafeRepository(f"{path} cannot be read ({exc.strerror})") from None
    if not (stat.S_ISDIR(mode) or stat.S_ISREG(mode)):
        raise UnsafeRepository(f"{path} is neither a folder nor a regular file")


def checked_tree(top: Path, workspace_root: Path) -> None:
    """Every entry under `top`, as `checked_entry`; links are not followed into. The entries' types
    come from the folder listing itself, so a store of many loose objects costs no stat each."""
    if not (top.exists() or top.is_symlink()):
        return
    checked_entry(top, workspace_root)
    folders = [top]
    while folders:
        with os.scandir(folders.pop()) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    folders.append(Path(entry.path))
                elif entry.is_symlink() or not entry.is_file(follow_symlinks=False):
                    checked_entry(Path(entry.path), workspace_root)


def checked_store(objects: Path, workspace_root: Path, depth: int = 0) -> None:
    """An object folder and, as git would follow them (five deep), its alternates."""
    if depth > 5:
        raise UnsafeRepository(f"{objects}: alternates nested more than five deep")
    checked_tree(objects, workspace_root)
    alternates = objects / "info" / "alternates"
    if not alternates.exists():
        return
    for line in small_file(alternates, workspace_root).decode("utf-8", "replace").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        # git joins a relative alternate to the object folder and normalizes the text
        other = Path(os.path.normpath(os.path.join(objects, line.strip())))
        if not within(workspace_root, other):
            raise UnsafeRepository(
                f"{alternates} borrows objects from {other.resolve()}, outside the workspace; "
                "boardpack reads only inside the workspace: run `git repack -a -d` and remove the "
                "alternates file"
            )
        checked_store(other, workspace_root, depth + 1)


def small_file(path: Path, workspace_root: Path) -> bytes:
    """A git folder's one-line file, read only when it is a regular file in the workspace."""
    checked_entry(path, workspace_root)
    if not path.is_file():
        raise UnsafeRepository(f"{path} is not a file")
    if path.stat().st_size > SMALL_FILE:
        raise UnsafeRepository(f"{path} is {path.stat().st_size:,} bytes: far more than git writes")
    return path.read_bytes()


def shadow_config(own: Path, env: dict[str, str]) -> str:
    """boardpack's configuration, with the format version and object format the repository's own
    config states (read as a file, includes not followed), so that its objects can be read."""
    version, extensions = "0", []
    if own.is_file() and not own.is_symlink() and own.stat().st_size <= SMALL_FILE:
        listing = subprocess.run(
            ["git", "config", "--file", str(own), "--no-includes", "-z", "--list"],
            capture_output=True,
            env=env,
            cwd=own.parent,
            timeout=GIT_SECONDS,
        ).stdout
        for item in filter(None, listing.split(b"\0")):
            key, _, value = item.decode("utf-8", "replace").partition("\n")
            if key == "core.repositoryformatversion" and value in ("0", "1"):
                version = value
            elif key.startswith("extensions.") and key[11:] in KEPT_EXTENSIONS:
                if value.isalnum():
                    extensions.append(f"\t{key[11:]} = {value}\n")
    return SHADOW_CONFIG.format(version=version) + (
        "[extensions]\n" + "".join(extensions) if extensions else ""
    )
