"""The balance sheet and the cash-flow statement, per venture and for the whole portfolio.

Both come from the same positions, worked out for a day from the ledger (cash) and the books
(everything else, on the organization's basis):

- cash: each account's opening balance plus its rows;
- other assets: money that went out of cash into an `Assets:*` account (equipment, a deposit paid);
- receivables (accrual): revenue earned by that day from money received after it;
- liabilities: money that came into cash from a `Liabilities:*` account (a loan, a card's
  purchases less its payments), and deferred revenue (accrual): money received for a service not
  yet given;
- equity: the opening balances, the owner's contributions less draws, other capital (share
  capital), and retained earnings (every income and expense to that day).

What each account is — a loan (financing), equipment (investing), a receivable or a payable
(operating), owner money or opening balances — is its type (sources/account_types.py), not its
name.

Assets = liabilities + equity whenever every row has an account: the only thing that can be left
is money no account explains (uncategorized rows), shown as "Unexplained" and never hidden. The
cash-flow statement is the change in those positions over the period (operating by the indirect
method), so it adds up to the change in cash to the cent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from boardpack.analyses.ledger_sql import (
    BOOKS,
    ZERO,
    ledger_files,
    money,
    reaches_back,
    summary,
    ventures_by_name,
)
from boardpack.figures import said
from boardpack.model import (
    ACCOUNT_TYPES,
    EARNED_ACCOUNT,
    SERVICE_RECEIPT,
    Column,
    Finding,
    MetricsFrom,
    Portfolio,
    Results,
    Table,
    guessed_type,
)

TOTAL = "total"
UNEXPLAINED_LISTED = 200  # rows listed behind Unexplained; its count and total cover every one


@dataclass
class Positions:
    """One day's balances, by venture (`TOTAL` for the portfolio): line -> amount."""

    cash: dict[str, dict[str, Decimal]] = field(default_factory=dict)  # account name -> by venture
    assets: dict[str, dict[str, Decimal]] = field(default_factory=dict)  # account -> by venture
    liabilities: dict[str, dict[str, Decimal]] = field(default_factory=dict)
    receivables: dict[str, Decimal] = field(default_factory=dict)
    deferred: dict[str, Decimal] = field(default_factory=dict)
    opening: dict[str, Decimal] = field(default_factory=dict)
    owner: dict[str, Decimal] = field(default_factory=dict)  # contributions less draws
    capital: dict[str, Decimal] = field(default_factory=dict)  # other equity: share capital
    retained: dict[str, Decimal] = field(default_factory=dict)

    def overdrawn(self) -> list[str]:
        """The cash accounts below zero: money owed to the bank, a liability (a bank overdraft),
        not negative cash."""
        return [name for name, by in self.cash.items() if by.get(TOTAL, ZERO) < 0]

    def overdraft(self, venture: str) -> Decimal:
        return sum((-self.cash[name].get(venture, ZERO) for name in self.overdrawn()), ZERO)

    def total_assets(self, venture: str) -> Decimal:
        overdrawn = self.overdrawn()
        return (
            sum((by.get(venture, ZERO) for n, by in self.cash.items() if n not in overdrawn), ZERO)
            + sum((by.get(venture, ZERO) for by in self.assets.values()), ZERO)
            + self.receivables.get(venture, ZERO)
        )

    def total_liabilities(self, venture: str) -> Decimal:
        return (
            sum((by.get(venture, ZERO) for by in self.liabilities.values()), ZERO)
            + self.deferred.get(venture, ZERO)
            + self.overdraft(venture)
        )

    def total_equity(self, venture: str) -> Decimal:
        return sum(
            (
                part.get(venture, ZERO)
                for part in (self.opening, self.owner, self.capital, self.retained)
            ),
            ZERO,
        )

    def unexplained(self, venture: str) -> Decimal:
        return (
            self.total_assets(venture)
            - self.total_liabilities(venture)
            - self.total_equity(venture)
        )


def type_of(portfolio: Portfolio, account: str) -> str | None:
    """The account's type: as the workspace says, else guessed from its name."""
    known = portfolio.account_types.get(account)
    return known[0] if known else guessed_type(account)


