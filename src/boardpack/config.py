"""`boardpack.toml`, validated into typed settings at load time.

Unknown keys and bad values are errors naming the file, the key, its line and the fix.
Invariants that span sections (an entity a source refers to must exist, ids are unique)
are checked here too, so no later stage has to.
"""

from __future__ import annotations

import codecs
import difflib
import functools
import glob
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from boardpack import links
from boardpack.currencies import ISO_4217, minor_units
from boardpack.environment import Environment
from boardpack.errors import WorkspaceError
from boardpack.files import check_node, inside, output_path
from boardpack.terminal import control_characters

WORKSPACE_FILE = "boardpack.toml"
MAX_SETTINGS_BYTES = 1_000_000
ROLE_IDS = ("ceo", "cto", "cfo", "cmo", "accounting")
MAX_SCREENS = 40
# The first part of the analyses' metric ids: a venture's own metrics are `<entity id>.<name>`, so
# an entity may not take one of these as its id.
RESERVED_IDS = (
    "finance",
    "capital",
    "accounting",
    "expenses",
    "revenue",
    "marketing",
    "security",
    "technology",
    "operations",
    "rules",
    "executive",
    "entity",
)
EntityId = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]{0,39}$")]
# where a setting is: its tables' names and its array items' indexes, ("roles", "cfo", "to", 0)
Key = tuple[str | int, ...]


class SettingError(ValueError):
    """A check across tables that names the key it is about, as data: its message is placed at
    that key's line in boardpack.toml, never read back out of the text."""

    def __init__(self, key: Key, problem: str):
        super().__init__(problem)
        self.key, self.problem = key, problem


ReportId = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]{0,39}$")]


def _fraction(value: Decimal) -> Decimal:
    if not 0 <= value <= 1:
        raise ValueError(f"{value} is not a rate from 0 to 1: write 35% as 0.35")
    return value


def _percent(value: Decimal) -> Decimal:
    if not 0 <= value <= 100:
        raise ValueError(f"{value} is not a percentage from 0 to 100: write 15% as 15")
    return value


def _mailbox(value: str) -> str:
    from boardpack.delivery.addresses import checked_mailbox

    checked_mailbox(value)
    return value


Rate = Annotated[Decimal, AfterValidator(_fraction)]
# one address, `addr` or `Name <addr>`, strictly parsed
Mailbox = Annotated[str, AfterValidator(_mailbox)]
Percent = Annotated[Decimal, AfterValidator(_percent)]
Money = Annotated[Decimal, Field(max_digits=18, decimal_places=2)]


def iso_currency(code: str) -> str:
    if code not in ISO_4217:
        hint = difflib.get_close_matches(code, sorted(ISO_4217), n=3)
        raise ValueError(
            f"{code!r} is not an ISO 4217 currency code"
            + (f"; did you mean {' or '.join(hint)}?" if hint else " (USD, EUR, GBP…)")
        )
    return code


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Organization(Strict):
    name: str = Field(min_length=1)
    currency: str = Field(default="USD", pattern=r"^[A-Z]{3}$")
    timezone: str = "UTC"
    period: Literal["month", "week", "quarter"] = "month"
    # profit and loss on one basis for every report; default: accrual when the ledger has service
    # periods to earn revenue over, else cash
    basis: Literal["cash", "accrual"] | None = None
    # written before an amount in `currency` ("$1,200"); none: the code after it ("1,200 USD")
    currency_symbol: str = ""
    negatives: Literal["minus", "parentheses"] = "minus"  # -1,234 or (1,234)

    @field_validator("currency")
    @classmethod
    def kept_in_cents(cls, value: str) -> str:
        iso_currency(value)
        if minor_units(value) == 3:
            raise ValueError(
                f"{value} has three decimal places; boardpack keeps the books to two (the cent):"
                " keep them in another currency and read the files in this one through"
                " [sources.rates]"
            )
        return value

    @field_validator("currency_symbol")
    @classmethod
    def a_symbol(cls, value: str) -> str:
        if len(value) > 3 or any(c.isspace() or c.isdigit() or c in ".,()+-" for c in value):
            raise ValueError(
                f"= {value!r}: a currency symbol is at most three characters written before an"
                ' amount, with no digits, spaces or signs: "$", "€", "CA$"'
            )
        return value

    @field_validator("timezone")
    @classmethod
    def known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {value!r}: use an IANA name such as 'America/Los_Angeles'"
            ) from None
        return value


class Asset(Strict):
    kind: Literal[
        "domain", "repository", "cloud", "vessel", "vehicle", "property", "equipment", "other"
    ]
    name: str = Field(min_length=1)
    note: str = ""


DebtServiceAccounts = [
    "Expenses:Mortgage*",
    "Expenses:Interest*",
    "Liabilities:Mortgage*",
    "Liabilities:Loans*",
]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


class Property(Strict):
    """A real-estate venture: its rent roll and what the property is worth."""

    units: str = Field(min_length=1)  # CSV: unit,tenant,lease_start,lease_end,monthly_rent,deposit
    value: Money = Field(gt=0)  # for the cap rate
    # Ledger accounts (globs) that are debt service: paid out of NOI, not operating expenses.
    debt_service_accounts: list[str] = DebtServiceAccounts
    # it may fail to read: its sections say what is missing, and the pack still goes
    optional: bool = False


class Fleet(Strict):
    """A logistics venture: its jobs; the vehicles are the entity's assets of kind "vehicle"."""

    jobs: str = Field(min_length=1)  # CSV: date,vehicle,customer,revenue,direct_cost,hours
    working_days: list[Weekday] = Field(default=["mon", "tue", "wed", "thu", "fri"], min_length=1)
    # it may fail to read: its sections say what is missing, and the pack still goes
    optional: bool = False


class Practice(Strict):
    """A client-services venture: hours worked, against what the ledger shows was invoiced."""

    timesheets: str = Field(min_length=1)  # CSV: client,date,hours,rate
    clients: list[str] = Field(min_length=1)  # as the ledger's counterparty names them
    # it may fail to read: its sections say what is missing, and the pack still goes
    optional: bool = False


BOOKING_FIELDS = (
    "booking_date",
    "service_date",
    "asset",
    "customer",
    "channel",
    "amount",
    "deposit",
    "status",
)


class Bookings(Strict):
    """A bookings venture: its bookings file (a charter, a room, a vehicle booked for a day), its
    columns named as the booking system exports them."""

    path: str | None = Field(default=None, min_length=1)
    source: str | None = None  # or a live source of shape "bookings": its name
    # field -> the file's header for it; a field not named is read from a column of its own name
    columns: dict[Literal[BOOKING_FIELDS], str] = {}  # type: ignore[valid-type]
    date_format: str = "%Y-%m-%d"
    # it may fail to read: its sections say what is missing, and the pack still goes
    optional: bool = False

    @model_validator(mode="after")
    def one_origin(self) -> Bookings:
        if (self.path is None) == (self.source is None):
            raise ValueError(
                "name where the bookings come from: path = \"<file>.csv\", or source = \"<a live"
                " source's name>\" — one of the two"
            )
        if self.source is not None and self.columns:
            raise SettingError(
                ("columns",), "a live source maps its own columns: move them to its [[sources.…]]"
            )
        return self

    @property
    def origin(self) -> str:
        """Where its bookings come from, as a figure's source names it."""
        return self.path or f"{self.source} (live)"

    def header(self) -> dict[str, str]:
        """Each field's column in the file."""
        return {f: self.columns.get(f, f) for f in BOOKING_FIELDS}


# Each venture table belongs to one kind of entity.
VENTURE_KINDS = {
    "property": "real_estate",
    "fleet": "logistics",
    "practice": "services",
    "bookings": "bookings",
}


class Entity(Strict):
    id: EntityId
    name: str = Field(min_length=1)
    kind: Literal[
        "bookings", "charter", "logistics", "real_estate", "services", "software", "other"
    ]
    # what the venture sells one of; default by kind (charter, hauling job, billable hour)
    unit: str | None = None
    repos: list[str] = []
    # its website's HTML (static, or a built dist/): a path in the workspace or in one of its repos
    sites: list[str] = []
    stack: list[str] = []
    assets: list[Asset] = []
    domains: list[str] = []
    property: Property | None = None
    fleet: Fleet | None = None
    practice: Practice | None = None
    bookings: Bookings | None = None
    # other names the venture goes by as a counterparty in the ledgers: its charges to and from
    # the other ventures are eliminated in the consolidated statements
    aliases: list[str] = []

    @field_validator("id")
    @classmethod
    def not_reserved(cls, value: str) -> str:
        if value in RESERVED_IDS:
            raise ValueError(
                f"{value!r} names a part of the pack's own figures: choose another entity id"
            )
        return value

    @model_validator(mode="after")
    def venture_matches_kind(self) -> Entity:
        for table, kind in VENTURE_KINDS.items():
            if getattr(self, table) is not None and self.kind != kind:
                raise ValueError(
                    f"[entities.{table}] is for an entity of kind = {kind!r}, and {self.id} is "
                    f"{self.kind!r}: remove the table or change the kind"
                )
        if self.bookings is not None and not self.bookable():
            raise ValueError(
                "bookings are for the venture's assets: add them, assets = [{ kind = \"vessel\","
                ' name = "Sea Lark" }] (a vessel, vehicle, property or equipment)'
            )
        if self.fleet is not None and not self.vehicles():
            raise ValueError(
                'a fleet needs its vehicles: add assets = [{ kind = "vehicle", name = "Truck 1" }]'
            )
        if self.practice is not None:
            folded = [c.casefold() for c in self.practice.clients]
            for dup in sorted({c for c in self.practice.clients if folded.count(c.casefold()) > 1}):
                raise ValueError(f"practice.clients lists {dup!r} twice")
        return self

    def vehicles(self) -> list[str]:
        return [a.name for a in self.assets if a.kind == "vehicle"]

    def has_report(self) -> bool:
        """Whether its operating data is configured, which gives it a venture report."""
        return any(getattr(self, table) is not None for table in VENTURE_KINDS)

    def bookable(self) -> list[str]:
        """What a booking can be for: its vessels, vehicles, properties and equipment."""
        return [a.name for a in self.assets if a.kind not in ("domain", "repository", "cloud")]


