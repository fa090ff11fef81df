"""The workspace a function runs: bundled with it or kept in S3 (refreshed by ETag), and as it runs
on AWS."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import tempfile
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit

from botocore.exceptions import ClientError

from boardpack.aws_clients import error_code, function_client
from boardpack.config import WORKSPACE_FILE, Workspace, load_workspace
from boardpack.errors import WorkspaceError


class PortfolioGone(WorkspaceError):
    """The workspace's folder (or bucket) is not there any more."""


def cache_root() -> Path:
    return Path(os.environ.get("BOARDPACK_CACHE") or tempfile.gettempdir()) / "boardpack"


def s3_location(uri: str) -> tuple[str, str]:
    parts = urlsplit(uri)
    if parts.scheme != "s3" or not parts.netloc:
        raise WorkspaceError(f"{uri!r} is not an S3 location: write it as s3://bucket/prefix/")
    return parts.netloc, parts.path.lstrip("/").rstrip("/") + "/" if parts.path.strip("/") else ""


def fetch(uri: str, only: str | None = None) -> Path:
    """A local copy of the workspace at `uri`, refreshed from S3 where an object changed (ETags), so
    a warm function downloads only what is new. A folder is copied once to a writable place (the
    bundle is read-only on Lambda, and the workspace keeps state beside it)."""
    local = cache_root() / hashlib.sha256(uri.encode()).hexdigest()[:16]
    if not uri.startswith("s3://"):
        source = Path(uri)
        if not (source / WORKSPACE_FILE).is_file():
            raise WorkspaceError(f"BOARDPACK_WORKSPACE = {uri!r}: no {WORKSPACE_FILE} there")
        if os.access(source, os.W_OK):
            return source
        if not local.exists():
            writable_copy(source, local)
        return local
    bucket, prefix = s3_location(uri)
    s3 = function_client("s3")
    try:
        objects = [
            o
            for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
            for o in page.get("Contents", [])
            if not o["Key"].endswith("/")
        ]
        names = {o["Key"][len(prefix) :]: o for o in objects}
        for name in names:
            if not plain_key(name):  # "../other/boardpack.toml", "/etc/x": written where?
                raise WorkspaceError(
                    f"{uri}: the object {name[:200]!r} would be written outside the workspace's "
                    "folder (an absolute name, or one that climbs with ..): rename or remove it"
                )
        if WORKSPACE_FILE not in names:
            raise PortfolioGone(
                f"{uri}: no {WORKSPACE_FILE} there (is the bucket and prefix right, or was the "
                "workspace removed?)"
            )
        manifest_file = local / ".boardpack-s3.json"
        manifest = json.loads(manifest_file.read_text()) if manifest_file.is_file() else {}
        wanted = {name: o for name, o in names.items() if only is None or name == only}
        for name, o in wanted.items():
            path = local / name
            if manifest.get(name) != o["ETag"] or not path.is_file():
                path.parent.mkdir(parents=True, exist_ok=True)
                s3.download_file(bucket, o["Key"], str(path))
                manifest[name] = o["ETag"]
        for name in set(manifest) - set(names):  # removed from S3: removed here
            (local / name).unlink(missing_ok=True)
            del manifest[name]
        manifest_file.write_text(json.dumps(manifest))
    except ClientError as exc:
        if error_code(exc) == "NoSuchBucket":
            raise PortfolioGone(f"{uri}: the bucket {bucket!r} does not exist") from None
        raise
    return local


def plain_key(name: str) -> bool:
    """An S3 key (below the workspace's prefix) that names a file inside its folder."""
    parts = name.split("/")
    return bool(name) and "\\" not in name and "\0" not in name and not any(
        p in ("", ".", "..") for p in parts
    )


def writable_copy(source: Path, local: Path) -> None:
    """The bundle's workspace copied where it can be written (the bundle is read-only on Lambda,
    and the copy would keep its modes): links stay links, for the workspace's own checks to judge,
    never followed out of the bundle."""
    shutil.copytree(source, local, symlinks=True)
    for folder, folders, files in os.walk(local):
        for name in [".", *folders, *files]:
            path = os.path.join(folder, name)
            if not os.path.islink(path):
                os.chmod(path, os.stat(path).st_mode | stat.S_IWUSR)


def kept_in_s3(uri: str, root: Path):
    """A snapshot written under `root` (the workspace's local copy), put beside the workspace in
    S3 under the same name: `fetch` brings it back to any later run."""
    bucket, prefix = s3_location(uri)

    def keep(path: Path) -> None:
        key = prefix + path.relative_to(root).as_posix()
        function_client("s3").upload_file(str(path), bucket, key)

    return keep


def on_aws(
    workspace: Workspace,
    environ: dict[str, str] | None = None,
    scope: str | None = None,
    uri: str | None = None,
) -> Workspace:
    """The workspace as it runs on AWS: the function's table, topic and configuration set replace
    its own [delivery], [audit] and [alerts] choices; `scope` keeps a portfolio's records apart in a
    shared table.
    """
    env = os.environ if environ is None else environ
    s = workspace.settings
    delivery = s.delivery.model_copy(
        update={
            "transport": "ses",
            "ses": s.delivery.ses.model_copy(
                update={
                    "configuration_set": (
                        env.get("BOARDPACK_CONFIGURATION_SET") or s.delivery.ses.configuration_set
                    )
                }
            ),
        }
    )
    audit = s.audit.model_copy(
        update={
            "store": "dynamodb",
            "table": env.get("BOARDPACK_AUDIT_TABLE") or s.audit.table,
            "scope": s.audit.scope if scope is None else scope,
        }
    )
    alerts = s.alerts.model_copy(
        update={"sns_topic_arn": env.get("BOARDPACK_ALERT_TOPIC") or s.alerts.sns_topic_arn}
    )
    return replace(
        workspace,
        settings=s.model_copy(update={"delivery": delivery, "audit": audit, "alerts": alerts}),
        keep=kept_in_s3(uri, workspace.root) if uri and uri.startswith("s3://") else None,
    )


def the_workspace() -> Workspace:
    uri = os.environ.get("BOARDPACK_WORKSPACE")
    if not uri:
        raise WorkspaceError(
            "BOARDPACK_WORKSPACE is not set: the function needs its workspace (a folder in the "
            "bundle, or s3://bucket/prefix/)"
        )
    return on_aws(load_workspace(fetch(uri)), uri=uri)