def by_venture(rows) -> dict[str, Decimal]:
    """(venture, amount) rows -> each venture's amount and the total."""
    found: dict[str, Decimal] = {TOTAL: ZERO}
    for venture, amount in rows:
        amount = amount or ZERO
        found[venture or "unassigned"] = found.get(venture or "unassigned", ZERO) + amount
        found[TOTAL] += amount
    return found


def positions(portfolio: Portfolio, *days: date) -> list[Positions]:
    """Each day's positions, every table read once for all the days (one sum for each day)."""
    db = portfolio.db
    at = {f"day{n}": day for n, day in enumerate(days)}
    sums = ", ".join(f"sum(amount) FILTER (date <= $day{n})" for n in range(len(days)))
    found = [Positions() for _ in days]

    def each(rows, keys: int = 1):
        """rows of (key…, venture, a sum a day) -> {key: [(venture, amount) a day]}"""
        grouped: dict = {}
        for row in rows:
            key, venture, amounts = row[:keys], row[keys], row[keys + 1 :]
            for n, amount in enumerate(amounts):
                grouped.setdefault(key, [[] for _ in days])[n].append((venture, amount))
        return grouped

    cards: dict[str, dict[str, Decimal]] = {}  # a card's owed before its rows: a liability
    for account in portfolio.cash_accounts:
        opening = [(account.entity, account.opening)]
        if account.card:  # its rows are in the books, on its liability account
            cards[account.card] = by_venture([(account.entity, -account.opening)])
            continue
        if account.postings:  # beancount: each cash account as beancount has it
            rows = db.execute(
                f"SELECT account, entity, {sums} FROM ("
                + " UNION ALL ".join(f"SELECT * FROM {t}" for t in account.postings)
                + ") GROUP BY ALL ORDER BY account",
                at,
            ).fetchall()
            for (name,), by_day in each(rows).items():
                for position, moved in zip(found, by_day):
                    position.cash[name] = by_venture(moved)
            if account.opening:
                for position in found:
                    position.cash[account.name] = by_venture(opening)
            continue
        rows = db.execute(
            f"SELECT 1, entity, {sums} FROM ("
            + " UNION ALL ".join(
                f"SELECT date, entity, amount FROM {t} WHERE problem IS NULL"
                for t in account.tables
            )
            + ") GROUP BY ALL",
            at,
        ).fetchall()
        by_day = each(rows).get((1,), [[] for _ in days])
        for position, moved in zip(found, by_day):
            position.cash[account.name] = by_venture([*moved, *opening])
    declared = portfolio.workspace.settings.opening_balances
    rows = db.execute(
        f"SELECT split_part(account, ':', 1) AS kind, account, entity, {sums}"
        f" FROM {summary(portfolio, BOOKS, None, *days)}"
        " WHERE list_contains($types, split_part(account, ':', 1)) GROUP BY ALL ORDER BY account",
        at | {"types": list(ACCOUNT_TYPES)},
    ).fetchall()
    # as the balance sheet shows them: what is owned and what is owed, both positive
    sign = {"Assets": -1, "Liabilities": 1}
    for (kind, account), by_day in each(rows, keys=2).items():
        if kind in sign:
            for position, moved in zip(found, by_day):
                target = position.assets if kind == "Assets" else position.liabilities
                target[account] = by_venture((v, sign[kind] * (a or ZERO)) for v, a in moved)
    before_ledger = [  # on every day
        (position.assets if b.account.startswith("Assets") else position.liabilities, b.account,
         by_venture([(b.entity, b.amount)]))
        for b in declared for position in found
    ] + [(p.liabilities, card, owed) for card, owed in cards.items() for p in found]  # fmt: skip
    for target, account, extra in before_ledger:
        before = target.get(account, {TOTAL: ZERO})
        target[account] = {
            v: before.get(v, ZERO) + extra.get(v, ZERO) for v in before.keys() | extra.keys()
        }
    for n, position in enumerate(found):
        position.assets = dict(sorted(position.assets.items()))
        position.liabilities = dict(sorted(position.liabilities.items()))
        equity = {t: [] for t in ("owner", "equity", "opening")}
        for r in rows:
            if r[0] == "Equity":
                equity[type_of(portfolio, r[1])].append((r[2], r[3 + n]))
        position.owner, position.capital = by_venture(equity["owner"]), by_venture(equity["equity"])
        position.retained = by_venture(
            (r[2], r[3 + n]) for r in rows if r[0] in ("Income", "Expenses")
        )
        # what the ventures owned less what they owed before the ledger: their opening equity
        position.opening = by_venture(
            [(a.entity, a.opening) for a in portfolio.cash_accounts]
            + [
                (b.entity, b.amount if b.account.startswith("Assets") else -b.amount)
                for b in declared
            ]
            # beancount's opening entries: Equity:Opening-Balances, not the owner's money
            + equity["opening"]
        )
    if portfolio.basis == "accrual":
        received = db.execute(
            f"SELECT 1, entity, {sums} FROM ledger WHERE {SERVICE_RECEIPT} AND {EARNED_ACCOUNT}"
            " IS NOT NULL GROUP BY entity",
            at,
        ).fetchall()
        earned = ", ".join(
            f"sum(amount) FILTER (date <= $day{n} AND received <= $day{n}),"
            f" sum(amount) FILTER (date <= $day{n} AND received > $day{n})"
            for n in range(len(days))
        )
        days_earned = db.execute(
            f"SELECT entity, {earned} FROM earned_days WHERE account IS NOT NULL GROUP BY entity",
            at,
        ).fetchall()
        for n, position in enumerate(found):
            position.deferred = by_venture(
                [(r[1], r[2 + n]) for r in received]
                + [(r[0], -(r[1 + 2 * n] or ZERO)) for r in days_earned]
            )
            position.receivables = by_venture((r[0], r[2 + 2 * n]) for r in days_earned)
    return found