class LedgerColumns(Strict):
    """CSV header names for each ledger field."""

    date: str
    amount: str | None = None
    debit: str | None = None
    credit: str | None = None
    account: str | None = None
    counterparty: str | None = None
    memo: str | None = None
    entity: str | None = None
    currency: str | None = None
    service_start: str | None = None
    service_end: str | None = None
    fee: str | None = None  # a payments processor's fee: booked as its own expense row
    net: str | None = None  # ... and gross - fee must equal this
    quantity: str | None = None  # units sold on an income row (charters, hours); default 1 per row
    balance: str | None = None  # the bank's running balance after the row: every row is checked
    direction: str | None = None  # a column saying in or out ([sources.ledger.direction])
    # the cash account each row moved, in a file that holds several: each ties out on its own
    cash_account: str | None = None
    date_format: str = "%Y-%m-%d"

    @model_validator(mode="after")
    def one_amount_form(self) -> LedgerColumns:
        if (self.amount is None) == (self.debit is None and self.credit is None):
            raise ValueError('give either amount = "..." or both debit = "..." and credit = "..."')
        if self.amount is None and (self.debit is None or self.credit is None):
            raise ValueError("debit and credit go together: give both column names")
        if self.direction is not None and self.amount is None:
            raise ValueError(
                'direction goes with one amount column: give amount = "..." (its sign is taken from'
                " the direction column)"
            )
        if self.net is not None and self.fee is None:
            raise ValueError(
                'net needs fee: give fee = "..." too (gross - fee = net is checked on every row)'
            )
        return self

    def fields(self) -> dict[str, str]:
        """Ledger field -> CSV header, for the fields this file maps."""
        return {k: v for k, v in self.model_dump(exclude={"date_format"}).items() if v is not None}


POSITIONAL = re.compile(r"c[1-9][0-9]{0,2}")  # a column named by its position, header = false
# Named presets for common export shapes; anything given on the source overrides the preset.
PROFILES: dict[str, dict] = {
    # a bank export with one signed amount column
    "signed": {"columns": {"date": "Date", "amount": "Amount", "memo": "Description"}},
    # a bank export with money out and money in in separate columns
    "debit-credit": {
        "columns": {"date": "Date", "debit": "Debit", "credit": "Credit", "memo": "Description"}
    },
    # a bookkeeping "transaction detail by account" report: one row per posting, debits positive
    "transaction-detail": {
        "columns": {
            "date": "Date",
            "counterparty": "Name",
            "memo": "Memo/Description",
            "account": "Account",
            "amount": "Amount",
            "date_format": "%m/%d/%Y",
        },
        "sign": "inverted",
    },
    # a payments processor's balance history: gross, fee and net per charge (Stripe's column names)
    "processor-balance": {
        "columns": {
            "date": "Created (UTC)",
            "amount": "Amount",
            "fee": "Fee",
            "net": "Net",
            "currency": "Currency",
            "memo": "Description",
            "counterparty": "Type",
            "date_format": "%Y-%m-%d %H:%M",
        }
    },
}
# Beancount postings to these accounts are the cash itself: the other postings of a transaction
# become ledger rows, so the ledger's sum is still the change in cash.
CASH_ACCOUNTS = ["Assets:*Cash*", "Assets:*Checking*", "Assets:*Savings*", "Assets:*Bank*"]


class Direction(Strict):
    """The values of a direction column that mean money in, and money out (compared without case).
    """

    in_: list[str] = Field(alias="in", min_length=1)
    out: list[str] = Field(min_length=1)

    @model_validator(mode="after")
    def apart(self) -> Direction:
        both = {v.strip().casefold() for v in self.in_} & {v.strip().casefold() for v in self.out}
        if both:
            raise ValueError(f"{', '.join(sorted(both))}: in both in and out; keep it in one")
        return self


class StatementBalance(Strict):
    """A closing balance printed on the bank's statement, as beancount's `balance` directive: the
    balance at the end of `date`."""

    date: date
    balance: Money


class LedgerSource(Strict):
    path: str
    format: Literal["csv", "beancount"] = "csv"
    profile: Literal["signed", "debit-credit", "transaction-detail", "processor-balance"] | None = (
        None
    )
    name: str | None = None  # the bank account's name, shown in provenance
    # a credit card's statement: its balance is owed (a liability, `account`), not cash
    kind: Literal["bank", "credit_card"] = "bank"
    account: str | None = Field(default=None, pattern=r"^Liabilities:\S.*")
    entity: EntityId | None = None
    entity_column: str | None = None
    # beancount: Income:Acme:Sales, 2 -> acme
    entity_account_component: int | None = Field(default=None, ge=1, le=9)
    columns: LedgerColumns | None = None
    delimiter: str = Field(default=",", min_length=1, max_length=1)
    encoding: str = "utf-8"
    decimal: Literal[".", ","] = "."
    sign: Literal["normal", "inverted"] = "normal"  # inverted: money out is positive in the file
    currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")
    opening_balance: Money = Decimal("0.00")
    fee_account: str = Field(default="Expenses:Payment Processing", min_length=1)
    cash_accounts: list[str] = CASH_ACCOUNTS
    # beancount plugins to run besides beancount's own (beancount.plugins.*): installed modules, by
    # name
    plugins: list[str] = []
    on_error: Literal["fail", "skip"] = "fail"
    # the shape of a real export: a preamble, no header, rows to leave out, which sign means what
    skip_lines: int = Field(default=0, ge=0, le=1000)
    header: bool = True  # false: name columns by position, "c1", "c2", …
    skip_if: dict[str, list[str]] = {}  # a column's values (without case) whose rows are left out
    debit_sign: Literal["positive", "negative"] = "positive"  # how money out is written there
    fee_sign: Literal["positive", "negative"] = "positive"
    category_prefix: tuple[str, str] | None = None  # (money in, money out) for a bare category
    # a category as the file writes it (compared without case) -> the account of any kind it is:
    # "Transfer" -> "Assets:Savings", "Refund" -> "Expenses:Supplies"
    categories: dict[str, str] = {}
    # the account of a row that has no category and that no rule names, by its sign
    default_income: str | None = Field(default=None, min_length=1)
    default_expense: str | None = Field(default=None, min_length=1)
    direction: Direction | None = None
    # the bank statements' closing balances, here or in a CSV file in the workspace (date,balance)
    statement_balances: list[StatementBalance] | str = []

    @model_validator(mode="before")
    @classmethod
    def apply_profile(cls, data):
        """The profile's settings, then the source's own on top (columns key by key)."""
        if not isinstance(data, dict) or data.get("profile") not in PROFILES:
            return data
        preset = PROFILES[data["profile"]]
        merged = {**{k: v for k, v in preset.items() if k != "columns"}, **data}
        merged["columns"] = {**preset["columns"], **(data.get("columns") or {})}
        return merged

    @field_validator("encoding")
    @classmethod
    def known_encoding(cls, value: str) -> str:
        """Python's own name for it ("UTF8" -> "utf-8"), so one spelling means one thing everywhere;
        a codec that is not a character encoding (rot13, base64, zlib) is refused."""
        try:
            codec = codecs.lookup(value)
        except LookupError:
            raise ValueError(
                f"unknown encoding {value!r}: use e.g. utf-8, utf-8-sig, cp1252, latin-1, utf-16"
            ) from None
        if not getattr(codec, "_is_text_encoding", True):
            raise ValueError(
                f"{value!r} is a transform of text or bytes, not a character encoding: use e.g. "
                "utf-8, cp1252, latin-1"
            )
        return codec.name

    @field_validator("currency")
    @classmethod
    def known_currency(cls, value: str | None) -> str | None:
        return value if value is None else iso_currency(value)

    @property
    def card_account(self) -> str | None:
        """A credit card's liability account (None for a bank account): `account`, else
        Liabilities:Credit Card and the source's name."""
        if self.kind != "credit_card":
            return None
        return self.account or ":".join(["Liabilities:Credit Card", *filter(None, [self.name])])

    @model_validator(mode="after")
    def shape_complete(self) -> LedgerSource:
        if self.account is not None and self.kind != "credit_card":
            raise ValueError(
                'account names a credit card\'s liability: give kind = "credit_card" too, or'
                " remove account"
            )
        if self.format == "beancount":
            if self.kind == "credit_card":
                raise ValueError(
                    'kind = "credit_card" is for a card\'s CSV export: a beancount ledger books'
                    " its cards as Liabilities accounts already"
                )
            if self.statement_balances:
                raise ValueError(
                    "statement_balances are for CSV exports: in a beancount ledger write a balance"
                    " directive (2026-10-31 balance Assets:Bank:Checking 1234.56 USD), which"
                    " beancount checks"
                )
            if self.columns is not None or self.entity_column is not None:
                raise ValueError(
                    "a beancount source has no columns: remove columns / entity_column"
                )
            if not self.encoding.startswith("utf-8"):
                raise ValueError(
                    "beancount reads UTF-8 only: convert the file (iconv -f ... -t utf-8) and"
                    " remove encoding"
                )
            if (self.entity is None) == (self.entity_account_component is None):
                raise ValueError(
                    'give either entity = "<id>" (the whole file) or entity_account_component = N '
                    "(the Nth part of each account names the entity)"
                )
            return self
        if self.columns is None:
            raise ValueError(
                f'give columns = {{ date = "...", amount = "..." }} or a profile '
                f"(one of {', '.join(PROFILES)})"
            )
        if self.plugins:
            raise ValueError(
                "plugins are for beancount sources: remove plugins from this CSV source"
            )
        if self.entity_account_component is not None:
            raise ValueError(
                "entity_account_component is for beancount sources; a CSV uses entity or"
                " entity_column"
            )
        if (self.columns.direction is None) != (self.direction is None):
            raise ValueError(
                "a direction column and [sources.ledger.direction] go together: give columns."
                'direction = "<header>" and direction = { in = ["CR"], out = ["DR"] }'
            )
        if self.columns.cash_account and (
            self.statement_balances
            or "opening_balance" in self.model_fields_set
            or self.kind == "credit_card"
        ):
            raise ValueError(
                "columns.cash_account: the file holds several accounts, each with its own balance"
                " column figures; opening_balance, statement_balances and kind = \"credit_card\""
                " are for a file of one account: give each account its own source for those"
            )
        if self.statement_balances and self.entity is None:
            raise ValueError(
                "statement_balances belong to one bank account: give the source entity ="
                ' "<id>", not a per-row entity column'
            )
        if not self.header:
            named = [v for v in self.columns.fields().values() if not POSITIONAL.fullmatch(v)]
            named += [
                c for c in (self.entity_column, *self.skip_if) if c and not POSITIONAL.fullmatch(c)
            ]
            if named:
                raise ValueError(
                    f"header = false: the file has no column names, so name columns by position"
                    f' ("c1" is the first); not {", ".join(map(repr, named))}'
                )
        per_row = self.entity_column or self.columns.entity
        if (self.entity is None) == (per_row is None):
            raise ValueError(
                'give either entity = "<id>" (the whole file) or entity_column = "<header>" (per'
                " row)"
            )
        return self


