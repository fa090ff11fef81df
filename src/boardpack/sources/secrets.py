"""Secret scanning of file contents: detect-secrets in-process, plus committed `.env` files and key
stores.

A secret is reduced, the moment it is found, to what may be shown: its kind, its line, an HMAC
fingerprint under the workspace's own key and a public prefix such as `AKIA` when it has one. The
value never leaves this module: not in a finding, a log line, an error or the audit store.

detect-secrets runs with the plugins and filters of its own `scan` command, minus two: the filter
that checks a file exists on disk (we scan blobs from git, not files) and the one that *verifies*
secrets, which would send each one found to its provider over the network.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import os
import re
import secrets as random
import signal
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from boardpack.errors import WorkspaceError
from boardpack.files import read_bytes
from boardpack.model import SCAN_SECONDS

# Markers that say what a token is and are the same in every token of its kind; nothing after them
# is shown.
PUBLIC_PREFIXES = (
    "github_pat_",
    "sk_live_",
    "sk_test_",
    "rk_live_",
    "rk_test_",
    "sk-proj-",
    "AKIA",
    "ASIA",
    "AGPA",
    "AIDA",
    "AROA",
    "ghp_",
    "gho_",
    "ghu_",
    "ghs_",
    "ghr_",
    "glpat-",
    "xoxb-",
    "xoxp-",
    "xoxa-",
    "xoxr-",
    "xoxs-",
    "xapp-",
    "npm_",
    "pypi-",
    "SG.",
    "sk-",
)
# When two detectors flag the same value on a line, the specific one names it.
GENERIC_KINDS = ("Base64 High Entropy String", "Hex High Entropy String", "Secret Keyword")
ENV_FILE = re.compile(r"(^|/)\.env(\.[\w.-]+)?$")
ENV_TEMPLATES = (".example", ".sample", ".template", ".dist", ".defaults", ".schema")
ENV_ASSIGNMENT = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(\S.*)$")
KEY_STORES = (".p12", ".pfx", ".jks", ".keystore")
DISABLED_FILTERS = (
    "detect_secrets.filters.common.is_invalid_file",
    "detect_secrets.filters.common.is_ignored_due_to_verification_policies",
)
KEY_FILE = "fingerprint.key"
# a tree this many files large is scanned across a pool of processes, one per core; a smaller one
# is done before the pool would have started (each spawned worker imports boardpack and
# detect-secrets first)
POOL_FROM_FILES = 1500
# a file whose scan has not finished in this long is named as not scanned, not waited for: a
# crafted line can hold one of detect-secrets' patterns for hours (`//` repeated, for its npm one)
FILE_SECONDS = SCAN_SECONDS
YAML_ALIAS = re.compile(r"(?:^|[\s\[\]{},:-])\*[^\s,\[\]{}]")  # `*name`, where YAML reads an alias


@dataclass(frozen=True)
class Hit:
    """A secret found in one file: everything but the value."""

    kind: str
    line: int
    fingerprint: str
    prefix: str
    sha1: str  # detect-secrets' own hash, to match a baseline


def fingerprint_key(path: Path) -> bytes:
    """The workspace's own HMAC key, made on first use (mode 0600). It is not a credential: it only
    makes fingerprints unlinkable across workspaces, and losing it only changes them."""
    try:
        return bytes.fromhex(read_bytes(path, "the fingerprint key", 1024).decode().strip())
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        key = random.token_bytes(32)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first
            return fingerprint_key(path)
        with os.fdopen(fd, "w") as handle:
            handle.write(key.hex())
        return key
    except ValueError:
        raise WorkspaceError(
            f"{path}: not a fingerprint key; delete it and boardpack makes a new one"
        ) from None


def public_prefix(value: str) -> str:
    return next((p for p in PUBLIC_PREFIXES if value.startswith(p) and len(value) > len(p) + 8), "")


class Baseline:
    """A detect-secrets baseline: secrets already acknowledged there are not reported again, unless
    an auditor marked them real (`is_secret: true`) — those stay reported until they are gone."""

    def __init__(self, entries: dict[str, set[str]] | None = None):
        self.entries = entries or {}  # sha1 -> filenames as the baseline names them

    @classmethod
    def parse(cls, text: str, where: str) -> Baseline:
        try:
            results = json.loads(text)["results"]
            entries: dict[str, set[str]] = {}
            for filename, items in results.items():
                for item in items:
                    if item.get("is_secret") is not True:
                        entries.setdefault(item["hashed_secret"], set()).add(filename)
        except (ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
            raise WorkspaceError(
                f"{where}: not a detect-secrets baseline ({type(exc).__name__}: {exc}); make one "
                "with `detect-secrets scan > .secrets.baseline`"
            ) from None
        return cls(entries)

    def merged(self, other: Baseline) -> Baseline:
        entries = {k: set(v) for k, v in self.entries.items()}
        for sha1, names in other.entries.items():
            entries.setdefault(sha1, set()).update(names)
        return Baseline(entries)

    def covers(self, path: str, sha1: str, repo_name: str) -> bool:
        # A workspace baseline may name files as `<repo>/<path>`; a repository's own names them as
        # `<path>`.
        return any(name in (path, f"{repo_name}/{path}") for name in self.entries.get(sha1, ()))


@dataclass
class SecretScanner:
    key: bytes
    files_scanned: int = 0
    filtered: int = 0  # files detect-secrets' own filters skip (lock files, images, swagger)

    def fingerprint(self, value: str) -> str:
        return hmac.new(
            self.key, value.encode("utf-8", "surrogateescape"), hashlib.sha256
        ).hexdigest()[:16]

    @contextmanager
    def session(self) -> Iterator[SecretScanner]:
        """detect-secrets keeps its settings in a global: set them for the scan, restore them
        after."""
        from detect_secrets.settings import default_settings

        with default_settings() as settings:
            settings.disable_filters(*DISABLED_FILTERS)
            yield self

    def scan(self, path: str, text: str) -> list[Hit]:
        """Every secret in one file's text. Call inside `session()`."""
        from detect_secrets.core.scan import _is_filtered_out
        from detect_secrets.transformers import get_transformed_file

        from boardpack.sources.secret_lines import line_based_plugins, may_hold_after_parsing

        hits: dict[tuple[int, str], Hit] = {}
        for hit in self._special(path, text):
            hits[(hit.line, hit.sha1)] = hit
        if _is_filtered_out(required_filter_parameters=["filename"], filename=path):
            self.filtered += 1
            return list(hits.values())
        self.files_scanned += 1
        # As detect-secrets' scan_file does, but on text from git: a file's own parser first (YAML,
        # INI), its lines otherwise, and the eager parsers only when that finds nothing.
        handle = io.StringIO(text)
        handle.name = path
        found = []
        # detect-secrets' YAML parser expands aliases, so one of a billion laughs holds it for ever:
        # a YAML file with an alias is read as lines, as any other text is
        aliased = path.endswith((".yaml", ".yml")) and YAML_ALIAS.search(text) is not None
        for eager in (False, True):
            if eager and (aliased or not may_hold_after_parsing(text, path)):
                break
            try:
                lines = None if aliased else get_transformed_file(handle, eager)
            except RecursionError:  # nested too deep for its parser: read as lines, as any text
                lines = None
            if lines is None and not eager:
                lines = text.splitlines()
            if lines:
                found = list(line_based_plugins(list(enumerate(lines, start=1)), path))
            if found:
                break
        for secret in found:
            key = (secret.line_number, secret.secret_hash)
            value = whole_value(secret, lines)
            # its value is the BEGIN line, the same in every key: use the file
            if secret.type == "Private Key":
                value = text
            hit = Hit(
                kind=secret.type,
                line=secret.line_number,
                fingerprint=self.fingerprint(value),
                prefix=public_prefix(value),
                sha1=secret.secret_hash,
            )
            if key not in hits or hits[key].kind in GENERIC_KINDS:
                hits[key] = hit
        return sorted(hits.values(), key=lambda h: (h.line, h.kind))

    def scan_within(self, path: str, text: str) -> list[Hit] | None:
        """`scan`, or None when it passes FILE_SECONDS. Only a main thread can be timed (see
        `time_limit`): elsewhere the file is scanned untimed."""
        if not timed_here():
            return self.scan(path, text)
        try:
            with time_limit(FILE_SECONDS):
                return self.scan(path, text)
        except OutOfTime:
            return None

    def scan_many(self, texts: list[tuple[str, str]]) -> Scanned:
        """`scan_within` of each (path, text), in their order: across one process per core for a
        large tree (the scan is pure CPU: each file's text in, its hits out), here otherwise. A
        thread that cannot time a file (the preview's) has a process do it."""
        workers = min(len(os.sched_getaffinity(0)), 8)
        small = len(texts) < POOL_FROM_FILES
        if not texts or (timed_here() and (small or workers < 2)):
            return _scan_all(self, texts)
        if small:  # here only for a thread that cannot time a file: one process does it
            workers = 1
        size = -(-len(texts) // (workers * 4))  # a few chunks each, so a slow one evens out
        chunks = [texts[at : at + size] for at in range(0, len(texts), size)]
        try:  # spawned, not forked: the parent may hold DuckDB's threads
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            with ProcessPoolExecutor(
                workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_start_worker,
                initargs=(self.key, FILE_SECONDS),
            ) as pool:
                parts = list(pool.map(_scan_chunk, chunks))
            return Scanned(
                [found for part in parts for found in part.hits],
                [path for part in parts for path in part.unscanned],
                FILE_SECONDS,
            )
        except OSError:  # no process pool here (no /dev/shm, as on Lambda): one core, then
            return _scan_all(self, texts)

    def redact(self, text: str) -> str:
        """A name a report shows (a path, a branch, a pinned version) as it is, or, when it holds a
        secret, as the secret's kind and fingerprint only: metadata gets the same detection as file
        contents. Call inside `session()`."""
        from detect_secrets.core.scan import _process_line_based_plugins

        found = list(_process_line_based_plugins([(1, text)], "metadata"))
        if not found:
            return text
        secret = next((f for f in found if f.type not in GENERIC_KINDS), found[0])
        return f"[{secret.type} {self.fingerprint(whole_value(secret, [text]))}]"

    def _special(self, path: str, text: str) -> list[Hit]:
        """A committed `.env` file (not a template) is a finding in itself, whatever detect-secrets
        says of its lines: it is where credentials live, and it should not be in the repository at
        all."""
        if not ENV_FILE.search(path) or path.endswith(ENV_TEMPLATES):
            return []
        assigned = [
            (n, m)
            for n, line in enumerate(text.splitlines(), start=1)
            if (m := ENV_ASSIGNMENT.match(line)) and m.group(2).strip("'\" ")
        ]
        if not assigned:
            return []
        digest = hashlib.sha1(text.encode("utf-8", "surrogateescape")).hexdigest()
        return [
            Hit(
                kind=f"Committed .env file ({len(assigned)} values)",
                line=assigned[0][0],
                fingerprint=self.fingerprint(text),
                prefix="",
                sha1=digest,
            )
        ]

    def key_store(self, path: str, content: bytes) -> Hit | None:
        """A binary key store (PKCS#12, Java keystore) cannot be read as text but is a private key
        all the same."""
        if not path.lower().endswith(KEY_STORES):
            return None
        return Hit(
            kind="Key store file",
            line=1,
            fingerprint=self.fingerprint(content.decode("latin-1")),
            prefix="",
            sha1=hashlib.sha1(content).hexdigest(),
        )


def whole_value(secret, lines: list[str]) -> str:
    """The whole token: some detectors report only their pattern's first group (`ghp` for a GitHub
    token), which would give every token of a kind the same fingerprint."""
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class

    value = secret.secret_value or ""
    plugin = get_mapping_from_secret_type_to_class().get(secret.type)
    line = lines[secret.line_number - 1] if 0 < secret.line_number <= len(lines) else ""
    for pattern in getattr(plugin, "denylist", ()) if value else ():
        for match in pattern.finditer(line):
            if value in match.group(0) and match.group(0) != value:
                return match.group(0)
    return value


_worker: SecretScanner | None = None
_worker_session = ExitStack()


def _start_worker(key: bytes, seconds: float) -> None:
    """A pool process's scanner, in its detect-secrets session for the life of the process, and
    the time a file may take as the parent has it."""
    global _worker, FILE_SECONDS
    _worker = _worker_session.enter_context(SecretScanner(key).session())
    FILE_SECONDS = seconds


@dataclass
class Scanned:
    """What a scan of many files found: each hit with its file, the files it gave up on, and the
    seconds it gave each."""

    hits: list[tuple[str, Hit]]
    unscanned: list[str]
    seconds: float


def _scan_all(scanner: SecretScanner, texts: list[tuple[str, str]]) -> Scanned:
    found = Scanned([], [], FILE_SECONDS)
    for path, text in texts:
        hits = scanner.scan_within(path, text)
        if hits is None:
            found.unscanned.append(path)
        else:
            found.hits += [(path, hit) for hit in hits]
    return found


def _scan_chunk(texts: list[tuple[str, str]]) -> Scanned:
    return _scan_all(_worker, texts)


class OutOfTime(Exception):
    """A file's scan passed its time."""


def timed_here() -> bool:
    """Whether this thread can time a scan: only the main thread receives signals."""
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """OutOfTime once `seconds` pass. A timer signal, not a check between lines: Python's regular
    expressions look for signals while they match, so one backtracking on a crafted line stops
    too. Call in the main thread (`timed_here`)."""

    def expired(signum, frame):
        raise OutOfTime

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:  # the timer is stopped before its handler goes: a late signal cannot end the process
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