def analyse(portfolio: Portfolio, results: Results) -> None:
    if not portfolio.fresh("ledger"):
        return
    period, provenance = portfolio.period, ledger_files(portfolio)
    start, end = positions(portfolio, period.start - timedelta(days=1), period.end)
    balance_sheet(portfolio, results, end, provenance)
    cash_flow(portfolio, results, start, end, provenance)
    consolidation(portfolio, results, provenance)


def venture_rows(
    portfolio: Portfolio,
    results: Results,
    lines: dict[str, dict[str, Decimal]],
    provenance: tuple[str, ...],
) -> None:
    """One row a venture for the first page: its revenue and net income, against its budget and
    the same period a year earlier (where the budget and the ledger have them)."""
    settings, period, currency = portfolio.workspace.settings, portfolio.period, portfolio.currency
    budget: dict[str, Decimal] = {}
    for line in portfolio.budget:
        if line.entity and period.start <= line.month <= period.end:
            sign = 1 if line.account.startswith("Income") else -1
            budget[line.entity] = budget.get(line.entity, ZERO) + sign * line.amount
    earlier = period.year_earlier()
    year_ago = (
        dict(
            portfolio.db.execute(
                """SELECT entity, sum(amount) FROM books
                   WHERE (account LIKE 'Income:%' OR account LIKE 'Expenses:%')
                     AND date BETWEEN ? AND ? GROUP BY entity""",
                (earlier.start, earlier.end),
            ).fetchall()
        )
        if reaches_back(portfolio, earlier)
        else None
    )
    rows = []
    for e in settings.entities:
        net = money(lines["Net income"].get(e.id, ZERO))
        plan = budget.get(e.id)
        then = None if year_ago is None else money(year_ago.get(e.id) or ZERO)
        rows.append(
            {
                "venture": e.name,
                "revenue": money(lines["Revenue"].get(e.id, ZERO)),
                "net_income": net,
                "against_budget": None if plan is None else money(net - plan),
                "against_year_earlier": None if then is None else money(net - then),
            }
        )
    results.add(
        Table(
            id="finance.by_venture",
            title=f"By venture, {period.title} ({currency})",
            columns=(
                Column.text("venture", "Venture"),
                Column.number("revenue", "Revenue"),
                Column.number("net_income", "Net income"),
                Column.number("against_budget", "Against budget"),
                Column.number("against_year_earlier", f"Against {earlier.title}"),
            ),
            rows=tuple(rows),
            provenance=provenance,
            note=(
                "Net income less the budget's, and less a year earlier's (a dash: none); charges"
                " between ventures kept in"
            ),
        )
    )


def ventures(portfolio: Portfolio, *found: Positions) -> list[str]:
    """The ventures' ids in the workspace's order, then "unassigned" if money has no venture."""
    named = [e.id for e in portfolio.workspace.settings.entities]
    seen = {
        v
        for p in found
        for part in (*p.cash.values(), *p.assets.values(), *p.liabilities.values(), p.retained)
        for v in part
    }
    return named + (["unassigned"] if "unassigned" in seen else [])