class NotesSource(Strict):
    paths: list[str] = ["notes/*.md"]
    # it may fail to read: its sections say what is missing, and the pack still goes
    optional: bool = False


class TasksSource(Strict):
    """Task-board exports: GitHub Issues JSON, Trello board JSON, Jira CSV or a plain CSV."""

    paths: list[str] = Field(min_length=1)  # globs in the workspace
    format: Literal["auto", "github", "trello", "jira", "csv"] = "auto"
    entity: EntityId | None = None  # the venture of items that do not name one
    owners: dict[str, str] = {}  # a board's user name -> a role (lee -> cto)
    optional: bool = False

    @field_validator("owners")
    @classmethod
    def owners_are_roles(cls, value: dict[str, str]) -> dict[str, str]:
        for user, role in value.items():
            if role not in ROLE_IDS:
                raise ValueError(
                    f"{user} = {role!r} is not a role: a board's user is mapped to one of "
                    f"{', '.join(ROLE_IDS)}"
                )
        return value


class ChannelsSource(Strict):
    path: str
    # it may fail to read: its sections say what is missing, and the pack still goes
    optional: bool = False


class GitSource(Strict):
    """How the repositories listed on entities (`repos = [...]`) are audited."""

    # a detect-secrets baseline: secrets it lists are acknowledged, not reported
    baseline: str | None = None
    max_file_bytes: int = Field(default=1_000_000, gt=0)  # larger files are skipped (and counted)
    # it may fail to read: its sections say what is missing, and the pack still goes
    optional: bool = False


class OsvSource(Strict):
    """An offline OSV database: a folder or zip of OSV JSON records the owner keeps up to date."""

    path: str = Field(min_length=1)
    optional: bool = False


REGION = re.compile(r"[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d")


class AwsSource(Strict):
    """The AWS account, read with read-only calls through the standard credential chain."""

    regions: list[str] = Field(min_length=1)
    entity_tag: str = Field(default="entity", min_length=1)  # resources map to entities by this tag
    cost_months: int = Field(default=12, ge=1, le=14)  # Cost Explorer keeps 14 months
    # it may fail to read: its sections say what is missing, and the pack still goes
    optional: bool = False

    @field_validator("regions")
    @classmethod
    def region_codes(cls, value: list[str]) -> list[str]:
        for region in value:
            if not REGION.fullmatch(region):
                raise ValueError(
                    f"{region!r} is not an AWS region code: write it as AWS does, e.g. us-west-2"
                )
        return value


EVENT_FIELDS = ("date", "type", "entity", "count")
# a ledger row as a live source gives it: money in positive, out negative
LEDGER_FIELDS = (
    "date", "amount", "account", "counterparty", "memo", "entity", "currency", "fee", "net"
)  # fmt: skip
# the records a live source's items become: a shape's fields, each read from an item's attribute
LIVE_SHAPES = {"bookings": BOOKING_FIELDS, "events": EVENT_FIELDS, "ledger": LEDGER_FIELDS}
AGE = re.compile(r"([0-9]{1,4})([mhd])")
AGE_UNITS = {"m": "minutes", "h": "hours", "d": "days"}


class LiveSource(Strict):
    """What every live source shares: its name, whether a pack may go without it, how old its
    snapshot may grow before `check` says so, and how long one pull may take."""

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,39}$")
    optional: bool = False
    max_age: str | None = None  # "90m", "36h", "7d"
    timeout_seconds: int = Field(default=300, ge=1, le=3600)

    @field_validator("max_age")
    @classmethod
    def an_age(cls, value: str | None) -> str | None:
        if value is not None and not AGE.fullmatch(value):
            raise ValueError(
                f"= {value!r}: write an age as minutes, hours or days: \"90m\", \"36h\", \"7d\""
            )
        return value

    def records(self) -> str:
        """What its rows become: "bookings", "events", "ledger", "signals", or by query."""
        raise NotImplementedError

    def oldest(self) -> timedelta | None:
        """The age past which its snapshot is old."""
        if self.max_age is None:
            return None
        count, unit = AGE.fullmatch(self.max_age).groups()  # type: ignore[union-attr]
        return timedelta(**{AGE_UNITS[unit]: int(count)})


class DynamoKey(Strict):
    """The partition key a Query reads: its attribute and the value of this source's items."""

    name: str = Field(min_length=1)
    value: str | int


class DynamoDBSource(LiveSource):
    """A business's own DynamoDB table, read only: a Query on `key` (with `period_attribute` its
    sort key), else a Scan; either way the items whose `period_attribute` (an ISO date or
    timestamp) falls in the window read, and that match every `filter` attribute."""

    table: str = Field(pattern=r"^[A-Za-z0-9_.-]{3,255}$")
    region: str | None = None
    key: DynamoKey | None = None
    period_attribute: str = Field(min_length=1)
    filter: dict[str, str | int | bool] = {}
    shape: Literal["bookings", "events", "ledger"]
    entity: EntityId | None = None  # whose records they are (events: else their entity column)
    # a shape's field -> the item's attribute for it; a field not named is an attribute of its name
    columns: dict[str, str] = {}
    capacity_share: float = Field(default=0.25, gt=0, le=1)  # of the table's read capacity
    page_size: int | None = Field(default=None, ge=1, le=100_000)  # items a call (default: 1 MB)
    attempts: int = Field(default=8, ge=1, le=20)  # tries of a throttled or failed call
    consistent_read: bool = False
    history_months: int = Field(default=12, ge=0, le=60)  # read before the period, as well

    @model_validator(mode="after")
    def fields_of_its_shape(self) -> DynamoDBSource:
        fields = LIVE_SHAPES[self.shape]
        for name in self.columns:
            if name not in fields:
                raise SettingError(
                    ("columns", name),
                    f"is not a field of the {self.shape} shape; its fields: {', '.join(fields)}",
                )
        if self.shape == "bookings" and self.entity is None:
            raise SettingError(
                ("entity",), "bookings are one venture's: name it, entity = \"<venture id>\""
            )
        if self.region is not None and not REGION.fullmatch(self.region):
            raise SettingError(("region",), f"{self.region!r} is not an AWS region code")
        return self

    def attribute(self, field: str) -> str:
        return self.columns.get(field, field)

    def records(self) -> str:
        return self.shape


