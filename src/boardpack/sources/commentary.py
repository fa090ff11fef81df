"""The owner's commentary for a period: `commentary/<period>.md` for every report, or
`commentary/<period>/<report>.md` for one (which that report reads instead).

Markdown is read for its words, never its markup: paragraphs, headings and list items become plain
paragraphs (a link keeps its text and address, an image its alt text), and HTML is left out (and
counted, so `check` can say so). A report shows plain text, autoescaped in every format, so nothing
a commentary holds can run or load anything.
"""

from __future__ import annotations

from pathlib import Path

from boardpack.errors import WorkspaceError
from boardpack.files import read_bytes
from boardpack.model import Commentary, Portfolio

FOLDER = "commentary"
MAX_BYTES = 100_000


def read(portfolio: Portfolio) -> None:
    """The period's commentary files into `portfolio.commentary`; a file that cannot be read as
    UTF-8 Markdown stops the build, naming it."""
    ws = portfolio.workspace
    label = portfolio.period.label
    files = [(None, f"{FOLDER}/{label}.md")] + [
        (Path(found).stem, str(Path(found).relative_to(ws.root)))
        for found in ws.glob(f"{FOLDER}/{label}/*.md", "commentary")
    ]
    for report, relative in files:
        path = ws.path(relative, "commentary")
        if path.exists():  # anything there but a regular file is refused by name (files.py)
            portfolio.commentary.append(commentary(path, relative, report))


def commentary(path: Path, shown: str, report: str | None) -> Commentary:
    data = read_bytes(path, "commentary", MAX_BYTES)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise WorkspaceError(
            f"{shown}: not valid UTF-8 (byte {exc.start}); save the commentary as UTF-8"
        ) from None
    paragraphs, left_out = words_of(text)
    return Commentary(report=report, path=shown, paragraphs=paragraphs, left_out=left_out)


def words_of(markdown: str) -> tuple[tuple[str, ...], int]:
    """Markdown's paragraphs as plain text, and how many pieces of HTML were left out."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark")
    paragraphs: list[str] = []
    left_out = 0
    bullet = ""
    for token in md.parse(markdown):
        if token.type in ("bullet_list_open", "ordered_list_open"):
            bullet = "• "
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            bullet = ""
        elif token.type == "html_block":
            left_out += 1
        elif token.type in ("fence", "code_block") and token.content.strip():
            paragraphs.append(" ".join(token.content.split()))
        elif token.type == "inline":
            text, dropped = inline_text(token.children or [])
            left_out += dropped
            if text:
                paragraphs.append(bullet + text)
    return tuple(paragraphs), left_out


def inline_text(children) -> tuple[str, int]:
    parts: list[str] = []
    left_out = 0
    href = ""
    for child in children:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "image":
            parts.append(child.content)  # its alt text: no image is ever loaded
        elif child.type == "link_open":
            href = str(child.attrs.get("href", ""))
        elif child.type == "link_close":
            # the address as text, never a link: the reader sees where it goes
            parts.append(f" ({href})" if href.startswith(("https://", "http://")) else "")
            href = ""
        elif child.type == "html_inline":
            left_out += 1
    return " ".join("".join(parts).split()), left_out