def balance_sheet(
    portfolio: Portfolio, results: Results, end: Positions, provenance: tuple[str, ...]
) -> None:
    metric = MetricsFrom(provenance)
    currency, period = portfolio.currency, portfolio.period
    overdrawn = end.overdrawn()
    lines: list[tuple[str, Decimal]] = [
        *(
            (f"Cash — {name}", by[TOTAL])
            for name, by in end.cash.items()
            if name not in overdrawn
        ),
        *((account, by[TOTAL]) for account, by in end.assets.items()),
    ]
    if end.receivables.get(TOTAL):
        lines.append(("Receivables (earned, not yet received)", end.receivables[TOTAL]))
    lines.append(("Total assets", end.total_assets(TOTAL)))
    lines += [(f"Bank overdraft — {name}", -end.cash[name][TOTAL]) for name in overdrawn]
    lines += [(account, by[TOTAL]) for account, by in end.liabilities.items()]
    if end.deferred.get(TOTAL):
        lines.append(("Deferred revenue (received, not yet earned)", end.deferred[TOTAL]))
    lines += [
        ("Total liabilities", end.total_liabilities(TOTAL)),
        ("Equity: opening balances", end.opening.get(TOTAL, ZERO)),
        ("Equity: owner contributions less draws", end.owner.get(TOTAL, ZERO)),
        *(
            (("Equity: share capital and other equity", end.capital[TOTAL]),)
            if end.capital.get(TOTAL)
            else ()
        ),
        ("Equity: retained earnings (income less expenses to date)", end.retained.get(TOTAL, ZERO)),
        ("Total equity", end.total_equity(TOTAL)),
        ("Unexplained (money no account explains)", end.unexplained(TOTAL)),
    ]
    names = {e.id: e.name for e in portfolio.workspace.settings.entities}
    per_venture = ventures(portfolio, end)
    unexplained = money(end.unexplained(TOTAL))
    names = {e.id: e.name for e in portfolio.workspace.settings.entities}
    results.add(
        Table(
            id="accounting.balance_sheet",
            title=f"Balance sheet at {period.end:%d %b %Y} ({currency}, {portfolio.basis} basis)",
            columns=(Column.text("item", "Item"), Column.number("amount", "Amount")),
            rows=tuple({"item": item, "amount": money(value)} for item, value in lines),
            provenance=provenance,
            note=(
                "Assets = liabilities + equity + unexplained. Cash from the ledger; other accounts"
                " from the books. Unexplained is money in rows without an account."
            ),
        ),
        Table(
            id="accounting.balance_sheet_by_venture",
            title=f"Balance sheet by venture at {period.end:%d %b %Y} ({currency})",
            columns=(
                Column.text("venture", "Venture"),
                Column.number("assets", "Assets"),
                Column.number("liabilities", "Liabilities"),
                Column.number("equity", "Equity"),
                Column.number("unexplained", "Unexplained"),
            ),
            rows=tuple(
                {
                    "venture": names.get(v, "Not assigned to a venture"),
                    "assets": money(end.total_assets(v)),
                    "liabilities": money(end.total_liabilities(v)),
                    "equity": money(end.total_equity(v)),
                    "unexplained": money(end.unexplained(v)),
                }
                for v in per_venture
            ),
            provenance=provenance,
            note=(
                "A shared bank account's cash is split by the venture of each row; its opening"
                " balance is not assigned to a venture."
            ),
        ),
        *(
            metric(
                id=f"accounting.{key}",
                label=label,
                value=money(value),
                unit=currency,
                note=note,
            )
            for key, label, value, note in (
                (
                    "assets",
                    "Total assets",
                    end.total_assets(TOTAL),
                    f"cash, other assets and receivables at {period.end}",
                ),
                (
                    "liabilities",
                    "Total liabilities",
                    end.total_liabilities(TOTAL),
                    f"loans, cards, bank overdrafts and other liabilities, and deferred revenue,"
                    f" at {period.end}",
                ),
                (
                    "equity",
                    "Total equity",
                    end.total_equity(TOTAL),
                    "opening balances, owner contributions less draws, retained earnings",
                ),
            )
        ),
        metric(
            id="accounting.overdraft",
            label="Bank overdraft",
            value=money(end.overdraft(TOTAL)),
            unit=currency,
            status="bad" if overdrawn else "good",
            note=f"what the cash accounts below zero owe the bank at {period.end}",
        ),
        metric(
            id="accounting.balance_unexplained",
            label="Balance sheet unexplained",
            value=unexplained,
            unit=currency,
            status="good" if not unexplained else "warn",
            note="assets − liabilities − equity: money in rows without an account",
        ),
    )
    results.add(
        *(
            Finding(
                severity="high",
                area="overdraft",
                title=f"{name} is overdrawn",
                evidence=(
                    f"Its balance at {period.end} is {said(end.cash[name][TOTAL], currency)}:"
                    " owed to the bank, a liability (a bank overdraft), not cash."
                ),
                action=(
                    f"Bring {name} back above zero from another account, or agree an overdraft"
                    " facility with the bank."
                ),
                source=provenance[0],
            )
            for name in overdrawn
        )
    )
    (uncategorized,) = portfolio.db.execute(
        f"SELECT coalesce(sum(amount), 0) FROM {summary(portfolio, BOOKS, None, period.end)}"
        " WHERE date <= ? AND NOT coalesce("
        + " OR ".join(f"account LIKE '{kind}:%'" for kind in ACCOUNT_TYPES)
        + ", false)",
        (period.end,),
    ).fetchone()
    results.add(unexplained_rows(portfolio, provenance))
    beyond = unexplained - uncategorized  # rows without an account are a finding of their own
    if beyond:
        results.add(
            Finding(
                severity="high",
                area="reconciliation",
                title=(
                    f"The balance sheet is {beyond:,} {currency} off, beyond the rows without an"
                    " account"
                ),
                evidence=(
                    f"assets − liabilities − equity is {unexplained:,} {currency}; rows without"
                    f" an account explain {money(uncategorized):,} {currency} of it."
                ),
                action="Check the opening balances and the accounts of transfers between ventures.",
                source=provenance[0],
            )
        )


