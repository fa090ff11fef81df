"""Class 6: every input fails cleanly. Bytes that are not text, nesting thousands deep, the ends of
the calendar, numbers too large or written ambiguously, images that claim a huge size, paths that
lead out of the workspace, CSVs with ragged rows, mixed line endings and quoted newlines: exit 2,
the file and line or the key, no traceback, nothing sent, nothing written outside."""

from __future__ import annotations

import os
import struct
import zlib
from pathlib import Path

import pytest

from tests.conftest import LEDGER
from tests.hostile.corpus import AS_OF, Case, append, problems_of, replace, run_case

HEADER = "Date,Payee,Memo,Amount,Account\n"


def ledger_row(row: str) -> dict[str, str]:
    return {"ledger/bank.csv": LEDGER + row + "\n"}


def bad(id: str, *says: str, toml=None, files=None, setup=None, argv=("send", *AS_OF)) -> Case:
    return Case(id, "inputs", argv, toml, files or {}, setup, 2, says)


def png(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims `width` × `height` pixels (a decompression bomb's shape)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(b"\0" * (width + 1)))
        + chunk(b"IEND", b"")
    )


def symlink(target: str, name: str, content: str = "Date,Payee,Memo,Amount,Account\n") -> callable:
    def make(ws: Path) -> None:
        outside = ws.parent / target
        outside.parent.mkdir(parents=True, exist_ok=True)
        if not outside.exists():
            outside.write_text(content)
        (ws / name).parent.mkdir(parents=True, exist_ok=True)
        os.symlink(outside, ws / name)

    return make


LEDGER_PATH = 'path = "ledger/bank.csv"'
CASES = [
    # bytes that are not what they claim
    bad(
        "a binary boardpack.toml",
        "boardpack.toml",
        "not UTF-8",
        files={"boardpack.toml": bytes(range(256))},
    ),
    bad(
        "a Latin-1 boardpack.toml",
        "boardpack.toml:2",
        "not UTF-8",
        files={"boardpack.toml": '[organization]\nname = "Caf\xe9"\n'.encode("latin-1")},
    ),
    bad(
        "a UTF-16 boardpack.toml",
        "boardpack.toml",
        "not UTF-8",
        files={"boardpack.toml": '[organization]\nname = "x"\n'.encode("utf-16")},
    ),
    bad("an empty boardpack.toml", "boardpack.toml", "organization", files={"boardpack.toml": ""}),
    bad(
        "a boardpack.toml of ten megabytes",
        "far more than any workspace file needs",
        files={"boardpack.toml": "# " + "x" * 10_000_000 + "\n"},
    ),
    bad("a binary .env", ".env", "not UTF-8", files={".env": b"\xff\xfe\x00SES_REGION=x\n"}),
    bad(
        "a Latin-1 note",
        "notes/co.md",
        "not valid UTF-8",
        files={"notes/co.md": "---\ntitle: Caf\xe9\n---\n".encode("latin-1")},
    ),
    bad("a binary note", "notes/co.md", files={"notes/co.md": bytes(range(256))}),
    bad(
        "a Latin-1 channels file",
        "marketing/channels.csv",
        "not UTF-8",
        files={
            "marketing/channels.csv": (
                "entity,channel,month,impressions,visits,leads,bookings,revenue,spend\n"
                "co,caf\xe9,2026-10,1,1,1,1,1,1\n".encode("latin-1")
            )
        },
    ),
    bad("a binary ledger", "ledger/bank.csv", files={"ledger/bank.csv": bytes(range(256)) * 4}),
    bad(
        "a NUL in the channels file",
        "marketing/channels.csv:2",
        "control characters (U+0000)",
        files={
            "marketing/channels.csv": (
                "entity,channel,month,impressions,visits,leads,bookings,revenue,spend\n"
                "co,web\0,2026-10,1,1,1,1,1,1\n"
            )
        },
    ),
    # nesting
    bad(
        "TOML arrays five thousand deep",
        "boardpack.toml",
        "nested",
        toml=append("deep = " + "[" * 5000 + "]" * 5000),
    ),
    bad(
        "TOML inline tables three thousand deep",
        "boardpack.toml",
        "nested",
        toml=append("deep = " + "{a = " * 3000 + "1" + "}" * 3000),
    ),
    bad(
        "a front matter alias bomb",
        "notes/co.md",
        "aliases",
        files={
            "notes/co.md": (
                "---\na: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a,"
                " *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c,"
                " *c, *c]\n---\n# x\n"
            )
        },
    ),
    bad(
        "a JSON baseline nested deep",
        "baseline.json",
        "not a detect-secrets baseline",
        toml=lambda t: t.replace(
            'domains = ["smallco.example.com"]',
            'domains = ["smallco.example.com"]\nrepos = ["repo"]',
        )
        + '\n[sources.git]\nbaseline = "baseline.json"\n',
        files={"baseline.json": "[" * 100_000 + "]" * 100_000},
        setup=lambda ws: __import__("subprocess").run(
            ["git", "init", "-q", str(ws / "repo")], check=True
        ),
    ),
    # the ends of the calendar
    bad(
        "--as-of 0001-01-01",
        "--as-of 0001-01-01",
        "between",
        argv=("send", "--as-of", "0001-01-01"),
    ),
    bad(
        "--as-of 9999-12-31",
        "--as-of 9999-12-31",
        "between",
        argv=("send", "--as-of", "9999-12-31"),
    ),
    bad(
        "--as-of 2026-02-30",
        "--as-of '2026-02-30' is not a date",
        argv=("send", "--as-of", "2026-02-30"),
    ),
    bad("--as-of in words", "is not a date", argv=("build", "--as-of", "yesterday")),
    bad(
        "--as-of with a time zone",
        "is not a date",
        argv=("check", "--as-of", "2026-11-15T00:00+99:00"),
    ),
    bad(
        "a ledger row dated 9999-12-31",
        "ledger/bank.csv:15",
        "over a year in the future",
        files=ledger_row("9999-12-31,Acme,Far,10.00,Income:Sales"),
    ),
    bad(
        "a ledger row dated 0001-01-01",
        "ledger/bank.csv:15",
        "before 1900",
        files=ledger_row("0001-01-01,Acme,Old,10.00,Income:Sales"),
    ),
    bad(
        "a note updated 9999-12-31",
        "notes/co.md",
        "not a plausible date",
        argv=("check", *AS_OF),
        files={"notes/co.md": "---\nentity: co\ntitle: Co\nupdated: 9999-12-31\n---\n# Co\n"},
    ),
    bad(
        "a ledger date that does not exist",
        "ledger/bank.csv:15",
        "does not match date_format",
        files=ledger_row("2026-02-30,Acme,x,10.00,Income:Sales"),
    ),
    bad(
        "a schedule holiday out of range",
        "boardpack.toml",
        "holidays",
        toml=append('[schedule]\nbusiness_day = 2\nholidays = ["10000-01-01"]\n'),
    ),
    # numbers
    bad(
        "an amount of twenty digits",
        "ledger/bank.csv:15",
        "is not a number",
        files=ledger_row("2026-10-30,Acme,x,12345678901234567890.00,Income:Sales"),
    ),
    bad(
        "an amount written 1,2,3",
        "ledger/bank.csv:15",
        '"1,2,3" is not a number',
        files=ledger_row('2026-10-30,Acme,x,"1,2,3",Income:Sales'),
    ),
    bad(
        "an amount written 1.2.3",
        "ledger/bank.csv:15",
        '"1.2.3" is not a number',
        files=ledger_row("2026-10-30,Acme,x,1.2.3,Income:Sales"),
    ),
    bad(
        "an amount of NaN",
        "ledger/bank.csv:15",
        "is not a number",
        files=ledger_row("2026-10-30,Acme,x,NaN,"),
    ),
    bad(
        "an amount of Infinity",
        "ledger/bank.csv:15",
        "is not a number",
        files=ledger_row("2026-10-30,Acme,x,-Infinity,"),
    ),
    bad(
        "an amount in exponent form",
        "ledger/bank.csv:15",
        "is not a number",
        files=ledger_row("2026-10-30,Acme,x,1e5,"),
    ),
    bad(
        "three decimal places",
        "ledger/bank.csv:15",
        "has more decimal places than USD has (2)",
        files=ledger_row("2026-10-30,Acme,x,10.005,"),
    ),
    bad(
        "an opening balance too large",
        "boardpack.toml",
        "opening_balance",
        toml=replace('opening_balance = "10000.00"', 'opening_balance = "1e30"'),
    ),
    bad(
        "a channel revenue of 1,2,3",
        "marketing/channels.csv:3",
        "is not a number",
        files={
            "marketing/channels.csv": (
                "entity,channel,month,impressions,visits,leads,bookings,revenue,spend\n"
                'co,web,2026-10,1,1,1,1,100.00,0\nco,ads,2026-10,1,1,1,1,"1,2,3",0\n'
            )
        },
    ),
    bad(
        "a channel count too large",
        "marketing/channels.csv:2",
        "at most 12 digits",
        files={
            "marketing/channels.csv": (
                "entity,channel,month,impressions,visits,leads,bookings,revenue,spend\n"
                "co,web,2026-10,99999999999999999999999,1,1,1,100.00,0\n"
            )
        },
    ),
    bad(
        "a KPI target that is not a number",
        "boardpack.toml",
        "kpis[0].target",
        toml=replace('target = "10"', 'target = "ten"'),
    ),
    # images
    bad(
        "a logo claiming 30,000 × 30,000 pixels",
        "branding.logo",
        "pixels",
        toml=append('[branding]\nlogo = "logo.png"\n'),
        files={"logo.png": png(30_000, 30_000)},
    ),
    bad(
        "a logo claiming 100,000 × 1 pixels",
        "branding.logo",
        "pixels",
        toml=append('[branding]\nlogo = "logo.png"\n'),
        files={"logo.png": png(100_000, 41)},
    ),
    bad(
        "a logo that is text",
        "branding.logo",
        "not an image",
        toml=append('[branding]\nlogo = "logo.png"\n'),
        files={"logo.png": "not an image"},
    ),
    # paths that lead out
    bad(
        "a ledger path above the workspace",
        "sources.ledger[0].path",
        "outside the workspace",
        toml=replace(LEDGER_PATH, 'path = "../outside.csv"'),
        setup=lambda ws: (ws.parent / "outside.csv").write_text(HEADER),
    ),
    bad(
        "an absolute ledger glob",
        "sources.ledger[0].path",
        "outside the workspace",
        toml=replace(LEDGER_PATH, f'path = "{Path(__file__).parent}/*.py"'),
    ),
    bad(
        "a ledger file that is a symlink out",
        "sources.ledger[0].path",
        "outside the workspace",
        toml=replace(LEDGER_PATH, 'path = "ledger/linked.csv"'),
        setup=symlink("outside.csv", "ledger/linked.csv"),
    ),
    bad(
        "a ledger folder that is a symlink out",
        "sources.ledger[0].path",
        "outside the workspace",
        toml=replace(LEDGER_PATH, 'path = "books/bank.csv"'),
        setup=(
            symlink("books-outside/bank.csv", "books-link/x")
            if False
            else (
                lambda ws: (
                    ws.parent.joinpath("books").mkdir(),
                    ws.parent.joinpath("books/bank.csv").write_text(HEADER),
                    os.symlink(ws.parent / "books", ws / "books"),
                )
            )
        ),
    ),
    bad(
        "notes from above",
        "sources.notes.paths",
        "outside the workspace",
        toml=replace('paths = ["notes/*.md"]', 'paths = ["../*.md"]'),
        setup=lambda ws: (ws.parent / "private.md").write_text("---\ntitle: private\n---\n"),
    ),
    bad(
        "channels from /etc",
        "sources.channels.path",
        "outside the workspace",
        toml=replace('path = "marketing/channels.csv"', 'path = "/etc/hostname"'),
    ),
    bad(
        "a rates file above",
        "sources.rates.path",
        "outside the workspace",
        toml=append('[sources.rates]\npath = "../rates.csv"\n'),
        setup=lambda ws: (ws.parent / "rates.csv").write_text("date,currency,rate\n"),
    ),
    bad(
        "a rules file through a symlink",
        "sources.rules.path",
        "outside the workspace",
        toml=append('[sources.rules]\npath = "rules.csv"\n'),
        setup=symlink("rules.csv", "rules.csv", "pattern,account\n"),
    ),
    bad(
        "a logo above",
        "branding.logo",
        "outside the workspace",
        toml=append('[branding]\nlogo = "../logo.png"\n'),
        setup=lambda ws: (ws.parent / "logo.png").write_bytes(png(10, 10)),
    ),
    bad(
        "a templates folder above",
        "branding.templates",
        "outside the workspace",
        toml=append('[branding]\ntemplates = ".."\n'),
    ),
    bad(
        "an outbox outside",
        "delivery.outbox",
        "outside the workspace",
        toml=replace(
            'bcc = ["audit@example.com"]', 'bcc = ["audit@example.com"]\noutbox = "../outbox"'
        ),
    ),
    bad(
        "a repository outside",
        "entities.co.repos",
        "outside the workspace",
        toml=replace(
            'domains = ["smallco.example.com"]',
            'domains = ["smallco.example.com"]\nrepos = ["/etc"]',
        ),
    ),
    bad(
        "a rent roll outside",
        "entities.home.property.units",
        "outside the workspace",
        toml=append(
            '[[entities]]\nid = "home"\nname = "Home"\nkind = "real_estate"\n'
            '[entities.property]\nunits = "../units.csv"\nvalue = "100000.00"\n'
        ),
        setup=lambda ws: (ws.parent / "units.csv").write_text(
            "unit,tenant,lease_start,lease_end,monthly_rent,deposit\n"
        ),
    ),
    bad(
        "an SMTP CA file outside",
        "delivery.smtp.ca_file",
        "outside the workspace",
        toml=replace(
            'bcc = ["audit@example.com"]',
            'bcc = ["audit@example.com"]\ntransport = "smtp"\n'
            '[delivery.smtp]\nhost = "127.0.0.1"\nport = 9\nca_file = "/etc/ssl/certs/x.pem"',
        ),
    ),
    # CSV shapes
    bad(
        "a ledger row with an extra cell",
        "ledger/bank.csv:15",
        "this row has 6 cells and the header has 5",
        files=ledger_row("2026-10-30,Acme,x,10.00,Income:Sales,extra"),
    ),
    bad(
        "a ledger row with a cell missing",
        "ledger/bank.csv:15",
        "this row has 4 cells",
        files=ledger_row("2026-10-30,Acme,x,10.00"),
    ),
    bad(
        "a quote left open",
        "ledger/bank.csv",
        files=ledger_row('2026-10-30,"Acme,x,10.00,Income:Sales'),
    ),
    bad(
        "a bad amount after a quoted newline",
        "ledger/bank.csv:17",
        '"ten" is not a number',
        files=ledger_row(
            '2026-10-29,Acme,"two\nlines",10.00,Income:Sales\n2026-10-30,Acme,x,ten,Income:Sales'
        ),
    ),
    bad(
        "a bad amount after mixed line endings",
        "ledger/bank.csv:16",
        '"ten" is not a number',
        files={
            "ledger/bank.csv": (
                LEDGER.replace("\n", "\r\n", 3)
                + "2026-10-29,Acme,x,10.00,Income:Sales\r2026-10-30,Acme,x,ten,Income:Sales\n"
            )
        },
    ),
    bad(
        "a bad amount after blank lines",
        "ledger/bank.csv:17",
        '"ten" is not a number',
        files={"ledger/bank.csv": LEDGER + "\n\n2026-10-30,Acme,x,ten,Income:Sales\n"},
    ),
    bad(
        "a channels row with an extra cell",
        "marketing/channels.csv:2",
        "this row has 10 cells",
        files={
            "marketing/channels.csv": (
                "entity,channel,month,impressions,visits,leads,bookings,revenue,spend\n"
                "co,web,2026-10,1,1,1,1,100.00,0,9\n"
            )
        },
    ),
    bad(
        "a bad channels row after a quoted newline",
        "marketing/channels.csv:4",
        files={
            "marketing/channels.csv": (
                "entity,channel,month,impressions,visits,leads,bookings,revenue,spend\n"
                'co,"web\nsite",2026-10,1,1,1,1,100.00,0\nco,ads,2026-10,x,1,1,1,1,1\n'
            )
        },
    ),
    # keys
    bad(
        "date_format on the source",
        "sources.ledger[0].date_format",
        "belongs in [sources.ledger.columns]",
        toml=replace(
            'opening_balance = "10000.00"', 'opening_balance = "10000.00"\ndate_format = "%d/%m/%Y"'
        ),
    ),
    bad(
        "bcc under [organization]",
        "organization.bcc",
        "belongs in [delivery]",
        toml=replace(
            'timezone = "America/Los_Angeles"',
            'timezone = "America/Los_Angeles"\nbcc = ["a@example.com"]',
        ),
    ),
    bad(
        "a misspelt key",
        "organization.currncy",
        "did you mean 'currency'",
        toml=replace('currency = "USD"', 'currncy = "USD"'),
    ),
    bad(
        "a time zone that is a path",
        "organization.timezone",
        "unknown time zone",
        toml=replace('timezone = "America/Los_Angeles"', 'timezone = "../../../etc/passwd"'),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_a_bad_input_fails_cleanly(case, tmp_path):
    outcome = run_case(case, tmp_path)
    assert problems_of(case, outcome, tmp_path / "ws") == []


def test_mixed_line_endings_and_quoted_newlines_load_with_their_physical_lines(tmp_path):
    """Valid CSV that DuckDB's sniffer or a line count would get wrong: every row loads, on its own
    line."""
    from boardpack.config import load_workspace
    from boardpack.pipeline import build_pack
    from tests.conftest import AS_OF as DAY
    from tests.conftest import TOML, write_workspace

    text = (
        LEDGER.replace("\n", "\r\n", 5)
        + '2026-10-29,Acme,"two\nlines",10.00,Income:Sales\n\n'
        "2026-10-30,Acme,dup,11.00,Income:Sales\n"
    )
    ws = write_workspace(tmp_path / "ws", TOML, {"ledger/bank.csv": text})
    pack = build_pack(load_workspace(ws, environ={}), DAY)
    lines = dict(pack.portfolio.db.execute("SELECT memo, source_line FROM ledger").fetchall())
    assert lines["two\nlines"] == 15 and lines["dup"] == 18 and lines["July sale"] == 2


@pytest.mark.parametrize("ending", [b"\n", b"\r\n", b"\r"])
def test_physical_lines_count_every_ending_even_split_across_chunks(tmp_path, monkeypatch, ending):
    from boardpack.sources import csv_lines

    monkeypatch.setattr(csv_lines, "CHUNK", 7)  # so that some CRLF falls across two reads
    path = tmp_path / "f.csv"
    path.write_bytes(
        ending.join([b"a,b", b"1,2", b"33,4", b"5,66", b"7"])
    )  # no ending after the last line
    assert csv_lines.physical_lines(path) == 5
