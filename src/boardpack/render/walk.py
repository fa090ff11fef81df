"""One walk over a report's plain data (`reports.plain`), shared by the formats written in code
(plain text, Markdown), in the order the HTML template shows it: the header, the key numbers, each
section and its blocks, the footer.

A format is a `Writer` with a method per block type. They are abstract, so a new block type added
to the plain form can not be forgotten by a format: the format cannot be built until it writes the
new block too (and tests/render/test_walk.py checks the HTML template names every block type).
"""

from __future__ import annotations

from abc import ABC, abstractmethod

from boardpack.reports.plain import BLOCK_TYPES, Data

__all__ = ["BLOCK_TYPES", "Writer"]


class Writer(ABC):
    """Lines of one format, block by block, from the report's plain data."""

    def __init__(self, data: Data):
        self.doc = data
        self.lines: list[str] = []

    def write(self) -> str:
        """In the HTML template's order: the header, what changed for you and the summary, the key
        numbers, the rest."""
        self.header()
        lead = [s for s in self.doc["sections"] if s["lead"]]
        for section in lead:
            self.walk(section)
        if self.doc["headline"]:
            self.headline(self.doc["headline"])
        for section in self.doc["sections"]:
            if not section["lead"]:
                self.walk(section)
        self.footer()
        return self.finish()

    def walk(self, section: Data) -> None:
        self.section(section)
        for block in section["blocks"]:
            getattr(self, block["type"])(block)

    @abstractmethod
    def header(self) -> None: ...

    @abstractmethod
    def headline(self, metrics: list[Data]) -> None:
        """The role's key numbers, each with its change since the previous period."""

    @abstractmethod
    def section(self, section: Data) -> None: ...

    @abstractmethod
    def metrics(self, block: Data) -> None: ...

    @abstractmethod
    def table(self, block: Data) -> None: ...

    @abstractmethod
    def findings(self, block: Data) -> None: ...

    @abstractmethod
    def actions(self, block: Data) -> None: ...

    @abstractmethod
    def chart(self, block: Data) -> None: ...

    @abstractmethod
    def text(self, block: Data) -> None: ...

    @abstractmethod
    def footer(self) -> None:
        """Where each number comes from, and the closing line."""

    @abstractmethod
    def finish(self) -> str:
        """The lines as one text."""