def unexplained_rows(portfolio: Portfolio, provenance: tuple[str, ...]) -> Table:
    """The rows behind the balance sheet's Unexplained line — money in a row with no account of a
    kind the books know, since the ledger began — by month, with their total: every one, or past
    UNEXPLAINED_LISTED the largest (a ledger that is mostly uncategorized would make a report no
    one can carry), the count and total still of them all."""
    end = portfolio.period.end
    kinds = " OR ".join(f"account LIKE '{kind}:%'" for kind in ACCOUNT_TYPES)
    found = portfolio.db.execute(
        f"""WITH unexplained AS (
                SELECT date, entity, counterparty, memo, amount, source_file, source_line
                FROM ledger WHERE date <= $end AND NOT coalesce({kinds}, false)
            ), largest AS (
                SELECT * FROM unexplained
                ORDER BY abs(amount) DESC, date, source_file, source_line LIMIT {UNEXPLAINED_LISTED}
            )
            SELECT strftime(date, '%Y-%m'), date, entity, counterparty, memo, amount,
                   source_file || ':' || source_line,
                   (SELECT count(*) FROM unexplained), (SELECT sum(amount) FROM unexplained)
            FROM largest ORDER BY date, source_file, source_line""",
        {"end": end},
    ).fetchall()
    names = {e.id: e.name for e in portfolio.workspace.settings.entities}
    rows = [
        {
            "month": month,
            "date": day.isoformat(),
            "venture": names.get(venture, venture or ""),
            "counterparty": counterparty or "",
            "memo": memo or "",
            "amount": money(amount),
            "source": where,
        }
        for month, day, venture, counterparty, memo, amount, where, _, _ in found
    ]
    count = found[0][-2] if found else 0
    if rows:
        total = money(found[0][-1])
        rows.append({"month": "Total", "date": "", "venture": "", "counterparty": "",
                     "memo": f"{count} rows", "amount": total, "source": ""})  # fmt: skip
    return Table(
        id="accounting.unexplained_rows",
        title=f"The rows behind Unexplained, to {end:%d %b %Y}",
        columns=(
            Column.text("month", "Month"),
            Column.text("date", "Date"),
            Column.text("venture", "Venture"),
            Column.text("counterparty", "Counterparty"),
            Column.text("memo", "Memo"),
            Column.number("amount", "Amount"),
            Column.text("source", "Where"),
        ),
        rows=tuple(rows),
        provenance=provenance,
        note=(
            "Every row with no account since the ledger began"
            if count <= UNEXPLAINED_LISTED
            else f"The {UNEXPLAINED_LISTED} largest of {count:,} rows with no account since the"
            " ledger began (the total is of them all)"
        )
        + ": give each one (a rule, or the export's category) and Unexplained goes.",
    )


