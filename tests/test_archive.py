"""The PDF archive: a copy of each report sent, kept with the run, and attached where asked; the
same figures as the email, on A4 pages."""

import email
import json
import subprocess
import sys
from email import policy
from io import BytesIO

from pypdf import PdfReader

from tests.conftest import TOML, run_cli, write_workspace

ARCHIVE = "\n[archive]\npdf = true\nattach_pdf = true\n"


def send(root):
    return run_cli("send", "-w", str(root), "--as-of", "2026-11-15", timeout=180)


def test_each_report_sent_is_archived_and_attached_as_the_same_pdf(tmp_path):
    root = write_workspace(tmp_path / "ws", TOML + ARCHIVE)
    done = send(root)
    assert done.returncode == 0, done.stderr
    (folder,) = (root / ".boardpack" / "archive" / "2026-10").iterdir()  # one folder for the run
    assert f"Archived 2 PDFs in {folder}/" in done.stdout  # ceo and cfo have recipients
    runs = json.loads(run_cli("runs", "-w", str(root), "--json").stdout)["runs"]
    assert [r["id"] for r in runs] == [folder.name]  # named as `boardpack runs` names the run
    assert sorted(p.name for p in folder.iterdir()) == ["ceo.pdf", "cfo.pdf"]

    build = run_cli(
        "build",
        "-w",
        str(root),
        "--as-of",
        "2026-11-15",
        "--format",
        "json",
        "--out",
        str(tmp_path / "r"),
    )
    assert build.returncode == 0, build.stderr
    report = json.loads((tmp_path / "r" / "2026-10" / "cfo.json").read_text())
    metrics = [
        m
        for s in report["sections"]
        for b in s["blocks"]
        if b["type"] == "metrics"
        for m in b["items"]
    ]
    cash = next(m for m in metrics if m["id"] == "finance.cash_balance")

    (eml,) = (root / "outbox" / "2026-10").glob("cfo*.eml")
    message = email.message_from_bytes(eml.read_bytes(), policy=policy.default)
    (attached,) = [
        a for a in message.iter_attachments() if a.get_content_type() == "application/pdf"
    ]
    assert attached.get_filename() == "cfo-2026-10.pdf"
    assert (
        attached.get_content() == (folder / "cfo.pdf").read_bytes()
    )  # the copy of record is what was sent

    pdf = PdfReader(BytesIO(attached.get_content()))
    assert [round(float(x)) for x in pdf.pages[0].mediabox[2:]] == [595, 842]  # A4
    text = "\n".join(page.extract_text() for page in pdf.pages)
    assert "CFO report — Small Co" in text
    assert (
        f"{float(cash['value']):,.2f} USD" in text
    )  # the same figure as every other form of the report


def test_a_later_run_keeps_its_own_copy_and_an_idle_one_writes_none(tmp_path):
    root = write_workspace(tmp_path / "ws", TOML + "\n[archive]\npdf = true\n")
    assert send(root).returncode == 0
    (first,) = (root / ".boardpack" / "archive" / "2026-10").glob("*/cfo.pdf")
    kept = first.read_bytes()
    again = send(root)
    assert (
        again.returncode == 0 and "Archived" not in again.stdout
    )  # nothing sent, nothing archived

    toml = root / "boardpack.toml"
    toml.write_text(
        toml.read_text().replace(
            'to = ["cfo@example.com"]', 'to = ["cfo@example.com", "new@example.com"]'
        )
    )
    later = send(root)
    assert later.returncode == 0 and "Archived 1 PDF" in later.stdout, later.stdout
    copies = sorted((root / ".boardpack" / "archive" / "2026-10").glob("*/cfo.pdf"))
    assert (
        len(copies) == 2 and first in copies and first.read_bytes() == kept
    )  # the first run's copy stays


def test_no_weasyprint_is_said_before_anything_is_sent(tmp_path):
    """A machine without WeasyPrint (or the Pango library it needs) is told how to fix it; nothing
    is sent."""
    root = write_workspace(tmp_path / "ws", TOML + ARCHIVE)
    blocked = (
        "import sys; sys.modules['weasyprint'] = None; sys.argv = ['boardpack', 'send', '-w',"
        " sys.argv[1], '--as-of', '2026-11-15']; from boardpack.cli import main; main()"
    )
    done = subprocess.run(
        [sys.executable, "-c", blocked, str(root)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "archive.pdf / archive.attach_pdf need WeasyPrint and the Pango library" in done.stderr
    assert "apt-get install libpango-1.0-0" in done.stderr
    assert not (root / "outbox").exists()


def test_an_archive_that_cannot_be_written_is_said_and_loses_nothing_sent(tmp_path):
    root = write_workspace(tmp_path / "ws", TOML + "\n[archive]\npdf = true\n")
    (root / ".boardpack").mkdir()
    (root / ".boardpack" / "archive").write_text("a file where the folder should be")
    done = send(root)
    assert (
        done.returncode == 0 and "2026-10: 2 sent" in done.stdout
    )  # the messages went out, recorded
    assert (
        "warning: the PDF archive could not be written:" in done.stderr
        and "Traceback" not in done.stderr
    )
    runs = run_cli("runs", "-w", str(root), "--json")
    assert runs.returncode == 0 and '"sent"' in runs.stdout
