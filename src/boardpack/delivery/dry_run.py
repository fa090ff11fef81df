"""`send --dry-run`: exactly the bytes each recipient set would receive, and their envelopes,
written to a folder; nothing recorded, nothing sent."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

from boardpack.delivery.chat import channel_of, is_chat
from boardpack.delivery.message import OutgoingMessage
from boardpack.delivery.transports.outbox import write_durably


def write_dry_run(folder: Path, messages: list[OutgoingMessage]) -> Path:
    """Exactly the bytes each recipient set would receive, and the envelopes; nothing recorded,
    nothing sent."""
    if folder.is_symlink():
        folder.unlink()  # the link goes, never what it points to
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    per_report = Counter(m.key.report for m in messages if not is_chat(m))
    for message in messages:
        key = message.key
        name = key.report if per_report[key.report] == 1 else f"{key.report}-{key.recipients}"
        if is_chat(message):  # a chat card is its JSON: <report>-slack.json
            write_durably(folder / f"{key.report}-{channel_of(message)}.json", message.raw)
        else:
            write_durably(folder / f"{name}.eml", message.raw)
    envelopes = [
        {
            "report": m.key.report,
            "delivery_key": str(m.key),
            "message_id": m.message_id,
            "from": m.sender,
            "recipients": list(m.envelope),
            "subject": m.subject,
        }
        for m in messages
    ]
    (folder / "envelopes.json").write_text(json.dumps(envelopes, indent=2) + "\n", encoding="utf-8")
    return folder
