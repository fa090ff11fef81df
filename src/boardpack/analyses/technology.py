"""CTO analyses from what the workspace records: stacks, repositories and domains per venture.

The git and AWS audits are separate sources; until one is configured the CTO report says so
rather than inventing data.
"""

from __future__ import annotations

from boardpack.model import Column, Portfolio, Results, Table


def analyse(portfolio: Portfolio, results: Results) -> None:
    rows = tuple({"entity": e.name, "kind": e.kind.replace("_", " "), "stack": ", ".join(e.stack) or "not recorded",
                  "repositories": ", ".join(e.repos) or "none", "domains": ", ".join(e.domains) or "none"}
                 for e in portfolio.workspace.settings.entities)
    results.add(Table("technology.stacks", "Stacks by venture",
                      (Column("entity", "Venture"), Column("kind", "Kind"), Column("stack", "Stack"),
                       Column("repositories", "Repositories"), Column("domains", "Domains")), rows,
                      ("boardpack.toml [[entities]]",)))