def cash_flow(
    portfolio: Portfolio,
    results: Results,
    start: Positions,
    end: Positions,
    provenance: tuple[str, ...],
) -> None:
    """The change in each position over the period, grouped as operating (indirect), investing and
    financing; it adds up to the change in cash."""
    metric = MetricsFrom(provenance)
    currency, period = portfolio.currency, portfolio.period

    def change(before: dict[str, dict[str, Decimal]], after, types: set[str]) -> Decimal:
        """The change in the accounts of `types`, from before to after."""
        return sum(
            (
                after.get(a, {}).get(TOTAL, ZERO) - before.get(a, {}).get(TOTAL, ZERO)
                for a in set(before) | set(after)
                if type_of(portfolio, a) in types
            ),
            ZERO,
        )

    def moved(part: str) -> Decimal:
        return getattr(end, part).get(TOTAL, ZERO) - getattr(start, part).get(TOTAL, ZERO)

    net_income = moved("retained")
    deferred = moved("deferred")
    receivables = -moved("receivables") - change(start.assets, end.assets, {"receivable"})
    operating_liabilities = change(
        start.liabilities, end.liabilities, {"payable", "deferred_revenue"}
    )
    uncategorized = end.unexplained(TOTAL) - start.unexplained(TOTAL)
    operating = net_income + deferred + receivables + operating_liabilities + uncategorized
    investing = -change(start.assets, end.assets, {"cash", "fixed_asset"})
    loans = change(start.liabilities, end.liabilities, {"loan"})
    owner, capital = moved("owner"), moved("capital")
    financing = loans + owner + capital
    cash_before = sum((by.get(TOTAL, ZERO) for by in start.cash.values()), ZERO)
    cash_after = sum((by.get(TOTAL, ZERO) for by in end.cash.values()), ZERO)
    items = (
        ("Net income", net_income),
        ("+ increase in deferred revenue", deferred),
        ("− increase in receivables", receivables),
        ("+ increase in cards, payables and other liabilities", operating_liabilities),
        ("+ money in rows without an account", uncategorized),
        ("Cash from operating activities", operating),
        ("− bought: equipment, deposits and other assets", investing),
        ("Cash from investing activities", investing),
        ("+ loans taken less principal repaid", loans),
        ("+ owner contributions less draws", owner),
        *((("+ capital raised less returned", capital),) if capital else ()),
        ("Cash from financing activities", financing),
        ("Change in cash", operating + investing + financing),
        (f"Cash at {period.start - timedelta(days=1):%d %b %Y}", cash_before),
        (f"Cash at {period.end:%d %b %Y}", cash_after),
    )
    results.add(
        Table(
            id="accounting.cash_flow",
            title=f"Cash flow, {period.title} ({currency})",
            columns=(Column.text("item", "Item"), Column.number("amount", "Amount")),
            rows=tuple({"item": item, "amount": money(value)} for item, value in items),
            provenance=provenance,
            note=(
                "Operating by the indirect method: net income adjusted by the change in what is"
                " owed and owing. The change in cash equals cash at the end less cash at the start."
            ),
        ),
        *(
            metric(
                id=f"accounting.{key}",
                label=label,
                value=money(value),
                unit=currency,
                note=note,
            )
            for key, label, value, note in (
                ("cash_flow_operating", "Cash from operations", operating, period.title),
                ("cash_flow_investing", "Cash from investing", investing, period.title),
                ("cash_flow_financing", "Cash from financing", financing, period.title),
                (
                    "cash_change",
                    "Change in cash",
                    cash_after - cash_before,
                    f"cash at {period.end} less cash at {period.start - timedelta(days=1)}",
                ),
            )
        ),
    )


