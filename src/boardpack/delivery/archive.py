"""The PDF archive: a copy of record of each report a run sent, kept in the workspace's state
folder."""

from __future__ import annotations

from pathlib import Path

from boardpack.config import Workspace
from boardpack.delivery.dispatcher import DispatchReport
from boardpack.delivery.transports.outbox import write_durably
from boardpack.render.branding import brand_for
from boardpack.render.pdf import render_pdf
from boardpack.reports.document import Document


def archive_pdfs(
    workspace: Workspace,
    documents: list[Document],
    period: str,
    report: DispatchReport,
    pdfs: dict[str, bytes],
    run_id: str,
) -> list[Path]:
    """`.boardpack/archive/<period>/<run>/<report>.pdf` for each report this run sent: the copy of
    record.

    One folder per run, named as `boardpack runs` names it: a later run that sends a report to a
    recipient added since (its figures perhaps corrected) keeps its own copy beside the first."""
    sent = {o.key.report for o in report.outcomes if o.action == "sent"}
    folder = workspace.state("archive", period, run_id)
    brand, written = brand_for(workspace), []
    for doc in documents:
        if doc.id in sent:
            folder.mkdir(parents=True, exist_ok=True)
            write_durably(
                path := folder / f"{doc.id}.pdf", pdfs.get(doc.id) or render_pdf(doc, brand)
            )
            written.append(path)
    return written
