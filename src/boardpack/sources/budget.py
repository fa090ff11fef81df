"""The budget: `period,entity,account,amount` lines, each spread over the months it covers.

A period is a month (`2026-10`), a quarter (`2026-Q4`) or a year (`2026`); a quarter's or a year's
amount is spread evenly over its months in whole cents, the last month taking what is left, so the
months add up to the line exactly. `entity` may be empty (the whole organization). An account covers
the accounts below it (`Expenses:Fuel` budgets `Expenses:Fuel:Diesel` too) and must be an income or
expense account. Amounts are written as a budget is: income and expenses both positive.
"""

from __future__ import annotations

import difflib
import re
from datetime import date
from decimal import Decimal

from boardpack.csv_file import amount, read_rows
from boardpack.errors import SourceErrors, SourceProblem
from boardpack.model import BudgetLine, Portfolio, SourceStatus, spread
from boardpack.period import add_months

HEADER = ("period", "entity", "account", "amount")
PERIOD = re.compile(r"(\d{4})(?:-(0[1-9]|1[0-2])|-Q([1-4]))?")
ACCOUNT = re.compile(r"(Income|Expenses)(:[^:]+)*")
CENT = Decimal("0.01")


def months_of(text: str) -> list[date]:
    """The first days of the months a budget period covers."""
    found = PERIOD.fullmatch(text)
    if found is None:
        raise ValueError(
            f"period {text!r} is not a month, a quarter or a year: write 2026-10, 2026-Q4 or 2026"
        )
    year, month, quarter = found.groups()
    if month:
        return [date(int(year), int(month), 1)]
    first = date(int(year), 3 * int(quarter) - 2 if quarter else 1, 1)
    return [add_months(first, n) for n in range(3 if quarter else 12)]


class BudgetCsv:
    name = "budget"

    def read(self, portfolio: Portfolio) -> SourceStatus:
        ws = portfolio.workspace
        spec = ws.settings.sources.budget
        status = SourceStatus(name=self.name, configured=spec is not None, stale_after_days=366)
        if spec is None:
            return status
        known = {e.id for e in ws.settings.entities}
        seen: dict[tuple, str] = {}

        def parse(row: dict[str, str], where: str) -> list[BudgetLine]:
            entity, account = row["entity"].strip() or None, row["account"].strip()
            if entity is not None and entity not in known:
                raise ValueError(
                    f"entity {entity!r} is not declared in [[entities]] (known:"
                    f" {', '.join(sorted(known))}); leave it empty for the whole organization"
                )
            if not ACCOUNT.fullmatch(account):
                raise ValueError(
                    f"account {account!r} is not an income or expense account: a budget is for"
                    " Income:… and Expenses:… accounts"
                )
            key = (row["period"].strip(), entity, account)
            if key in seen:
                raise ValueError(f"the same period, entity and account as {seen[key]}: keep one")
            seen[key] = where
            months = months_of(key[0])
            total = amount(row["amount"].strip(), "amount")
            if total != total.quantize(CENT):
                raise ValueError(f"amount {row['amount']!r} has more than two decimal places")
            return [
                BudgetLine(month=m, entity=entity, account=account, amount=a, source=where)
                for m, a in zip(months, spread(total, months))
            ]

        lines = read_rows(ws.root, spec.path, "sources.budget.path", HEADER, parse)
        portfolio.budget = [line for group in lines for line in group]
        status.paths = [spec.path]
        status.records = len(lines)
        status.freshness = portfolio.as_of  # a plan is current until replaced
        return status

    def check(self, portfolio: Portfolio) -> None:
        """Each line's account must be one the books use, or one `[[chart]]` plans for; its months
        must not all fall before the ledger begins."""
        if not portfolio.fresh("ledger"):
            return
        db = portfolio.db
        used = [
            a
            for (a,) in db.execute(
                "SELECT DISTINCT account FROM ledger WHERE account IS NOT NULL"
            ).fetchall()
        ]
        first = portfolio.ledger_start
        planned = [c.account for c in portfolio.workspace.settings.chart]
        problems, seen = [], set()
        for line in portfolio.budget:
            path, _, number = line.source.rpartition(":")
            where = (path, int(number) if number.isdigit() else None)
            if (where, line.account) in seen:
                continue
            seen.add((where, line.account))
            if not any(covers(line.account, a) or covers(a, line.account) for a in used + planned):
                hint = difflib.get_close_matches(line.account, used, n=1)
                problems.append(
                    SourceProblem(
                        *where,
                        f"account {line.account!r} is not in the books"
                        + (f"; did you mean {hint[0]!r}?" if hint else "")
                        + " To plan for an account not used yet, add it to [[chart]].",
                    )
                )
        early = {}
        for line in portfolio.budget:
            early.setdefault(line.source, []).append(
                first is not None and line.month < first.replace(day=1)
            )
        for source, before in early.items():
            if all(before):
                path, _, number = source.rpartition(":")
                problems.append(
                    SourceProblem(
                        path,
                        int(number) if number.isdigit() else None,
                        f"the budget's period ends before the ledger begins ({first:%Y-%m}):"
                        " fix its year, or remove the line",
                    )
                )
        if problems:
            raise SourceErrors(sorted(problems, key=lambda p: (p.path, p.line or 0)))


def covers(line: str, account: str) -> bool:
    return account == line or account.startswith(line + ":")


source = BudgetCsv()