class S3LogsSource(LiveSource):
    """Event logs under an S3 prefix, partitioned by date: the days of the period and the one
    before listed by their prefixes (never the whole bucket), read into DuckDB as the view `logs`,
    and counted by `query` — one SELECT giving the events' fields: date, type, entity, count."""

    uri: str = Field(pattern=r"^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/.*)?$")
    region: str | None = None
    format: Literal["jsonl", "csv"] = "jsonl"
    # a day's folder under the prefix: {date} (2026-10-05), or {year}, {month}, {day}
    partition: str = "dt={date}/"
    query: str = Field(min_length=1)
    max_objects: int = Field(default=10_000, ge=1, le=1_000_000)

    def records(self) -> str:
        return "events"

    @field_validator("partition")
    @classmethod
    def a_day(cls, value: str) -> str:
        if "{date}" not in value and not all(f"{{{p}}}" in value for p in ("year", "month", "day")):
            raise ValueError(
                f"= {value!r}: say where the day is: {{date}} (\"dt={{date}}/\"), or {{year}},"
                " {month} and {day} (\"{year}/{month}/{day}/\")"
            )
        return value


def secret_refused(what: str, instead: str) -> Callable[[str | None], None]:
    """A key where a secret would be written: refused, saying where the secret goes instead."""

    def refused(value: str | None) -> None:
        if value is not None:
            raise ValueError(
                f"{what}: never write it in boardpack.toml; put it in an environment variable"
                f" (or .env) and name that: {instead}"
            )

    return refused


class SqlQuery(Strict):
    """A named query whose result's columns are a shape's fields (`AS date`, `AS amount`…);
    `:first` and `:last` stand for the window's first and last day."""

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,39}$")
    shape: Literal["ledger", "events", "bookings"]
    sql: str = Field(min_length=1)
    entity: EntityId | None = None  # whose rows they are, where the result has no entity column


class SqlSource(LiveSource):
    """A read-only SQL database — PostgreSQL, or a SQLite file — its connection URL in the
    environment variable `url_env` (never here: it holds a password)."""

    url_env: str = Field(pattern=r"^[A-Z_][A-Z0-9_]{0,63}$")
    queries: list[SqlQuery] = Field(min_length=1)
    history_months: int = Field(default=12, ge=0, le=60)
    # refused: named so that its message can say where the URL goes
    url: Annotated[
        str | None,
        AfterValidator(secret_refused("a connection URL holds a password", 'url_env = "DB_URL"')),
    ] = None

    def records(self) -> str:
        return "queries"


# a balance transaction's type -> its account, unless [sources.stripe] accounts says otherwise
STRIPE_ACCOUNTS = {
    "charge": "Income:Sales",
    "payment": "Income:Sales",
    "refund": "Income:Sales",
    "payment_refund": "Income:Sales",
    "payout": "Assets:Bank",
    "dispute": "Expenses:Disputes",
    "stripe_fee": "Expenses:Payment Processing",
}


class StripeSource(LiveSource):
    """The payment processor's account through its API: the window's balance transactions as
    ledger rows (gross, its fee, its net), each type's account by `accounts`."""

    name: str = Field(default="stripe", pattern=r"^[a-z0-9][a-z0-9_-]{0,39}$")
    key_env: str = Field(default="STRIPE_API_KEY", pattern=r"^[A-Z_][A-Z0-9_]{0,63}$")
    account_entity: EntityId
    accounts: dict[str, str] = {}  # type -> account, over STRIPE_ACCOUNTS
    history_months: int = Field(default=12, ge=0, le=60)
    page_size: int = Field(default=100, ge=1, le=100)
    # refused: named so that its message can say where the key goes
    key: Annotated[
        str | None,
        AfterValidator(secret_refused("an API key is a secret", 'key_env = "STRIPE_API_KEY"')),
    ] = None

    def records(self) -> str:
        return "ledger"

    def account(self, kind: str) -> str:
        """A balance transaction type's account; "" for a type neither maps (uncategorized)."""
        return (STRIPE_ACCOUNTS | self.accounts).get(kind, "")


STAT = re.compile(r"SampleCount|Average|Sum|Minimum|Maximum|p[0-9]{1,2}(\.[0-9]{1,2})?")


class CloudWatchMetric(Strict):
    """One CloudWatch metric, its statistic over the whole period, and the target it is held to:
    `technology.<source>.<id>` in the CTO report."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_]{0,39}$")
    label: str | None = Field(default=None, min_length=1)
    namespace: str = Field(min_length=1)
    metric: str = Field(min_length=1)
    dimensions: dict[str, str] = {}
    stat: str = "Average"
    unit: str = ""  # as the report shows it ("ms", "%")
    target: Decimal | None = None
    direction: Literal["at_most", "at_least"] = "at_most"  # an error rate, a latency: at most

    @field_validator("stat")
    @classmethod
    def a_statistic(cls, value: str) -> str:
        if not STAT.fullmatch(value):
            raise ValueError(
                f"= {value!r}: one of SampleCount, Average, Sum, Minimum, Maximum, or a percentile"
                " such as p95"
            )
        return value


class CloudWatchSource(LiveSource):
    """Named CloudWatch metrics over the reporting period and the one before (GetMetricData)."""

    region: str | None = None
    metrics: list[CloudWatchMetric] = Field(min_length=1)

    def records(self) -> str:
        return "signals"

    @model_validator(mode="after")
    def ids_once(self) -> CloudWatchSource:
        ids = [m.id for m in self.metrics]
        for again, id_ in enumerate(ids):
            if ids.index(id_) < again:
                raise SettingError(("metrics", again, "id"), f"= {id_!r} is given twice")
        if self.region is not None and not REGION.fullmatch(self.region):
            raise SettingError(("region",), f"{self.region!r} is not an AWS region code")
        return self


class RatesSource(Strict):
    """Exchange rates: a CSV `date,currency,rate`; one unit of `currency` is worth `rate` units of
    the organization's currency from `date` until the next row for that currency."""

    path: str = Field(min_length=1)


class RulesFile(Strict):
    """Categorization rules kept apart from the settings: a CSV `pattern,account[,field]`, read
    after [[rules]]."""

    path: str = Field(min_length=1)


class BudgetSource(Strict):
    """A budget CSV: `period,entity,account,amount`, a period as YYYY-MM, YYYY-Qn or YYYY (a quarter
    or a year spread evenly over its months), an account covering the accounts below it."""

    path: str


class Sources(Strict):
    ledger: list[LedgerSource] = []
    budget: BudgetSource | None = None
    rates: RatesSource | None = None
    rules: RulesFile | None = None
    notes: NotesSource | None = None
    channels: ChannelsSource | None = None
    tasks: TasksSource | None = None
    git: GitSource | None = None
    osv: OsvSource | None = None
    aws: AwsSource | None = None
    dynamodb: list[DynamoDBSource] = []
    cloudwatch: list[CloudWatchSource] = []
    s3_logs: list[S3LogsSource] = []
    sql: list[SqlSource] = []
    stripe: StripeSource | None = None

    def live(self) -> list[LiveSource]:
        """The live sources, pulled once a period into a snapshot."""
        return [
            *self.dynamodb,
            *self.cloudwatch,
            *self.s3_logs,
            *self.sql,
            *([self.stripe] if self.stripe else []),
        ]


class CategoryRule(Strict):
    """Rows without an account whose memo or counterparty matches `pattern` get `account`; with
    `override`, rows that have one too (a bank's category that is a transfer, not an expense)."""

    pattern: str
    account: str = Field(min_length=1)
    field: Literal["memo", "counterparty", "any"] = "any"
    override: bool = False


class MarketingList(Strict):
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    entity: EntityId
    size: int = Field(ge=0)
    deliverability: Rate
    open: Rate
    click: Rate
    conversion: Rate
    average_order_value: Money = Field(ge=0)
    cost: Money = Field(ge=0)


class ListingPlatform(Strict):
    """A listing platform (an OTA) a venture could sell through, and what it would cost to be on it.
    """

    name: str = Field(min_length=1)
    entity: EntityId
    commission_percent: Percent  # of each booking's value
    monthly_fee: Money = Field(default=Decimal("0.00"), ge=0)
    booking_fee: Money = Field(default=Decimal("0.00"), ge=0)  # fixed, per booking
    setup_hours: Decimal = Field(gt=0)  # effort to list: photos, calendar sync, policies
    monthly_bookings: Decimal = Field(ge=0)  # expected once listed
    # default: the venture's own, from channels
    average_booking_value: Money | None = Field(default=None, gt=0)


