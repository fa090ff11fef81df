"""The chart of accounts: a standard one per entity kind, with the workspace's `[[chart]]` lines on
top.

A line covers its account and every account below it (`Expenses:Fuel` covers
`Expenses:Fuel:Diesel`); the longest line that covers an account classifies it. Each line says
whether an expense is a fixed or a variable cost (break-even rests on that) and which tax-return
line it belongs to; the tax lines are the US Schedule C (and E, for rent) names, the forms most
owner-operators file.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass

from boardpack.config import Settings

UNITS = {
    "bookings": "booking",
    "charter": "charter",
    "logistics": "hauling job",
    "services": "billable hour",
}
HOURLY = {"services"}  # kinds whose unit is a quantity on the row (hours), not one per income row


@dataclass(frozen=True)
class ChartLine:
    account: str
    cost: str | None = None  # "fixed" / "variable", for expenses
    tax_line: str = ""

    def covers(self, account: str) -> bool:
        return account == self.account or account.startswith(self.account + ":")


def line(account: str, cost: str | None = None, tax: str = "") -> ChartLine:
    return ChartLine(account, cost, tax)


COMMON = (
    line("Assets"),
    line("Liabilities"),
    line("Equity"),
    line("Income:Sales", tax="Gross receipts or sales"),
    line("Income:Interest", tax="Other income"),
    line("Income:Other", tax="Other income"),
    line("Expenses:Advertising", "fixed", "Advertising"),
    line("Expenses:Bank Fees", "fixed", "Commissions and fees"),
    line("Expenses:Payment Processing", "variable", "Commissions and fees"),
    line("Expenses:Booking Fees", "variable", "Commissions and fees"),
    line("Expenses:Contractors", "variable", "Contract labor"),
    line("Expenses:Insurance", "fixed", "Insurance (other than health)"),
    line("Expenses:Interest", "fixed", "Interest (other)"),
    line("Expenses:Professional Fees", "fixed", "Legal and professional services"),
    line("Expenses:Office", "fixed", "Office expense"),
    line("Expenses:Software", "fixed", "Office expense"),
    line("Expenses:Cloud", "fixed", "Other expenses"),
    line("Expenses:Rent", "fixed", "Rent or lease (other business property)"),
    line("Expenses:Repairs", "fixed", "Repairs and maintenance"),
    line("Expenses:Maintenance", "fixed", "Repairs and maintenance"),
    line("Expenses:Supplies", "variable", "Supplies"),
    line("Expenses:Materials", "variable", "Cost of goods sold"),
    line("Expenses:Taxes", "fixed", "Taxes and licenses"),
    line("Expenses:Travel", "fixed", "Travel"),
    line("Expenses:Meals", "fixed", "Deductible meals"),
    line("Expenses:Utilities", "fixed", "Utilities"),
    line("Expenses:Payroll", "fixed", "Wages"),
    line("Expenses:Depreciation", "fixed", "Depreciation"),
)
BY_KIND: dict[str, tuple[ChartLine, ...]] = {
    "charter": (
        line("Income:Charters", tax="Gross receipts or sales"),
        line("Expenses:Fuel", "variable", "Other expenses"),
        line("Expenses:Crew", "variable", "Contract labor"),
        line("Expenses:Provisions", "variable", "Supplies"),
        line("Expenses:Moorage", "fixed", "Rent or lease (other business property)"),
    ),
    "bookings": (  # a charter business, rooms, vehicles booked by the day
        line("Income:Bookings", tax="Gross receipts or sales"),
        line("Income:Charters", tax="Gross receipts or sales"),
        line("Income:Rentals", tax="Gross receipts or sales"),
        line("Expenses:Fuel", "variable", "Other expenses"),
        line("Expenses:Crew", "variable", "Contract labor"),
        line("Expenses:Provisions", "variable", "Supplies"),
        line("Expenses:Cleaning", "variable", "Other expenses"),
        line("Expenses:Moorage", "fixed", "Rent or lease (other business property)"),
    ),
    "logistics": (
        line("Income:Hauling", tax="Gross receipts or sales"),
        line("Expenses:Fuel", "variable", "Car and truck expenses"),
        line("Expenses:Tolls", "variable", "Car and truck expenses"),
        line("Expenses:Vehicle Lease", "fixed", "Rent or lease (vehicles, machinery, equipment)"),
    ),
    "real_estate": (
        line("Income:Rent", tax="Rents received (Schedule E)"),
        line("Expenses:Mortgage", "fixed", "Mortgage interest (Schedule E)"),
        line("Expenses:Property Tax", "fixed", "Taxes (Schedule E)"),
        line("Expenses:Management", "fixed", "Management fees (Schedule E)"),
        line("Expenses:Repairs", "variable", "Repairs (Schedule E)"),
    ),
    "services": (
        line("Income:Consulting", tax="Gross receipts or sales"),
        line("Income:Services", tax="Gross receipts or sales"),
    ),
    "software": (
        line("Income:Subscriptions", tax="Gross receipts or sales"),
        line("Income:Services", tax="Gross receipts or sales"),
        line("Expenses:Hosting", "variable", "Other expenses"),
    ),
}


class Chart:
    """The workspace's chart: each entity kind's lines built once, then looked up by entity and
    account."""

    def __init__(self, settings: Settings):
        self.variable_globs = settings.finance.variable_cost_accounts
        self.kinds = {e.id: e.kind for e in settings.entities}
        self.lines: dict[str, tuple[ChartLine, ...]] = {}
        for kind in set(self.kinds.values()) | {"other"}:
            lines = {ln.account: ln for ln in COMMON + BY_KIND.get(kind, ())}
            for own in settings.chart:  # the workspace's own lines override the standard ones
                if not own.kinds or kind in own.kinds:
                    lines[own.account] = ChartLine(own.account, own.cost, own.tax_line)
            # longest first
            self.lines[kind] = tuple(sorted(lines.values(), key=lambda ln: -len(ln.account)))

    def line(self, entity: str, account: str) -> ChartLine | None:
        kind = self.kinds.get(entity, "other")
        return next((ln for ln in self.lines[kind] if ln.covers(account)), None)

    def is_variable(self, entity: str, account: str) -> bool:
        """finance.variable_cost_accounts (globs) first, then the chart's own word."""
        if any(fnmatch.fnmatchcase(account, p) for p in self.variable_globs):
            return True
        found = self.line(entity, account)
        return found is not None and found.cost == "variable"