def consolidation(portfolio: Portfolio, results: Results, provenance: tuple[str, ...]) -> None:
    """The period's revenue, expenses and net income with a column per venture, the eliminations
    of charges between ventures, and the consolidated total (each account's lines are in the
    income statement; each charge eliminated is listed). A row is a charge between ventures when its
    counterparty is another venture, by name or by one of its `aliases`."""
    settings, period, currency = portfolio.workspace.settings, portfolio.period, portfolio.currency
    if len(settings.entities) < 2:
        return
    db, names = portfolio.db, ventures_by_name(portfolio)
    span = {"start": period.start, "end": period.end}
    books = """FROM books WHERE (account LIKE 'Income:%' OR account LIKE 'Expenses:%')
               AND date BETWEEN $start AND $end"""
    line_of = "CASE WHEN account LIKE 'Income:%' THEN 'Revenue' ELSE 'Expenses' END"
    lines: dict[str, dict[str, Decimal]] = {"Revenue": {}, "Expenses": {}}
    for line, venture, amount in db.execute(
        f"SELECT {line_of}, entity, sum(amount) {books} GROUP BY ALL", span
    ).fetchall():
        lines[line][venture] = amount
    # the payees that are another venture, by name as everywhere (sources/ventures.py); then only
    # their rows
    payees = {
        payee: names[payee.strip().casefold()]
        for (payee,) in db.execute(f"SELECT DISTINCT counterparty {books}", span).fetchall()
        if payee is not None and payee.strip().casefold() in names
    }
    rows = (
        db.execute(
            f"""SELECT {line_of}, account, entity, amount, date, counterparty,
                       source_file || ':' || source_line
                {books} AND list_contains($payees, counterparty)
                ORDER BY date, source_file, source_line""",
            span | {"payees": list(payees)},
        ).fetchall()
        if payees
        else []
    )
    columns = [e.id for e in settings.entities]
    eliminated = []
    for line, account, venture, amount, day, counterparty, where in rows:
        if (other := payees[counterparty]) != venture:
            lines[line]["eliminations"] = lines[line].get("eliminations", ZERO) - amount
            eliminated.append((day, venture, other, account, amount, where))
    lines["Net income"] = {
        c: lines["Revenue"].get(c, ZERO) + lines["Expenses"].get(c, ZERO)
        for c in [*columns, "eliminations"]
    }
    venture_rows(portfolio, results, lines, provenance)
    table_rows = []
    for item, by in lines.items():
        row = {"item": item} | {c: money(by.get(c, ZERO)) for c in columns}
        row["eliminations"] = money(by.get("eliminations", ZERO))
        row["consolidated"] = money(sum(by.values(), ZERO))
        table_rows.append(row)
    results.add(
        Table(
            id="accounting.consolidation",
            title=(
                f"Income statement by venture, {period.title} ({currency}, {portfolio.basis} basis)"
            ),
            columns=(
                Column.text("item", "Item"),
                *(Column.number(e.id, e.name) for e in settings.entities),
                Column.number("eliminations", "Eliminations"),
                Column.number("consolidated", "Consolidated"),
            ),
            rows=tuple(table_rows),
            provenance=provenance,
            note=(
                "Charges between ventures are taken out of the consolidated total: they are"
                " income to one and a cost to another, not to the portfolio."
            ),
        ),
        Table(
            id="accounting.eliminations",
            title="Charges between ventures, eliminated",
            columns=(
                Column.text("date", "Date"),
                Column.text("venture", "In the books of"),
                Column.text("other", "With"),
                Column.text("account", "Account"),
                Column.number("amount", "Amount"),
                Column.text("where", "Where"),
            ),
            rows=tuple(
                {
                    "date": day.isoformat(),
                    "venture": venture,
                    "other": other,
                    "account": account,
                    "amount": money(amount),
                    "where": where,
                }
                for day, venture, other, account, amount, where in eliminated
            ),
            provenance=provenance,
        ),
    )
    unmatched = money(sum((amount for *_, amount, _ in eliminated), ZERO))
    if unmatched:
        results.add(
            Finding(
                severity="low",
                area="reconciliation",
                title=f"Charges between ventures do not match: {abs(unmatched):,} {currency} apart",
                evidence=(
                    "A charge one venture books as income is not booked as the same cost by the"
                    " other, or the reverse."
                ),
                action="Book both sides of each charge between ventures, for the same amount.",
                source=provenance[0],
            )
        )