class ChannelSpend(Strict):
    """Where the ledger books what a channel costs: its accounts (globs), and the payee when one
    account holds several channels' ("Expenses:Advertising" paid to "Google Ads")."""

    accounts: list[str] = Field(min_length=1)
    payee: str | None = Field(default=None, min_length=1)

    @field_validator("accounts")
    @classmethod
    def expenses(cls, value: list[str]) -> list[str]:
        for pattern in value:
            if not pattern.startswith("Expenses:"):
                raise ValueError(
                    f"{pattern!r}: a channel's spend is booked to an expense account; write one"
                    ' under Expenses:, e.g. "Expenses:Advertising" or "Expenses:Marketing:*"'
                )
        return value


class Marketing(Strict):
    lists: list[MarketingList] = []
    platforms: list[ListingPlatform] = []
    active_visits: int = Field(default=200, ge=1)  # monthly visits at or above: channel active
    weak_visits: int = Field(default=1, ge=1)  # at or above (but below active): weak; below: absent
    # channel -> where the ledger books its spend; the ledger's figure replaces the channels file's
    spend_accounts: dict[str, ChannelSpend] = {}


class Kpi(Strict):
    id: str = Field(pattern=r"^[a-z0-9_.-]+$")
    label: str
    target: Decimal
    direction: Literal["at_least", "at_most"] = "at_least"
    unit: str = ""


class DecisionRule(Strict):
    id: str = Field(pattern=r"^[a-z0-9_.-]+$")
    label: str
    metric: str
    op: Literal[">=", ">", "<=", "<"]
    value: Decimal


class Initiative(Strict):
    """A candidate use of cash: what it costs now and what it should return each month once ramped.
    """

    id: str = Field(pattern=r"^[a-z0-9_.-]+$")
    name: str = Field(min_length=1)
    entity: EntityId | None = None
    cost: Money = Field(gt=0)
    monthly_return: Money  # net cash a month at full speed
    ramp_months: int = Field(default=0, ge=0, le=60)  # months to reach it, linearly
    risk: Literal["low", "medium", "high"] = "medium"  # adds 0, 5 or 10 points to the discount rate


class VarianceThreshold(Strict):
    """A variance is material when it is at least `amount` and at least `percent` of the budget."""

    amount: Money = Field(default=Decimal("500.00"), ge=0)
    percent: Decimal = Field(default=Decimal(10), ge=0, le=1000)


class Scenario(Strict):
    """A cash forecast scenario: every forecast receipt and payment moved by these percentages."""

    receipts: Decimal = Field(default=Decimal(0), ge=-100, le=100)
    payments: Decimal = Field(default=Decimal(0), ge=-100, le=100)


class Scenarios(Strict):
    base: Scenario = Scenario()
    downside: Scenario = Scenario(receipts=Decimal(-20), payments=Decimal(5))
    upside: Scenario = Scenario(receipts=Decimal(10))

    @model_validator(mode="after")
    def ordered(self) -> Scenarios:
        if not (
            self.downside.receipts <= self.base.receipts <= self.upside.receipts
            and self.downside.payments >= self.base.payments >= self.upside.payments
        ):
            raise ValueError(
                "the downside must take in no more and pay out no less than the base, and the"
                " upside no less and no more: order receipts downside <= base <= upside and"
                " payments downside >= base >= upside"
            )
        return self


class ForecastSettings(Strict):
    """Where a venture's budget has income for a forecast month, which gives its receipts: the
    trend (last year's month scaled), the budget, or the lower of the two (prudent: the default)."""

    receipts: Literal["trend", "budget", "lower"] = "lower"


class Finance(Strict):
    variable_cost_accounts: list[str] = []  # glob patterns; every other expense is fixed
    variance_threshold: VarianceThreshold = VarianceThreshold()
    revenue_goal: Money | None = None  # monthly revenue to reach ...
    net_income_goal: Money | None = None  # ... and monthly net income ...
    # ... by this month
    goal_month: str | None = Field(default=None, pattern=r"^\d{4}-(0[1-9]|1[0-2])$")
    runway_warning_months: Decimal = Decimal(6)
    # same payee and amount this close: a duplicate?
    duplicate_window_days: int = Field(default=7, ge=0, le=90)
    discount_rate: Rate = Decimal("0.10")  # yearly hurdle rate for initiatives
    # how long an initiative's returns are counted
    horizon_months: int = Field(default=36, ge=1, le=240)
    # cash kept back: this many months of gross burn
    reserve_months: Decimal = Field(default=Decimal(6), ge=0)
    initiatives: list[Initiative] = []
    rules: list[DecisionRule] = []
    scenarios: Scenarios = Scenarios()  # the cash forecast's base, downside and upside
    forecast: ForecastSettings = ForecastSettings()

    @model_validator(mode="after")
    def goal_complete(self) -> Finance:
        if (self.revenue_goal is None and self.net_income_goal is None) != (
            self.goal_month is None
        ):
            raise ValueError(
                "goal_month goes with revenue_goal or net_income_goal: give both or neither"
            )
        return self


class ChartAccount(Strict):
    """One line of the chart of accounts; it covers the account and every account below it."""

    account: str = Field(pattern=r"^(Income|Expenses|Assets|Liabilities|Equity)(:[^:\s][^:]*)*$")
    cost: Literal["fixed", "variable"] | None = None  # expenses only
    tax_line: str = ""
    kinds: list[str] = []  # entity kinds it applies to; empty: every entity


class Links(Strict):
    """Where a report sends its reader: the report in the owner's archive, and per finding area
    (security, finance, ...) the page on how to act on it. https only."""

    archive: str | None = None  # "https://reports.example.com/{period}/{report}"
    findings: dict[str, str] = {}  # area -> link

    @field_validator("archive")
    @classmethod
    def archive_template(cls, value: str | None) -> str | None:
        return None if value is None else links.checked_template(value)

    @field_validator("findings")
    @classmethod
    def finding_links(cls, value: dict[str, str]) -> dict[str, str]:
        return {area: links.checked(url) for area, url in value.items()}


class CustomReport(Strict):
    """A report of the workspace's own: any registered sections, in this order. For a role's own
    report (`[reports.ceo]`) each key is optional and replaces that part of the built-in one."""

    title: str | None = Field(default=None, min_length=1)
    sections: list[str] | None = Field(default=None, min_length=1)
    # the agenda's items; the rest in an appendix
    agenda_size: int = Field(default=10, ge=1, le=100)
    # the email's length budget in phone screens (390 x 844 px) before its "full report" line;
    # by default 3 for the CEO and a report of your own, 6 for the other roles, 4 for a venture's
    screens: int | None = None
    # how its money reads: "cents" by default for the CFO and Accounting, "units" for the others
    precision: Literal["units", "thousands", "cents"] | None = None
    # the CTO's: the ledger's technology accounts (globs), read for what technology costs
    cost_accounts: list[str] | None = Field(default=None, min_length=1)

    @field_validator("screens")
    @classmethod
    def phone_screens(cls, value: int | None) -> int | None:
        if value is not None and not 1 <= value <= MAX_SCREENS:
            raise ValueError(
                f"= {value}: a report's email is between 1 and {MAX_SCREENS} phone screens long"
                " (a screen is 844 px at 390 px wide); choose a number in that range"
            )
        return value


class Role(Strict):
    to: list[Mailbox] = []
    cc: list[Mailbox] = []
    # the order under a short sending quota: lower first; reports without one follow, CEO first
    priority: int | None = Field(default=None, ge=1, le=1000)
    slack: bool = False  # a summary card to the Slack webhook the environment names
    teams: bool = False  # and to Microsoft Teams'

    @field_validator("slack", "teams", mode="before")
    @classmethod
    def no_url_here(cls, value, info):
        if isinstance(value, str) and "://" in value:
            raise ValueError(
                f"a webhook URL is a secret and does not belong in boardpack.toml: write"
                f" {info.field_name} = true, and set BOARDPACK_{info.field_name.upper()}_WEBHOOK"
                " (or ..._WEBHOOK_<REPORT>) in the environment"
            )
        return value

    @model_validator(mode="after")
    def has_recipients(self) -> Role:
        if not self.to and not (self.slack or self.teams):
            raise ValueError(
                'this role has no recipients: add to = ["name@example.com"] (or slack = true,'
                " teams = true) or remove the table"
            )
        return self


class SesSettings(Strict):
    region: str | None = None  # default: AWS_REGION / the credential chain's region
    configuration_set: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_-]{1,64}$")
    # recipients/s; default: the account's own rate
    max_send_rate: float | None = Field(default=None, gt=0)


class SmtpSettings(Strict):
    host: str = Field(min_length=1)
    # default: 25, 587 (starttls) or 465 (ssl)
    port: int | None = Field(default=None, ge=1, le=65535)
    security: Literal["none", "starttls", "ssl"] = "starttls"
    ca_file: str | None = None  # a private CA to trust, besides the system's
    timeout: float = Field(default=60, gt=0)
    max_send_rate: float | None = Field(default=None, gt=0)


