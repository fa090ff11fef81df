"""The repositories each entity lists (`repos = [...]`), read at HEAD with git's own plumbing.

For each: branch, HEAD, commit activity and authors, what the files say about the stack
(`sources.stack`), and a secret scan of every tracked file at HEAD (`sources.secrets`). Files are
read once, straight from git's object store (`git cat-file --batch`), so the working tree's
uncommitted state never leaks into the audit. git runs on a shadow of each repository that obeys
none of its configuration (`sources.git_safe`). Paths and names are bytes to git; they are decoded
only for display, so file names that are not UTF-8 are read like any other.

A repository that cannot be read (missing, not a repository, no commits) is reported, not fatal: the
pack still builds, and the CTO sections say what could not be seen.
"""

from __future__ import annotations

import subprocess
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from boardpack.config import GitSource
from boardpack.errors import SourceProblem, WorkspaceError
from boardpack.model import Pin, Portfolio, Release, Repository, SecretFinding, SourceStatus
from boardpack.sources.git_safe import GitError, NotARepository, SafeGit
from boardpack.sources.lockfiles import parser_for
from boardpack.sources.secret_lines import unsupported
from boardpack.sources.secrets import KEY_FILE, Baseline, Hit, SecretScanner, fingerprint_key
from boardpack.sources.stack import StackFacts, wants_text

SNIFF = 8000  # git's own rule: a NUL in the first 8000 bytes makes a file binary
OWN_BASELINE = ".secrets.baseline"


def shown(raw: bytes) -> str:
    """A path as a person can read it; bytes that are not UTF-8 appear as \\xNN."""
    return raw.decode("utf-8", "backslashreplace")


class GitRepositories:
    name = "git"

    def read(self, portfolio: Portfolio) -> SourceStatus:
        ws = portfolio.workspace
        listed = [(e.id, r) for e in ws.settings.entities for r in e.repos]
        spec = ws.settings.sources.git or GitSource()
        status = SourceStatus(name=self.name, configured=bool(listed), optional=spec.optional)
        if not listed:
            return status
        status.error = unsupported()
        if status.error:
            return status
        baseline = Baseline()
        if spec.baseline:
            file = ws.path(spec.baseline, "sources.git.baseline")
            if not file.is_file():
                raise WorkspaceError(
                    f"sources.git.baseline = {spec.baseline!r}: no such file under {ws.root}"
                )
            baseline = Baseline.parse(
                file.read_text(encoding="utf-8", errors="replace"), spec.baseline
            )
        until = datetime.combine(portfolio.as_of + timedelta(days=1), datetime.min.time(), UTC)
        scanner = SecretScanner(fingerprint_key(ws.state(KEY_FILE)))
        with scanner.session():
            for entity, path in listed:
                try:
                    repo = read_repository(
                        ws.path(path, f"entities.{entity}.repos"),
                        ws.root,
                        entity,
                        path,
                        until,
                        spec,
                        scanner,
                        baseline,
                    )
                except NotARepository as exc:
                    repo = Repository(
                        entity=entity, path=path, name=Path(path).name, problem=str(exc)
                    )
                    status.problems.append(
                        SourceProblem(
                            "boardpack.toml",
                            None,
                            f"entity {entity}: repos {path!r}: {repo.problem}",
                        )
                    )
                portfolio.repositories.append(repo)
                if repo.problem:
                    status.gaps.append(f"repository {path} ({entity}): {repo.problem}")
        readable = [r for r in portfolio.repositories if r.head]
        status.paths = [r.path for r in portfolio.repositories]
        status.records = len(readable)
        status.freshness = portfolio.as_of if readable else None  # read live, as of now
        if not readable:
            status.error = "none of the repositories listed on the entities could be read"
        return status


def read_repository(
    root: Path,
    workspace_root: Path,
    entity: str,
    path: str,
    until: datetime,
    spec: GitSource,
    scanner: SecretScanner,
    baseline: Baseline,
) -> Repository:
    if not root.is_dir():
        raise NotARepository(f"no such folder {root}")
    with SafeGit(root, workspace_root) as git:
        repo = Repository(entity=entity, path=path, name=root.name)
        repo.shallow = git("rev-parse", "--is-shallow-repository").strip() == b"true"
        try:
            branch = git("symbolic-ref", "-q", "--short", "HEAD").strip()
            repo.branch = scanner.redact(shown(branch)) or None
        except GitError:
            repo.branch = None  # a detached HEAD
        try:
            repo.head = git("rev-parse", "-q", "--verify", "HEAD^{commit}").decode().strip()[:12]
        except GitError:
            repo.problem = "empty repository: no commits yet"
            return repo
        history(git, repo, until)
        releases(git, repo, until, scanner.redact)
        files(git, repo, spec, scanner, baseline)
    return repo


