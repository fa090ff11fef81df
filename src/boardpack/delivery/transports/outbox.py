"""The outbox: `.eml` files plus a JSON-lines index of envelopes. The embedded default; needs
nothing."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

from boardpack.config import Workspace
from boardpack.delivery.message import OutgoingMessage
from boardpack.delivery.transports.base import Allowance, Check, PermanentError, Receipt
from boardpack.errors import WorkspaceError
from boardpack.files import output_path

INDEX = "index.jsonl"
OUTBOX = "the outbox"


class OutboxTransport:
    name = "outbox"

    def __init__(self, folder: Path):
        self.folder = folder

    def allowance(self) -> Allowance:
        return Allowance(concurrency=1)  # one writer keeps the index in send order

    def preflight(self, sender: str) -> list[str]:
        """A link in the outbox that leads out of it stops the send before anything is planned (a
        refused sender shows at the first message, which is its own check)."""
        for period in self.folder.iterdir() if self.folder.is_dir() else ():
            output_path(self.folder, period, OUTBOX)
            for item in period.iterdir() if period.is_dir() and not period.is_symlink() else ():
                output_path(self.folder, item, OUTBOX)
        return []

    def check(self, sender: str, recipients: list[str]) -> list[Check]:
        return [Check(True, f"outbox: writes to {self.folder} (no network needed)")]

    @classmethod
    def for_workspace(cls, workspace: Workspace) -> OutboxTransport:
        return cls(workspace.path(workspace.settings.delivery.outbox, "delivery.outbox"))

    def send(self, message: OutgoingMessage) -> Receipt:
        key = message.key
        target = self.folder / key.period / f"{key.report}-{key.recipients}.eml"
        try:
            output_path(self.folder, target, OUTBOX)  # no link inside the outbox leads out of it
            output_path(self.folder, self.folder / INDEX, OUTBOX)
            target.parent.mkdir(parents=True, exist_ok=True)
            write_durably(target, message.raw)
            entry = {
                "message_id": message.message_id,
                "delivery_key": str(key),
                "period": key.period,
                "report": key.report,
                "from": message.sender,
                "recipients": list(message.envelope),
                "subject": message.subject,
                "file": str(target.relative_to(self.folder)),
                "written_at": datetime.now(UTC).isoformat(timespec="seconds"),
            }
            with open(self.folder / INDEX, "a", encoding="utf-8") as index:
                index.write(json.dumps(entry) + "\n")
                index.flush()
                os.fsync(index.fileno())
        except OSError as exc:
            raise PermanentError(
                f"cannot write to the outbox {self.folder}: {exc.strerror}"
            ) from exc
        except WorkspaceError as exc:
            raise PermanentError(f"cannot write to the outbox: {exc}") from exc
        return Receipt(str(target))

    def close(self) -> None:
        pass


def write_durably(path: Path, data: bytes) -> None:
    """Write to a temporary name, fsync, then rename: a reader never sees half a message. Neither
    name is written through: a link left at the temporary name goes, and the rename replaces a link
    at `path` rather than its target."""
    temp = path.with_suffix(".tmp")
    temp.unlink(missing_ok=True)
    with open(os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644), "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temp, path)


def read_index(folder: Path) -> list[dict]:
    path = folder / INDEX
    if not path.exists():
        return []
    return [
        json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
    ]
