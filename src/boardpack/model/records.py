"""What the workspace's own records say, as the sources read them: handoff notes, marketing
channels, the ventures' rent rolls, job sheets and timesheets, task boards, the categorization
rules, what earlier packs recorded and the alerts between them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

from boardpack.model.results import Severity, stable_id


@dataclass(frozen=True, kw_only=True)
class Risk:
    title: str
    severity: Severity
    area: str
    action: str
    entity: str | None
    source: str
    url: str = ""  # where to act on it


@dataclass(frozen=True, kw_only=True)
class NoteAction:
    title: str
    owner: str | None
    due: date | None
    done: bool
    entity: str | None
    source: str  # path:line
    heading: str = ""  # the heading the item sits under ("Maintenance")
    url: str = ""  # `<https://…>` at the end of the item: where to act on it

    @property
    def id(self) -> str:
        """Its follow-through id: its venture and its words, not its figures or dates."""
        return stable_id("to-do", self.entity, self.title)


@dataclass(frozen=True, kw_only=True)
class Decision:
    """What the owners must decide: a note's `- [decision] …` item, or an item under its
    `## Decisions` heading."""

    title: str
    owner: str | None
    due: date | None
    entity: str | None
    source: str  # path:line


@dataclass(frozen=True, kw_only=True)
class Commentary:
    """The owner's own words for a period (`commentary/<period>.md`, or
    `commentary/<period>/<report>.md` for one report), as plain paragraphs: Markdown read for its
    words, never its HTML."""

    report: str | None  # None: every report of the period
    path: str
    paragraphs: tuple[str, ...]
    left_out: int = 0  # pieces of HTML not shown


@dataclass(frozen=True, kw_only=True)
class Note:
    path: str
    entity: str | None
    title: str
    status: Literal["green", "amber", "red"] | None
    updated: date | None
    risks: tuple[Risk, ...]
    kpis: dict[str, Decimal]
    actions: tuple[NoteAction, ...]
    decisions: tuple[Decision, ...] = ()


@dataclass(frozen=True, kw_only=True)
class ChannelMonth:
    entity: str
    channel: str
    month: date
    impressions: int
    visits: int
    leads: int
    bookings: int
    revenue: Decimal
    spend: Decimal
    source: str


@dataclass(frozen=True, kw_only=True)
class Unit:
    """One line of a property's rent roll; no tenant means vacant (the rent is then the asking
    rent)."""

    entity: str
    unit: str
    tenant: str
    lease_start: date | None
    lease_end: date | None  # None: month to month
    monthly_rent: Decimal
    deposit: Decimal
    source: str  # path:line

    def occupied_on(self, day: date) -> bool:
        return (
            bool(self.tenant)
            and (self.lease_start is None or self.lease_start <= day)
            and (self.lease_end is None or day <= self.lease_end)
        )


@dataclass(frozen=True, kw_only=True)
class Job:
    """A hauling job, done or booked (dated after as-of)."""

    entity: str
    date: date
    vehicle: str
    customer: str
    revenue: Decimal
    direct_cost: Decimal
    hours: Decimal
    source: str


@dataclass(frozen=True, kw_only=True)
class Event:
    """Something a business's own system recorded (a sign-up, a checklist done, a claim), counted
    by type and venture: from a live source of shape "events"."""

    entity: str
    date: date
    type: str
    count: int
    source: str  # the live source's name and the item's key


@dataclass(frozen=True, kw_only=True)
class Signal:
    """A CloudWatch metric's statistic over a span ("period" or "before"); None: no datapoints,
    no signal (never a zero)."""

    source: str
    metric: str  # its id in the source
    span: str
    value: Decimal | None


@dataclass(frozen=True, kw_only=True)
class Booking:
    """A booking of one of a venture's assets for a day of service: a charter, a room, a vehicle.
    `status` is confirmed (still to come), completed or cancelled."""

    entity: str
    booked: date
    service: date
    asset: str
    customer: str
    channel: str
    amount: Decimal
    deposit: Decimal
    status: str
    source: str  # path:line


@dataclass(frozen=True, kw_only=True)
class TimeEntry:
    entity: str
    client: str
    date: date
    hours: Decimal
    rate: Decimal
    source: str

    @property
    def value(self) -> Decimal:
        return self.hours * self.rate


@dataclass(frozen=True)
class Task:
    """An item of a task board's export (GitHub Issues, Trello, Jira, a plain CSV)."""

    title: str
    status: str  # open | blocked | done
    owner: str | None
    due: date | None
    labels: tuple[str, ...]
    entity: str | None
    source: str  # file:line, or file#key
    url: str = ""


@dataclass(frozen=True)
class Rule:
    """A categorization rule, as the ledger applies it: which account a row without one gets."""

    number: int  # 1-based, in the order they are tried: what the ledger's `rule` column holds
    pattern: str
    account: str
    field: str
    file: str  # "boardpack.toml" or the rules file
    line: int | None  # its line in the rules file or boardpack.toml
    override: bool = False  # it sets the account of rows that have one too

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}" if self.line else f"{self.file} [[rules]] {self.number}"


@dataclass(frozen=True)
class PackEntry:
    """One thing a sent pack recorded for the packs after it to check: a figure it forecast (the
    cash at the next period's end...), a finding it reported, an action it asked for."""

    made_in: str  # the recording pack's period label
    series: str  # "cash", "cash.week", "receipts.<entity>", "finding", "action", ...
    target: str  # the period or week it is for; a finding's or an action's id
    value: str  # a Decimal as text (exact), or a finding's or action's JSON


@dataclass(frozen=True, kw_only=True)
class AlertEpisode:
    """One time a `[[watch]]` rule's line was crossed, as `boardpack watch` recorded it."""

    rule: str  # the rule's key
    started: str  # ISO time
    value: Decimal  # the figure when it crossed
    ended: str | None  # None: still open

    @classmethod
    def recorded(cls, states: dict[str, dict]) -> list[AlertEpisode]:
        """The episodes in the watch states the audit store keeps, by rule, oldest first."""
        return [
            cls(rule=rule, started=e["started"], value=Decimal(e["value"]), ended=e["ended"])
            for rule, state in sorted(states.items())
            for e in state.get("episodes", [])
        ]