class Delivery(Strict):
    transport: Literal["outbox", "smtp", "ses"] = "outbox"
    from_: Mailbox | None = Field(default=None, alias="from")
    bcc: list[Mailbox] = []
    outbox: str = "outbox"
    subject_prefix: str = Field(default="", max_length=100)
    xlsx: bool = False  # attach each report's tables as an XLSX workbook
    # the only domains mail may go to (none: any); an address elsewhere stops the send
    allowed_domains: list[Annotated[str, Field(pattern=r"^[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")]] = []
    # each recipient gets a message of their own, so nobody sees the others' addresses
    separate: bool = False
    concurrency: int = Field(default=8, ge=1, le=64)
    # tries for a retryable failure (throttling, 4xx)
    max_attempts: int = Field(default=5, ge=1, le=20)
    # seconds before the first retry; doubled each time
    retry_delay: float = Field(default=1.0, ge=0, le=300)
    ses: SesSettings = SesSettings()
    smtp: SmtpSettings | None = None

    @model_validator(mode="after")
    def transport_configured(self) -> Delivery:
        if self.transport == "smtp" and self.smtp is None:
            raise ValueError(
                'transport = "smtp" needs a [delivery.smtp] table with at least host = "..."'
            )
        return self

    @field_validator("subject_prefix")
    @classmethod
    def one_line(cls, value: str) -> str:
        if bad := control_characters(value):
            raise ValueError(
                f"{value!r} holds {', '.join(dict.fromkeys(bad))} (a line break would start another"
                " header): write the prefix on one line, without control characters"
            )
        return value


class HoldOn(Strict):
    """What holds a pack for approval; with none of these set, every pack is held."""

    stale_source: bool = False  # a source whose newest record is older than it should be
    uncategorized_above: int | None = Field(default=None, ge=0)  # ledger rows without an account
    failed_analysis: bool = False  # a section could not be worked out
    untied_balance: bool = False  # the books do not tie out to the bank's own balance
    severity: Literal["critical", "high", "medium", "low"] | None = None  # a finding this bad


class Approval(Strict):
    """Hold each pack until an approver says send (`boardpack approve`) or drop (`reject`)."""

    approvers: list[Mailbox] = Field(min_length=1)  # sent the draft of every held message
    window: str = Field(default="48h", pattern=r"^[1-9]\d{0,3}[hd]$")  # 48h, 3d
    auto_release: bool = False  # after the window: send (true), or alert and keep holding
    hold_on: HoldOn | None = None  # None: every pack is held

    @property
    def window_delta(self) -> timedelta:
        number, unit = int(self.window[:-1]), self.window[-1]
        return timedelta(hours=number) if unit == "h" else timedelta(days=number)


class Alerts(Strict):
    sns_topic_arn: str | None = Field(
        default=None, pattern=r"^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]+$"
    )
    email: Mailbox | None = None
    # may also come from BOARDPACK_ALERT_WEBHOOK
    webhook: str | None = Field(default=None, pattern=r"^https?://[^\s]+$")
    region: str | None = None


class Audit(Strict):
    store: Literal["sqlite", "dynamodb"] = "sqlite"
    table: str = Field(default="boardpack-audit", pattern=r"^[A-Za-z0-9_.-]{3,255}$")
    region: str | None = None
    # several workspaces sharing one table
    scope: str = Field(default="", pattern=r"^[A-Za-z0-9_.-]{0,128}$")


class Schedule(Strict):
    """When the pack runs, in the organization's time zone: a cron expression, or the Nth business
    day after each period closes (weekends and `holidays` skipped) at `at`."""

    cron: str | None = None
    business_day: int | None = Field(default=None, ge=1)
    at: time = time(6, 0)  # business_day only
    holidays: list[date] = []
    # on AWS: how late EventBridge may fire
    flexible_window_minutes: int = Field(default=15, ge=0, le=1440)

    @field_validator("cron")
    @classmethod
    def cron_fires(cls, value: str | None) -> str | None:
        from boardpack.cron import cron_problem

        if value is not None and (problem := cron_problem(value)):
            raise ValueError(f"= {problem}")
        return value

    @model_validator(mode="after")
    def one_trigger(self) -> Schedule:
        if self.cron is not None and self.business_day is not None:
            raise ValueError("give cron or business_day, not both")
        return self


class Branding(Strict):
    """The workspace's look: its logo, accent colour and footer, and its own templates."""

    # PNG, JPEG or GIF; embedded in each email (a cid: part) and PDF, never linked
    logo: str | None = None
    accent: str = Field(default="#1d4ed8", pattern=r"^#[0-9a-fA-F]{6}$")
    footer: str = Field(default="", max_length=500)
    # a folder whose report.html.j2 replaces (or extends) the built-in one
    templates: str | None = None


class Archive(Strict):
    # keep a PDF of each report sent, in .boardpack/archive/<period>/<run>/ (needs Pango)
    pdf: bool = False
    attach_pdf: bool = False  # and attach it to the email


NOT_IN_KEYS = re.compile(r"[^a-z0-9_.-]+")


class WatchRule(Strict):
    """An alert between packs: `boardpack watch` (daily) compares the metric, as the books stand
    that day, with `value`; it fires once when it first crosses, and again only after it has been
    back for `recover_after` evaluations."""

    id: str | None = Field(default=None, pattern=r"^[a-z0-9_.-]{1,64}$")
    metric: str = Field(min_length=1)
    op: Literal["<", "<=", ">", ">=", "==", "!="]
    value: Decimal
    severity: Literal["critical", "high", "medium", "low"] = "high"
    recipients: list[Mailbox] = Field(min_length=1)
    recover_after: int = Field(default=1, ge=1, le=100)

    @property
    def key(self) -> str:
        """Its name in the audit store: `id`, or what it says."""
        return self.id or NOT_IN_KEYS.sub("-", f"{self.metric}{self.op}{self.value}".lower())


class Signing(Strict):
    """Sign every message: S/MIME with BOARDPACK_SMIME_CERT and BOARDPACK_SMIME_KEY (PEM files
    outside the workspace), or PGP/MIME with the gpg key BOARDPACK_PGP_KEY names."""

    method: Literal["smime", "pgp"]


class Recipients(Strict):
    """Recipients kept in a table, read at send time: `csv:<path in the workspace>` (columns
    report,to,cc,active) or `dynamodb:<table>`."""

    source: str = Field(pattern=r"^(csv:[^\s].*|dynamodb:[A-Za-z0-9_.-]{3,255})$")


class Retention(Strict):
    """Months to keep what boardpack writes, counted from the end of the period it is for (a
    transition: from when it happened); none given: kept for ever. `boardpack prune` applies it."""

    pdfs: int | None = Field(default=None, ge=1, le=1200)  # .boardpack/archive/<period>/
    dry_runs: int | None = Field(default=None, ge=1, le=1200)  # .boardpack/dry-run/<period>/
    previews: int | None = Field(default=None, ge=1, le=1200)  # reports/<period>/ from `build`
    transitions: int | None = Field(default=None, ge=1, le=1200)  # the audit trail's history rows


OWNED_OR_OWED = re.compile(r"(Assets|Liabilities):\S.*")
# what an account of the balance sheet is, under the part of the chart it belongs to
ACCOUNT_KINDS = {
    "Assets": ("cash", "receivable", "fixed_asset"),
    "Liabilities": ("payable", "deferred_revenue", "loan"),
    "Equity": ("equity", "owner", "opening"),
}
AccountType = Literal[
    "cash",
    "receivable",
    "payable",
    "deferred_revenue",
    "loan",
    "fixed_asset",
    "equity",
    "owner",
    "opening",
]


class AccountSpec(Strict):
    """What one account is (`[accounts]`): its type, and for a deferred-revenue account the income
    account it is earned into."""

    type: AccountType
    earned_into: str | None = Field(default=None, pattern=r"^Income:\S.*")


def typed_account(account: str, spec: str | dict | AccountSpec) -> AccountSpec:
    """An `[accounts]` entry (or a beancount `open` directive's metadata) as an AccountSpec, its
    type one its part of the chart can have; else a SettingError that says which types it can."""
    if not isinstance(spec, AccountSpec):
        spec = AccountSpec.model_validate({"type": spec} if isinstance(spec, str) else spec)
    kinds = ACCOUNT_KINDS.get(account.split(":", 1)[0], ()) if ":" in account else ()
    if spec.type not in kinds:
        under = next(top for top, types in ACCOUNT_KINDS.items() if spec.type in types)
        raise SettingError(
            ("accounts", account),
            f"= {spec.type!r} is a type of an account under {under}:…; "
            + (
                f"an account under {account.split(':')[0]}:… is one of: {', '.join(kinds)}"
                if kinds
                else "only Assets:…, Liabilities:… and Equity:… accounts take a type"
            ),
        )
    if spec.earned_into and spec.type != "deferred_revenue":
        raise SettingError(
            ("accounts", account, "earned_into"),
            'is for a deferred-revenue account: give type = "deferred_revenue" or remove'
            " earned_into",
        )
    return spec


class OpeningBalance(Strict):
    """An account's balance before the ledger's first row, as its statement shows it (a loan still
    owed, equipment owned): positive for what is owned and for what is owed. `date` is the day it
    was read."""

    date: date
    account: str
    amount: Money
    entity: EntityId | None = None

    @field_validator("account")
    @classmethod
    def owned_or_owed(cls, value: str) -> str:
        if not OWNED_OR_OWED.fullmatch(value):
            raise ValueError(
                f"{value!r}: an opening balance is for an Assets:… or Liabilities:… account (a"
                " bank account's is its ledger source's opening_balance)"
            )
        return value


