"""`boardpack prune`: what `[retention]` no longer keeps — the archived PDFs, the dry runs and the
reports `build` wrote, by the period they are for, and the audit trail's history rows. Nothing
within its window is touched, and the deliveries themselves (what was sent, once) always stay.
"""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime
from pathlib import Path

from boardpack.audit.store import AuditStore
from boardpack.config import Workspace
from boardpack.figures import plural
from boardpack.files import output_path
from boardpack.period import add_months, period_containing

FOLDERS = (  # [retention] key, the folder whose <period>/ sub-folders it keeps
    ("pdfs", ("archive",), True),
    ("dry_runs", ("dry-run",), True),
    ("previews", ("reports",), False),
)


def ended(label: str, kind: str) -> date | None:
    """The last day of the period a folder is named after (None: not a period's name)."""
    try:
        if kind == "month" and len(label) == 7:
            start = date.fromisoformat(label + "-01")
        elif kind == "quarter" and label[4:6] == "-Q":
            start = date(int(label[:4]), 3 * int(label[6]) - 2, 1)
        elif kind == "week" and label[4:6] == "-W":
            start = date.fromisocalendar(int(label[:4]), int(label[6:]), 1)
        else:
            return None
    except ValueError:
        return None
    return period_containing(start, kind).end


def prune(workspace: Workspace, store: AuditStore, today: date) -> list[str]:
    """Remove what the retention no longer keeps; a line for each thing removed."""
    keep, kind = workspace.settings.retention, workspace.settings.organization.period
    said = []
    for key, parts, in_state in FOLDERS:
        months = getattr(keep, key)
        if not months:
            continue
        cutoff = add_months(today, -months)
        # a link that leads out of the workspace is refused before anything is listed, let alone
        # removed: a period-named folder elsewhere is not the workspace's to prune
        root = workspace.state(*parts) if in_state else workspace.output(*parts)
        for folder in sorted(root.iterdir()) if root.is_dir() else []:
            last = ended(folder.name, kind) if folder.is_dir() and not folder.is_symlink() else None
            if last is not None and last < cutoff:
                output_path(workspace.root, folder)
                files = sum(1 for p in folder.rglob("*") if p.is_file())
                shutil.rmtree(folder)
                gone = f"{Path(*parts, folder.name)}/"
                said.append(f"{gone} ({plural(files, 'file')}; {key} = {months})")
    if keep.transitions:
        cutoff = add_months(today, -keep.transitions)
        # as the stores write their timestamps (audit.store.now)
        first = datetime(cutoff.year, cutoff.month, 1, tzinfo=UTC)
        before = first.isoformat(timespec="milliseconds")
        if removed := store.prune_transitions(before):
            said.append(
                f"{removed} audit history rows before {cutoff} (transitions = {keep.transitions})"
            )
    return said
