"""One walk over a report, shared by the formats written in code (plain text, Markdown), in the
order the HTML template shows it: the header, the key numbers, each section and its blocks, the
footer.

A format is a `Writer` with a method per block type. They are abstract, so a new block type added
here can not be forgotten by a format: the format cannot be built until it writes the new block too
(and tests/render/test_walk.py checks the HTML template names every block type).
"""

from __future__ import annotations

from abc import ABC, abstractmethod

from boardpack.model import Metric
from boardpack.reports.document import (
    LEAD,
    ActionsBlock,
    ChartBlock,
    Document,
    FindingsBlock,
    MetricsBlock,
    Section,
    TableBlock,
    TextBlock,
)

BLOCK_TYPES = (
    "metrics",
    "table",
    "findings",
    "actions",
    "chart",
    "text",
)  # each a method of every Writer


class Writer(ABC):
    """Lines of one format, block by block."""

    def __init__(self, doc: Document):
        self.doc = doc
        self.lines: list[str] = []

    def write(self) -> str:
        """In the HTML template's order: the header, what changed for you and the summary, the key
        numbers, the rest."""
        self.header()
        lead = [s for s in self.doc.sections if s.id in LEAD]
        for section in lead:
            self.walk(section)
        if self.doc.headline:
            self.headline(self.doc.headline)
        for section in self.doc.sections:
            if section not in lead:
                self.walk(section)
        self.footer()
        return self.finish()

    def walk(self, section: Section) -> None:
        self.section(section)
        for block in section.blocks:
            getattr(self, block.type)(block)

    @abstractmethod
    def header(self) -> None: ...

    @abstractmethod
    def headline(self, metrics: tuple[Metric, ...]) -> None:
        """The role's key numbers, each with its change since the previous period."""

    @abstractmethod
    def section(self, section: Section) -> None: ...

    @abstractmethod
    def metrics(self, block: MetricsBlock) -> None: ...

    @abstractmethod
    def table(self, block: TableBlock) -> None: ...

    @abstractmethod
    def findings(self, block: FindingsBlock) -> None: ...

    @abstractmethod
    def actions(self, block: ActionsBlock) -> None: ...

    @abstractmethod
    def chart(self, block: ChartBlock) -> None: ...

    @abstractmethod
    def text(self, block: TextBlock) -> None: ...

    @abstractmethod
    def footer(self) -> None:
        """Where each number comes from, and the closing line."""

    @abstractmethod
    def finish(self) -> str:
        """The lines as one text."""