class Settings(Strict):
    organization: Organization
    entities: list[Entity] = Field(min_length=1)
    sources: Sources = Sources()
    rules: list[CategoryRule] = []
    marketing: Marketing = Marketing()
    kpis: list[Kpi] = []
    finance: Finance = Finance()
    # added to (and overriding) the standard chart for each entity kind
    chart: list[ChartAccount] = []
    # custom reports (a built-in id replaces that report's sections)
    reports: dict[ReportId, CustomReport] = {}
    links: Links = Links()
    # recipients by report id: a role, a custom report or entity-<entity id>
    roles: dict[str, Role] = {}
    delivery: Delivery = Delivery()
    alerts: Alerts = Alerts()
    approval: Approval | None = None
    audit: Audit = Audit()
    schedule: Schedule = Schedule()
    branding: Branding = Branding()
    archive: Archive = Archive()
    retention: Retention = Retention()
    recipients: Recipients | None = None
    signing: Signing | None = None
    watch: list[WatchRule] = []
    # balances of loans, cards and other non-cash accounts before the ledger starts
    opening_balances: list[OpeningBalance] = []
    # account -> what it is: "loan", or { type = "deferred_revenue", earned_into = "Income:…" }
    accounts: dict[str, AccountType | AccountSpec] = {}

    @model_validator(mode="after")
    def accounts_typed(self) -> Settings:
        for account, spec in self.accounts.items():
            self.accounts[account] = typed_account(account, spec)
        return self

    @model_validator(mode="after")
    def business_day_exists(self) -> Settings:
        kind, day = self.organization.period, self.schedule.business_day
        most = 5 if kind == "week" else 20  # the fewest weekdays a week or a month has
        if day is not None and day > most:
            raise SettingError(
                ("schedule", "business_day"),
                f"= {day}: beyond the {'week' if kind == 'week' else 'month'} that follows a"
                f" {kind} (some have only {most} business days); choose 1 to {most}",
            )
        return self

    @model_validator(mode="after")
    def within_allowed_domains(self) -> Settings:
        """Every address boardpack.toml names, inside `[delivery] allowed_domains` (if given)."""
        from boardpack.delivery.addresses import outside

        allowed = self.delivery.allowed_domains
        named: list[tuple[Key, str]] = [
            (("roles", rid, part, i), a)
            for rid, role in self.roles.items()
            for part in ("to", "cc")
            for i, a in enumerate(getattr(role, part))
        ] + [(("delivery", "bcc", i), a) for i, a in enumerate(self.delivery.bcc)]
        if self.approval:
            named += [
                (("approval", "approvers", i), a) for i, a in enumerate(self.approval.approvers)
            ]
        if self.alerts.email:
            named.append((("alerts", "email"), self.alerts.email))
        named += [
            (("watch", i, "recipients", j), a)
            for i, rule in enumerate(self.watch)
            for j, a in enumerate(rule.recipients)
        ]
        for key, address in named:
            if outside(address, allowed):
                raise SettingError(
                    key,
                    f"{address} is outside [delivery] allowed_domains ({', '.join(allowed)}):"
                    " correct the address, or add its domain there",
                )
        return self

    @model_validator(mode="after")
    def references_resolve(self) -> Settings:
        ids = [e.id for e in self.entities]
        for again, entity_id in enumerate(ids):
            if (first := ids.index(entity_id)) < again:
                raise SettingError(
                    ("entities", again, "id"),
                    f"= {entity_id!r} is declared twice (entities[{first}] has it too); give each"
                    " venture its own id",
                )
        aliases: dict[str, str] = {}
        for n, entity in enumerate(self.entities):
            for alias in dict.fromkeys(
                a.strip().casefold() for a in (entity.name, *entity.aliases)
            ):
                if alias in aliases and aliases[alias] != entity.id:
                    raise SettingError(
                        ("entities", n),
                        f"{alias!r} names two entities, {aliases[alias]} and {entity.id} (by name"
                        " or aliases): a counterparty must name one venture; remove it from one",
                    )
                aliases[alias] = entity.id
        known = ", ".join(ids)
        refs: list[tuple[Key, str | None]] = [
            (("sources", "ledger", i, "entity"), s.entity)
            for i, s in enumerate(self.sources.ledger)
        ]
        refs += [
            (("marketing", "lists", i, "entity"), m.entity)
            for i, m in enumerate(self.marketing.lists)
        ]
        refs += [
            (("marketing", "platforms", i, "entity"), m.entity)
            for i, m in enumerate(self.marketing.platforms)
        ]
        refs += [
            (("finance", "initiatives", i, "entity"), x.entity)
            for i, x in enumerate(self.finance.initiatives)
        ]
        refs += [
            (("opening_balances", i, "entity"), b.entity)
            for i, b in enumerate(self.opening_balances)
        ]
        if self.sources.tasks:
            refs.append((("sources", "tasks", "entity"), self.sources.tasks.entity))
        refs += [
            (("sources", "dynamodb", i, "entity"), s.entity)
            for i, s in enumerate(self.sources.dynamodb)
        ]
        if self.sources.stripe:
            refs.append(
                (("sources", "stripe", "account_entity"), self.sources.stripe.account_entity)
            )
        refs += [
            (("sources", "sql", i, "queries", j, "entity"), q.entity)
            for i, s in enumerate(self.sources.sql)
            for j, q in enumerate(s.queries)
        ]
        for key, ref in refs:
            if ref is not None and ref not in ids:
                raise SettingError(key, f"= {ref!r} is not a declared entity (known: {known})")
        for kind, table, items in (
            ("kpi", ("kpis",), self.kpis),
            ("decision rule", ("finance", "rules"), self.finance.rules),
            ("initiative", ("finance", "initiatives"), self.finance.initiatives),
        ):
            seen = [x.id for x in items]
            for again, dup in enumerate(seen):
                if seen.index(dup) < again:
                    key = (*table, again, "id")
                    raise SettingError(key, f"{kind} id {dup!r} is declared twice")
        named_metrics: list[tuple[Key, str]] = [
            (("kpis", i, "id"), k.id) for i, k in enumerate(self.kpis)
        ]
        named_metrics += [
            (("finance", "rules", i, "metric"), r.metric) for i, r in enumerate(self.finance.rules)
        ]
        for key, metric in named_metrics:
            family = metric.split(".")[0]
            if family not in (*RESERVED_IDS, *ids):
                hint = difflib.get_close_matches(family, [*RESERVED_IDS, *ids], n=1)
                raise SettingError(
                    key,
                    f"= {metric!r} names no metric: a metric id begins with an analysis "
                    f"({', '.join(RESERVED_IDS[:6])}…) or a venture's id ({known})"
                    + (f"; did you mean {hint[0]!r}?" if hint else ""),
                )
        self.live_sources_resolve()
        for report, spec in self.reports.items():
            if spec.cost_accounts is not None and report != "cto":
                raise SettingError(
                    ("reports", report, "cost_accounts"),
                    "is the CTO's: the technology accounts of [reports.cto]; move it there",
                )
            if report.startswith("entity-"):
                raise SettingError(
                    ("reports", report),
                    "entity-... ids are the venture reports; choose another id",
                )
            if report not in ROLE_IDS and (spec.title is None or spec.sections is None):
                raise SettingError(
                    ("reports", report),
                    "a report of your own needs a title and its sections"
                    ' (title = "Board pack", sections = ["executive.summary", ...])',
                )
        reports = sorted({*ROLE_IDS, *self.reports, *(f"entity-{i}" for i in ids)})
        for role in self.roles:
            if role not in reports:
                hint = difflib.get_close_matches(role, reports, n=1)
                raise SettingError(
                    ("roles", role),
                    "no report has this id; "
                    + (f"did you mean {hint[0]!r}?" if hint else f"reports: {', '.join(reports)}"),
                )
        return self


    def live_sources_resolve(self) -> None:
        """Live source names are unique; a bookings venture's live source feeds it, and only it."""
        from boardpack.plugins import registered

        named: list[tuple[str, int | str, str]] = [
            (kind, i, s.name)
            for kind in ("dynamodb", "cloudwatch", "s3_logs", "sql")
            for i, s in enumerate(getattr(self.sources, kind))
        ]
        if self.sources.stripe:
            named.append(("stripe", "name", self.sources.stripe.name))
        names = [name for _, _, name in named]
        builtin = {ep.name for ep in registered("boardpack.sources")}
        for again, (kind, i, name) in enumerate(named):
            if names.index(name) < again or name in builtin:
                raise SettingError(
                    ("sources", kind, i, "name") if kind != "stripe" else ("sources", kind, i),
                    f"= {name!r} is "
                    + ("a source's own name" if name in builtin else "another live source's name")
                    + "; give each live source a name of its own (\"orders\", \"events\")",
                )
        # the live bookings: a DynamoDB source's (its name) or a SQL query's ("<source>.<query>"),
        # each for one venture, whose [entities.bookings] source names it
        bookings: dict[str, tuple[Key, str | None]] = {
            s.name: (("sources", "dynamodb", i, "entity"), s.entity)
            for i, s in enumerate(self.sources.dynamodb)
            if s.shape == "bookings"
        } | {
            f"{s.name}.{q.name}": (("sources", "sql", i, "queries", j, "entity"), q.entity)
            for i, s in enumerate(self.sources.sql)
            for j, q in enumerate(s.queries)
            if q.shape == "bookings"
        }
        for n, entity in enumerate(self.entities):
            wanted = entity.bookings.source if entity.bookings else None
            if wanted is not None and bookings.get(wanted, (None, None))[1] != entity.id:
                raise SettingError(
                    ("entities", n, "bookings", "source"),
                    f"= {wanted!r} names no live source of shape \"bookings\" for {entity.id}: add"
                    f' [[sources.dynamodb]] name = "{wanted}", shape = "bookings", entity ='
                    f' "{entity.id}" (or a SQL query of that shape: "<source>.<query>")',
                )
        for label, (key, owner_id) in bookings.items():
            owner = next((e for e in self.entities if e.id == owner_id), None)
            if owner is None or owner.bookings is None or owner.bookings.source != label:
                raise SettingError(
                    key,
                    f"its bookings need their venture to say so: [entities.bookings] source ="
                    f' "{label}" under {owner_id or "the venture (name it: entity = …)"}',
                )


