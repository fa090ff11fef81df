"""How long a report reads on a phone: each block's height, in CSS pixels, in the email's HTML at
390 pixels wide (the content 358 wide), estimated from its plain data — no browser at send time.

The figures are the template's own sizes (font size × line height, padding, margins), measured in
Chromium with DejaVu Sans, the widest of the common sans-serif fonts; a line holds as many
characters as DejaVu fits, so a narrower font only ever makes a report shorter than estimated.
The browser tests hold the estimate to Chromium's layout (tests/browser/test_reports.py).
"""

from __future__ import annotations

from math import ceil

from boardpack.reports.plain import Data

SCREEN = 844  # one phone screen's height at 390 wide, in CSS pixels
MARGIN = 0.96  # of a budget the estimate may fill: a line that wraps sooner than estimated
# characters a line holds, and a line's height, for the template's three text sizes
BODY = (42, 22)  # 15 px
SMALL = (50, 19)  # 13 px
TINY = (54, 18)  # 12 px
# a table's row is a card on a phone: each cell a line of its own, the column's name before it
CARD_LINE = (46, 19)
CARD_PADDING = 9


def lines(text: str, size: tuple[int, int]) -> int:
    """Pixels for `text` wrapped at a size's characters a line (at least one line)."""
    per_line, height = size
    return max(1, ceil(len(text) / per_line)) * height


def heading(title: str) -> int:
    """A section's title: 17 px bold with its rule, and 32 px of margin."""
    return 36 + lines(title, (30, 24))


def block(b: Data) -> int:
    """The block's height, margins included."""
    return HEIGHTS[b["type"]](b)


def metrics(b: Data) -> int:
    return sum(tile(m) + 6 for m in b["items"])


def tile(m: Data) -> int:
    """Label and value, then a line for each move and one for the target."""
    label = lines(m["label"] + " [00]", SMALL)
    moves = sum(lines(move, TINY) for move in m["moves"])
    return 16 + label + 29 + moves + (18 if m["target"] is not None else 0)


def table(b: Data) -> int:
    t = b["table"]
    height = 16 + lines(t["title"], (48, 20)) + (lines(t["note"], TINY) + 12 if t["note"] else 0)
    if t["empty"]:
        return height + lines(t["empty"], BODY) + 12
    return height + sum(row(t["columns"], cells) for cells in t["cells"])


def row(columns: list[Data], cells: list[str]) -> int:
    return CARD_PADDING + sum(
        lines(f"{c['label']}: {cell}", CARD_LINE) for c, cell in zip(columns, cells, strict=True)
    )


def findings(b: Data) -> int:
    return sum(finding(f) for f in b["items"])


def finding(f: Data) -> int:
    title = lines(f"{f['severity']} {f['title']} {f['standing']}", BODY)
    action = lines("→ " + f["action"], SMALL) + 4 if f["action"] or f["url"] else 0
    return 32 + title + lines(f["evidence"], SMALL) + 4 + action


def actions(b: Data) -> int:
    return sum(
        CARD_PADDING
        + lines(f"Action: {a['title']}", CARD_LINE)
        + 3 * CARD_LINE[1]
        + (CARD_LINE[1] if a["late_shown"] else 0)
        for a in b["items"]
    )


def chart(b: Data) -> int:
    height = 16 + lines(b["title"], (48, 20)) + (18 if len(b["series"]) > 1 else 0)
    if b["empty"]:
        return height + lines(b["empty"], BODY) + 12
    bars = sum(max(len(b["series"]) * 19, lines(r["label"], (14, 17))) for r in b["rows"])
    return height + bars + 8 + (lines(b["note"], TINY) + 12 if b["note"] else 0)


def text(b: Data) -> int:
    return lines(b["text"], BODY) + (28 if b["tone"] == "warn" else 12)


HEIGHTS = {
    "metrics": metrics,
    "table": table,
    "findings": findings,
    "actions": actions,
    "chart": chart,
    "text": text,
}


def section(s: Data) -> int:
    return heading(s["title"]) + sum(block(b) for b in s["blocks"])


def head(data: Data) -> int:
    """What comes before the first section: the organization, the title and the period line."""
    return 16 + 17 + lines(data["title"], (26, 29)) + 4 + lines(period_line(data), SMALL) + 8


def period_line(data: Data) -> str:
    return f"{data['period_title']} · {data['basis']} basis · {', '.join(data['ventures'])}"


def key_numbers(data: Data) -> int:
    return 12 + sum(tile(m) + 8 for m in data["headline"])
