"""Sources read a workspace's declared inputs into the Portfolio.

Every source, built-in or third-party, is registered the same way: an entry point in the
`boardpack.sources` group naming an object with a `name` and `read(portfolio) -> SourceStatus`.
Bad input raises `WorkspaceError` (exit 2, nothing sent); any other failure of a source is
recorded on its status so that its sections say they are unavailable while the rest of the
pack still builds.
"""

from __future__ import annotations

from datetime import date
from typing import Protocol

import duckdb

from boardpack.config import Workspace
from boardpack.errors import WorkspaceError
from boardpack.model import Portfolio, SourceStatus
from boardpack.period import Period
from boardpack.plugins import registered
from boardpack.sources import commentary

ENTRY_POINT_GROUP = "boardpack.sources"


class Source(Protocol):
    """A source may also have `check(portfolio)`: run once every source is read, for what needs
    another source to judge (a budget's accounts against the ledger's); it raises WorkspaceError.
    A source that sets statuses of its own names (the live sources, one each) returns None."""

    name: str

    def read(self, portfolio: Portfolio) -> SourceStatus | None: ...


def registered_sources() -> list[Source]:
    found = registered(ENTRY_POINT_GROUP)
    if not found:
        raise RuntimeError(
            "no boardpack sources are registered: is boardpack installed (pip install -e .)?"
        )
    return [ep.load() for ep in found]


def load_portfolio(workspace: Workspace, period: Period, as_of: date) -> Portfolio:
    portfolio = Portfolio(workspace=workspace, period=period, as_of=as_of, db=duckdb.connect())
    sources = registered_sources()
    for source in sources:
        try:
            status = source.read(portfolio)
        except WorkspaceError:
            raise
        except Exception as exc:  # a broken source marks its sections unavailable; the pack goes on
            status = SourceStatus(
                name=source.name, configured=True, error=f"{type(exc).__name__}: {exc}"
            )
        if status is not None:
            portfolio.sources[source.name] = status
    for source in sources:
        check = getattr(source, "check", None)
        status = portfolio.sources.get(source.name)
        if check is not None and status and status.configured and not status.unreadable:
            check(portfolio)
    commentary.read(portfolio)  # the owner's words for the period, where a file has them
    one_thread_when_small(portfolio.db)
    return portfolio


# DuckDB splits a scan by row group (122,880 rows): a table smaller than one is read by one thread
# whatever the setting, and a second thread then only costs each query its hand-offs
ROW_GROUP = 122_880


def one_thread_when_small(db: duckdb.DuckDBPyConnection) -> None:
    """The analyses' queries on one thread when no table the sources made (temporary, as each
    makes them) fills a row group, as a small business's books do not; a larger ledger keeps
    every thread. Asking the temporary catalog alone spares DuckDB reading the others."""
    [(rows,)] = db.execute(
        "SELECT max(estimated_size) FROM duckdb_tables() WHERE database_name = 'temp'"
    ).fetchall()
    if (rows or 0) < ROW_GROUP:
        db.execute("SET threads = 1")