RELEASES_READ = 100  # the newest tags up to the as-of date, for the delivery figures


def releases(git: SafeGit, repo: Repository, until: datetime, redact) -> None:
    """Each tag up to `until` (its date: the tagger's, or a lightweight tag's commit's), oldest
    first, with the commits it shipped: those it reaches that the tag before it does not."""
    out = git(
        "for-each-ref",
        "--sort=creatordate",
        "--format=%(refname:short)%1f%(creatordate:unix)%1f%(objectname)%1f%(*objectname)",
        "refs/tags",
    )
    tags = []
    for line in filter(None, out.split(b"\n")):
        name, stamp, oid, peeled = line.split(b"\x1f")
        when = datetime.fromtimestamp(int(stamp), UTC)
        if when <= until:
            tags.append((shown(name), when, (peeled or oid).decode()))
    tags = tags[-RELEASES_READ:]
    found, before = [], None
    for name, when, commit in tags:
        span = [commit] + ([f"^{before}"] if before else [])
        log = git("log", "-z", "--no-show-signature", "--format=%ct%x1f%s", *span)
        shipped = tuple(
            (datetime.fromtimestamp(int(stamp), UTC), redact(shown(subject)))
            for stamp, subject in (r.split(b"\x1f", 1) for r in filter(None, log.split(b"\0")))
        )
        found.append(Release(tag=redact(name), at=when, commits=shipped))
        before = commit
    repo.releases = tuple(found)


def history(git: SafeGit, repo: Repository, until: datetime) -> None:
    """Activity up to the as-of date: last commit, commits and merges in 30 and 90 days, authors."""
    out = git(
        "log",
        "-z",
        "--no-show-signature",
        "--format=%ct%x1f%aE%x1f%P",
        f"--until={int(until.timestamp())}",
        "HEAD",
    )
    authors, recent_authors = set(), set()
    for record in filter(None, out.split(b"\0")):
        stamp, author, parents = record.strip().split(b"\x1f")
        when = datetime.fromtimestamp(int(stamp), UTC)
        age = until - when
        repo.last_commit = max(repo.last_commit or when.date(), when.date())
        authors.add(author.lower())
        if age <= timedelta(days=90):
            repo.commits_90 += 1
            recent_authors.add(author.lower())
            repo.merges_90 += len(parents.split()) > 1
            repo.commits_30 += age <= timedelta(days=30)
    repo.authors, repo.authors_90 = len(authors), len(recent_authors)


def tree(git: SafeGit) -> list[tuple[bytes, int, bytes]]:
    """(object id, size, path) of every regular file tracked at HEAD; symlinks and submodules are
    not files."""
    entries = []
    for record in filter(None, git("ls-tree", "-r", "-z", "--long", "HEAD").split(b"\0")):
        meta, _, path = record.partition(b"\t")
        mode, kind, oid, size = meta.split()
        if kind == b"blob" and mode in (b"100644", b"100755"):
            entries.append((oid, int(size), path))
    return entries


def blobs(git: SafeGit, oids: list[bytes]) -> Iterator[bytes]:
    """Each object's content, in order, through one `git cat-file --batch` process."""
    process = git.popen(
        "cat-file",
        "--batch",
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )

    def feed() -> None:  # in a thread, so that a full stdout pipe cannot block our writes
        try:
            process.stdin.write(b"".join(oid + b"\n" for oid in oids))
            process.stdin.close()
        except BrokenPipeError:
            pass

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    try:
        for _ in oids:
            header = process.stdout.readline().split()
            content = process.stdout.read(int(header[2]))
            process.stdout.read(1)  # the newline after each object
            yield content
    finally:
        process.stdout.close()
        process.wait()
        writer.join()