@dataclass(frozen=True)
class Workspace:
    """A loaded workspace: its folder, its validated settings and its environment."""

    root: Path
    settings: Settings
    env: Environment
    # where a live source's snapshot is kept besides the folder (on AWS: S3 beside the workspace,
    # so that every later run of the period, on any worker, builds from it)
    keep: Callable[[Path], None] | None = None

    @property
    def state_dir(self) -> Path:
        """Where boardpack keeps its own state (shown, never written through: see `state`)."""
        return self.root / ".boardpack"

    def state(self, *parts: str) -> Path:
        """A path under `.boardpack/` that boardpack is about to write or delete, kept inside the
        workspace (`output_path`)."""
        if self.state_dir.exists() and not self.state_dir.is_dir():
            raise WorkspaceError(
                f"{self.state_dir} is a file; boardpack keeps its state in a folder of that name: "
                "move the file away"
            )
        return output_path(self.root, self.state_dir.joinpath(*parts))

    def output(self, *parts: str) -> Path:
        """A path under the workspace that boardpack is about to write or delete (`output_path`)."""
        return output_path(self.root, self.root.joinpath(*parts))

    def path(self, relative: str, key: str) -> Path:
        """A path the workspace names under `key`, resolved (symlinks too) and kept inside the
        workspace."""
        return inside(self.root, relative, key)

    def glob(self, pattern: str, key: str) -> list[Path]:
        """The files a glob names, each kept inside the workspace."""
        return [
            inside(self.root, found, key) for found in sorted(glob.glob(str(self.root / pattern)))
        ]

    @functools.cached_property
    def settings_text(self) -> str | None:
        """boardpack.toml's text, read once for every key a later check locates."""
        file = self.root / WORKSPACE_FILE
        return file.read_text(encoding="utf-8", errors="replace") if file.is_file() else None

    def line_of(self, *loc: str | int) -> int | None:
        """The line of a key in boardpack.toml, for checks made after loading (a custom report's
        sections, each categorization rule)."""
        return _line_of(self.settings_text, list(loc)) if self.settings_text is not None else None

    def where(self, *loc: str | int) -> str:
        """`boardpack.toml:LINE` of a key."""
        line = self.line_of(*loc)
        return f"{self.root / WORKSPACE_FILE}:{line}" if line else str(self.root / WORKSPACE_FILE)


def find_workspace(directory: Path | None) -> Path:
    root = (directory or Path.cwd()).resolve()
    check_node(root / WORKSPACE_FILE, WORKSPACE_FILE)
    if not (root / WORKSPACE_FILE).is_file():
        raise WorkspaceError(
            f"no workspace found at {root}: {WORKSPACE_FILE} is missing. Pass -w DIR (or set"
            " BOARDPACK_WORKSPACE), or create one with `boardpack init DIR --demo`."
        )
    return root


def load_workspace(
    directory: Path | None = None, environ: dict[str, str] | None = None
) -> Workspace:
    root = find_workspace(directory)
    file = inside(root, WORKSPACE_FILE, WORKSPACE_FILE)
    if file.stat().st_size > MAX_SETTINGS_BYTES:
        raise WorkspaceError(
            f"{file}: {file.stat().st_size:,} bytes is far more than any workspace file needs "
            f"(at most {MAX_SETTINGS_BYTES:,}); put data in the files it names"
        )
    try:
        text = file.read_bytes().decode("utf-8")
        raw = tomllib.loads(text)
    except UnicodeDecodeError as exc:
        line = file.read_bytes()[: exc.start].count(b"\n") + 1
        raise WorkspaceError(
            f"{file}:{line}: not UTF-8 text ({exc.reason}); TOML files are UTF-8: save it as UTF-8"
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise WorkspaceError(f"{file}: not valid TOML: {exc}") from None
    except RecursionError:
        raise WorkspaceError(
            f"{file}: arrays or tables nested far deeper than any setting needs"
        ) from None
    try:
        settings = Settings.model_validate(raw)
    except ValidationError as exc:
        raise WorkspaceError(
            "\n".join(_describe(file, text, err) for err in exc.errors())
        ) from None
    return Workspace(root=root, settings=settings, env=Environment.load(root, environ))


def _describe(file: Path, text: str, err: dict) -> str:
    """One pydantic error as `file:line: key: what is wrong; the fix`."""
    loc = [
        p
        for p in err["loc"]
        if not (isinstance(p, str) and p.startswith(("function-", "literal[")))
    ]
    message = err["msg"].removeprefix("Value error, ")
    error = err.get("ctx", {}).get("error")
    if isinstance(error, SettingError):
        # a check across tables names its key as data: placed at that key's line
        loc, message = [*loc, *error.key], error.problem
    key = (
        "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".")
        or "(top level)"
    )
    leaf = next((p for p in reversed(loc) if isinstance(p, str)), None)
    line = _line_of(text, loc)
    where = f"{file}:{line}" if line else str(file)
    if err["type"] == "extra_forbidden":
        allowed = _fields_at(loc[:-1])
        here = ".".join(str(p) for p in loc[:-1] if isinstance(p, str))
        home = _table_of(str(leaf), here)
        hint = difflib.get_close_matches(str(leaf), allowed, n=1)
        if home and (
            home.startswith(f"{here}.") or not hint
        ):  # a key of another table, in the wrong one
            fix = f"{leaf} belongs in [{home}]"
        else:
            fix = (
                f"did you mean {hint[0]!r}?"
                if hint
                else f"allowed here: {', '.join(sorted(allowed))}"
            )
        return f"{where}: {key}: unknown key; {fix}"
    if err["type"] == "missing":
        return f"{where}: {key}: required key is missing; add {leaf} = ..."
    return f"{where}: {key} {message}" if message.startswith("= ") else f"{where}: {key}: {message}"


def _fields_at(loc: list) -> list[str]:
    """The keys a table accepts, found by walking the model along `loc`."""
    model: type[BaseModel] | None = Settings
    for part in loc:
        if model is None or isinstance(part, int):
            continue
        field = model.model_fields.get(part)
        if field is not None:  # else `part` is a key of a table of tables ([roles.cfo]): same model
            model = _model_in(field.annotation)
    if model is None:
        return []
    return [f.alias or name for name, f in model.model_fields.items()]


def _table_of(name: str, here: str) -> str | None:
    """The table whose key `name` is, searched below `here` first, then everywhere: `date_format`
    written on a ledger source belongs in [sources.ledger.columns]."""
    tables: list[tuple[str, type[BaseModel]]] = [("", Settings)]
    found = []
    while tables:
        path, model = tables.pop(0)
        for field_name, info in model.model_fields.items():
            key = info.alias or field_name
            if key == name and path:
                found.append(path)
            child = _model_in(info.annotation)
            if child is not None and child is not model:
                tables.append((f"{path}.{key}".lstrip("."), child))
    return next((t for t in found if t.startswith(f"{here}.")), found[0] if found else None)


def _model_in(annotation) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _model_in(arg)
        if found:
            return found
    return None


def _line_of(text: str, loc: list) -> int | None:
    """The line of the key at `loc`: each index picks the n-th `[[table]]`, each name is searched
    for after it."""
    lines = text.splitlines()
    start, found, path = 0, None, []
    for part in loc:
        if isinstance(part, int):
            header = re.compile(rf"^\s*\[\[\s*{re.escape('.'.join(path))}\s*\]\]")
            hits = [n for n, line in enumerate(lines) if header.match(line)]
            if part < len(hits):
                start = found = hits[part]
            continue
        path.append(part)
        key = re.compile(rf"^\s*(\[+\s*)?([\w.-]*\.)?{re.escape(part)}\s*(=|\]|\.)")
        found = next((n for n in range(start, len(lines)) if key.match(lines[n])), found)
        start = found or start
    return None if found is None else found + 1