def files(
    git: SafeGit, repo: Repository, spec: GitSource, scanner: SecretScanner, baseline: Baseline
) -> None:
    entries = tree(git)
    facts = StackFacts(redact=scanner.redact)
    repo.files = len(entries)
    wanted, raw_paths = [], {}
    for oid, size, raw in entries:
        path = shown(raw)
        raw_paths[path] = raw
        facts.see_path(path)
        if size > spec.max_file_bytes:
            repo.skipped_large += 1
        else:
            wanted.append((oid, path))
    hits: list[tuple[str, Hit]] = []
    texts: list[tuple[str, str]] = []  # scanned together, across cores
    pins: list[tuple[str, object]] = []
    lock_problems: list[str] = []
    own_baseline: str | None = None
    for (oid, path), content in zip(wanted, blobs(git, [oid for oid, _ in wanted]), strict=True):
        if key_store := scanner.key_store(path, content):
            hits.append((path, key_store))
        if b"\0" in content[:SNIFF]:
            repo.skipped_binary += 1
            continue
        text = content.decode("utf-8", "replace")
        if path == OWN_BASELINE:
            own_baseline = text
        if wants_text(path):
            facts.see_text(path, text)
        if parse := parser_for(path):
            try:
                pins += [(path, pin) for pin in parse(text)]
            except (ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
                why = "nested too deep" if isinstance(exc, RecursionError) else exc
                lock_problems.append(f"{path}: could not be read ({why}); its pins are left out")
        texts.append((path, text))
    order = {path: n for n, (_, path) in enumerate(wanted)}  # a key store's hit stays first
    scanned = scanner.scan_many(texts)
    hits = sorted([*hits, *scanned.hits], key=lambda found: order[found[0]])
    # a pin in a file that holds a secret may be the secret (a "package" named for a key): shown,
    # it is its kind and fingerprint, and so matches no advisory
    holding = {path for path, _ in hits}
    pins = [(path, redacted(pin, scanner.redact) if path in holding else pin) for path, pin in pins]
    if own_baseline is not None:
        try:
            baseline = baseline.merged(Baseline.parse(own_baseline, f"{repo.path}/{OWN_BASELINE}"))
        # the repository's own file is its owners' business: say so, go on
        except WorkspaceError as exc:
            repo.problem = str(exc)
    kept = [(path, hit) for path, hit in hits if not baseline.covers(path, hit.sha1, repo.name)]
    repo.in_baseline = len(hits) - len(kept)
    commits = blame(git, kept, raw_paths)
    shown_path = scanner.redact  # a file name can hold a secret too: it gets the same detection
    repo.secrets = tuple(
        SecretFinding(
            kind=hit.kind,
            path=shown_path(path),
            line=hit.line,
            commit=commits.get((path, hit.line), repo.head[:7]),
            fingerprint=hit.fingerprint,
            prefix=hit.prefix,
        )
        for path, hit in kept
    )
    repo.unscanned = tuple(map(shown_path, scanned.unscanned))
    repo.scan_seconds = scanned.seconds
    repo.packages, repo.lock_problems = tuple(pins), tuple(lock_problems)
    repo.ci, repo.test_files = tuple(sorted(facts.ci)), facts.test_files
    repo.lock_files, repo.iac = (
        tuple(sorted(map(shown_path, facts.lock_files))),
        tuple(sorted(facts.iac)),
    )
    repo.docker, repo.staging = facts.docker, tuple(map(shown_path, facts.staging))
    repo.manifests = tuple(sorted(map(shown_path, facts.manifests)))
    repo.runtimes = tuple(sorted(map(shown_path, facts.runtimes)))
    repo.lambda_runtimes = tuple(
        (runtime, shown_path(where)) for runtime, where in facts.lambda_runtimes
    )


def redacted(pin: Pin, redact) -> Pin:
    return replace(pin, name=redact(pin.name), version=redact(pin.version))


def blame(
    git: SafeGit, hits: list[tuple[str, Hit]], raw_paths: dict[str, bytes]
) -> dict[tuple[str, int], str]:
    """The commit that last changed each finding's line: who to ask, and how long it has been
    there."""
    lines: dict[str, set[int]] = {}
    for path, hit in hits:
        lines.setdefault(path, set()).add(hit.line)
    commits = {}
    for path, numbers in lines.items():
        ranges = [arg for n in sorted(numbers) for arg in ("-L", f"{n},{n}")]
        try:
            out = git(
                "blame", "--no-textconv", "--porcelain", *ranges, "HEAD", "--", raw_paths[path]
            )
        except GitError:
            continue  # a line past the end (a parser's numbering) keeps HEAD as its commit
        for line in out.splitlines():
            parts = line.split()
            if len(parts) >= 3 and len(parts[0]) == 40 and parts[2].isdigit():
                commits[(path, int(parts[2]))] = parts[0][:7].decode()
    return commits


source = GitRepositories()
