"""The demo workspace: a seeded, realistic four-venture business whose records end the day before
as-of.

Yacht charters and a rental house bank at First Harbor Bank (signed amounts, ISO dates, a
category column, UTF-8 with BOM); the hauling business banks at Coastal Credit Union (debit and
credit columns, US dates, Windows-1252, no categories: rules categorize it). There are deposits
for future charters and a prepaid retainer (service periods), uncategorized rows, one
duplicated payment, channel metrics, handoff notes with risks and action items, KPI targets and
decision rules. The same as-of date always gives the same workspace.
"""

from __future__ import annotations

import csv
import json
import random
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from boardpack.demo.notes import write_notes
from boardpack.demo.repository import write_repository
from boardpack.demo.ventures import write_bookings, write_jobs, write_timesheets, write_units
from boardpack.demo.workspace import SCAFFOLD, workspace_toml
from boardpack.period import add_months, month_end

SEED = 20261022
MONTHS = 26


def generate(directory: Path, as_of: date | None = None) -> bool:
    """Write the demo workspace; False when git is not on this machine (no repository then)."""
    as_of = as_of or date.today()
    rng = random.Random(SEED)
    last = as_of - timedelta(days=1)  # the bank exports run to yesterday
    first = add_months(last, -(MONTHS - 1))
    (directory / "ledger").mkdir(parents=True, exist_ok=True)
    (directory / "marketing").mkdir(exist_ok=True)
    harbor, coastal = [], []
    month = first
    while month <= add_months(
        last, 2
    ):  # later charters' deposits are paid before `last`: deferred revenue
        charters_month(rng, month, harbor)
        rental_month(rng, month, harbor)
        consulting_month(rng, month, harbor)
        hauling_month(rng, month, coastal)
        month = add_months(month, 1)
    intercompany_charge(add_months(as_of.replace(day=1), -1), harbor, coastal)
    for folder in ("charters", "rental", "hauling", "consulting"):
        (directory / folder).mkdir(exist_ok=True)
    write_units(directory / "rental" / "units.csv", as_of)
    write_bookings(directory / "charters" / "bookings.csv", harbor, last)
    write_jobs(directory / "hauling" / "jobs.csv", coastal, last)
    write_timesheets(directory / "consulting" / "timesheets.csv", harbor, last)
    harbor = sorted((r for r in harbor if r["Date"] <= last), key=lambda r: r["Date"])
    coastal = sorted(
        (r for r in coastal if r["Posted Date"] <= last), key=lambda r: r["Posted Date"]
    )
    duplicate_payment(harbor)
    write_harbor(directory / "ledger" / "harbor-bank.csv", harbor)
    write_coastal(directory / "ledger" / "coastal-cu.csv", coastal)
    ads = {r["Date"].replace(day=1): -r["Amount"] for r in harbor if r["Payee"] == "Google Ads"}
    write_channels(
        rng,
        directory / "marketing" / "channels.csv",
        add_months(as_of, -15),
        add_months(as_of, -1),
        ads,
    )
    write_notes(directory / "notes", as_of)
    write_budget(directory / "budget.csv", add_months(as_of.replace(day=1), -1).year)
    (directory / "boardpack.toml").write_text(
        workspace_toml(add_months(as_of, 12), first - timedelta(days=1)), encoding="utf-8"
    )
    write_logo(directory / "branding" / "logo.png")
    write_osv(directory / "osv", last)
    write_site(directory / "site")
    return write_repository(directory / "repos" / "northpoint-api", last)


SITE = {
    "index.html": (
        '<!doctype html>\n<html lang="en">\n<head><title>Harbor Charters — sailing from Anacortes'
        '</title>\n<meta name="description" content="Half-day and sunset sails on the Salish Sea.">'
        '\n<script type="application/ld+json">{"@context": "https://schema.org", "@type":'
        ' "LocalBusiness", "name": "Harbor Charters", "address": "Cap Sante Marina, Anacortes WA",'
        ' "telephone": "+1 360 555 0142"}</script>\n</head>\n<body>\n<h1>Sail with us</h1>\n'
        '<img src="sea-lark.jpg">\n<form><input type="email" placeholder="Your email">'
        "<button>Keep me posted</button></form>\n</body>\n</html>\n"
    ),
    "book/index.html": (
        '<!doctype html>\n<html lang="en">\n<head><title>Book a sail</title></head>\n<body>\n'
        '<a href="http://fareharbor.example.com/harbor">Book on FareHarbor</a>\n</body>\n</html>\n'
    ),
    "robots.txt": "User-agent: *\nAllow: /\n",
}


def write_site(folder: Path) -> None:
    """The charter business's website, as its builder exports it: a sitemap forgotten, an image
    without alt text, an unlabelled field, a link to http:, no opening hours for local search."""
    for name, text in SITE.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")


def write_osv(folder: Path, day: date) -> None:
    """Two PyPI advisories as osv.dev publishes them (their snapshot dated `day`): Jinja's
    xmlattr injection, which the demo's jinja2 3.1.2 is inside, and a requests one its pin is past.
    """
    folder.mkdir(parents=True, exist_ok=True)
    records = {
        "GHSA-h5c8-rqwp-cp95": (
            "CVE-2024-22195",
            "Jinja vulnerable to HTML attribute injection when passing user input as keys to"
            " xmlattr filter",
            "jinja2",
            "3.1.3",
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:L/I:L/A:N",
        ),
        "GHSA-9wx4-h78v-vm56": (
            "CVE-2024-35195",
            "Requests Session object does not verify requests after making first request with"
            " verify=False",
            "requests",
            "2.32.0",
            "CVSS:3.1/AV:L/AC:H/PR:H/UI:R/S:U/C:H/I:H/A:N",
        ),
    }
    for rid, (alias, summary, name, fixed, vector) in records.items():
        record = {
            "schema_version": "1.6.0",
            "id": rid,
            "modified": f"{day.isoformat()}T00:00:00Z",
            "aliases": [alias],
            "summary": summary,
            "severity": [{"type": "CVSS_V3", "score": vector}],
            "affected": [
                {
                    "package": {"ecosystem": "PyPI", "name": name},
                    "ranges": [
                        {"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": fixed}]}
                    ],
                }
            ],
        }
        (folder / f"{rid}.json").write_text(json.dumps(record, indent=2) + "\n")


def write_logo(path: Path) -> None:
    """A small PNG mark (a wave on the accent colour, and the name), kept as a file so that the
    demo needs no image library and looks the same on every machine."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes((Path(__file__).parent / "logo.png").read_bytes())


def scaffold(directory: Path) -> None:
    for folder in ("ledger", "notes", "marketing"):
        (directory / folder).mkdir(parents=True, exist_ok=True)
    (directory / "boardpack.toml").write_text(SCAFFOLD, encoding="utf-8")


def money(value: float) -> Decimal:
    return Decimal(str(round(value, 2))).quantize(Decimal("0.01"))


def day(month: date, d: int) -> date:
    return month.replace(day=min(d, month_end(month).day))


def harbor_row(
    when, venture, payee, description, amount, category="", start=None, end=None
) -> dict:
    return {
        "Date": when,
        "Description": description,
        "Payee": payee,
        "Amount": money(amount),
        "Category": category,
        "Venture": venture,
        "Service From": start or "",
        "Service To": end or "",
    }


NOTHING = Decimal("0.00")
SEASON = {1: 2, 2: 3, 3: 5, 4: 8, 5: 11, 6: 16, 7: 18, 8: 17, 9: 10, 10: 7, 11: 3, 12: 3}


def charters_month(rng: random.Random, month: date, rows: list) -> None:
    """Day charters: a 30% deposit when booked (held until the charter), the balance on the day."""
    bookings = SEASON[month.month] + rng.randint(-1, 2)
    for _ in range(bookings):
        when = day(month, rng.randint(1, 28))
        price = rng.choice([1200, 1450, 1800, 2200, 2400])
        deposit = money(price * 0.3)
        booked = when - timedelta(days=rng.randint(20, 75))
        guest = rng.choice(
            [
                "J. Alvarez",
                "M. Chen",
                "P. Okafor",
                "S. Larsen",
                "R. Patel",
                "K. Brooks",
                "T. Nguyen",
            ]
        )
        rows.append(
            harbor_row(
                booked,
                "charters",
                "FareHarbor",
                f"DEPOSIT charter {when:%d %b} {guest}",
                deposit,
                "Liabilities:Customer Deposits",
                when,
                when,
            )
        )
        rows.append(
            harbor_row(
                when,
                "charters",
                "FareHarbor",
                f"BALANCE charter {guest}",
                price - deposit,
                "Income:Charters",
                when,
                when,
            )
        )
        rows.append(
            harbor_row(
                when,
                "charters",
                "FareHarbor",
                "Booking fees",
                -price * 0.06,
                "Expenses:Booking Fees",
            )
        )
        rows.append(
            harbor_row(
                when, "charters", "Harbor Fuel Dock", "Fuel", -rng.uniform(90, 160), "Expenses:Fuel"
            )
        )
        rows.append(
            harbor_row(when, "charters", "Crew payroll", "Deckhand day rate", -250, "Expenses:Crew")
        )
    rows.append(
        harbor_row(
            day(month, 1),
            "charters",
            "Shilshole Marina",
            "Moorage two slips",
            -1850,
            "Expenses:Moorage",
        )
    )
    rows.append(
        harbor_row(
            day(month, 5),
            "charters",
            "Pacific Marine Insurance",
            "Hull & liability premium",
            -920,
            "Expenses:Insurance",
        )
    )
    rows.append(
        harbor_row(
            day(month, 12), "charters", "Squarespace", "Website plan", -33, "Expenses:Software"
        )
    )
    rows.append(
        harbor_row(
            day(month, 18),
            "charters",
            "Google Ads",
            "Search campaign",
            -rng.uniform(380, 520),
            "Expenses:Advertising",
        )
    )
    if 4 <= month.month <= 10:  # the captain is salaried through the season
        rows.append(
            harbor_row(
                day(month, 25),
                "charters",
                "Crew payroll",
                "Captain salary",
                -4200,
                "Expenses:Payroll",
            )
        )
    # chandlery card purchases come through uncategorized; a rule catches most
    if rng.random() < 0.6:
        rows.append(
            harbor_row(
                day(month, rng.randint(2, 27)),
                "charters",
                "",
                f"POS PURCHASE {rng.randint(1000, 9999)} HARBOR MARINE SUPPLY",
                -rng.uniform(80, 900),
            )
        )
    if month.month in (3, 10):
        rows.append(
            harbor_row(
                day(month, 15),
                "charters",
                "Ballard Boatyard",
                "Haul-out and bottom paint",
                -rng.uniform(3200, 4800),
                "Expenses:Maintenance",
            )
        )
    if month.month == 4:
        rows.append(
            harbor_row(
                day(month, 20),
                "charters",
                "",
                "ZELLE FROM D WHITAKER",
                15000,
                "Equity:Owner Contributions",
            )
        )


def rental_month(rng: random.Random, month: date, rows: list) -> None:
    rows.append(
        harbor_row(
            day(month, 1), "rental", "Tenant: L. Moreno", "Rent 14 Maple St", 3850, "Income:Rent"
        )
    )
    rows.append(
        harbor_row(
            day(month, 3),
            "rental",
            "Cascade Home Loans",
            "Mortgage 14 Maple",
            -2210,
            "Expenses:Mortgage",
        )
    )
    if month.month in (4, 10):
        rows.append(
            harbor_row(
                day(month, 30),
                "rental",
                "King County Treasury",
                "Property tax half-year",
                -rng.uniform(2400, 2600),
                "Expenses:Property Tax",
            )
        )
    if rng.random() < 0.3:
        rows.append(
            harbor_row(
                day(month, rng.randint(5, 25)),
                "rental",
                "Maple Handyman LLC",
                "Repairs",
                -rng.uniform(120, 680),
                "Expenses:Repairs",
            )
        )
    if rng.random() < 0.15:
        rows.append(
            harbor_row(
                day(month, rng.randint(5, 25)),
                "rental",
                "",
                f"CHECK {rng.randint(1001, 1099)}",
                -rng.uniform(150, 400),
            )
        )


def consulting_month(rng: random.Random, month: date, rows: list) -> None:
    for client in ("Alder Health", "Bluefin Logistics", "Cedar & Co"):
        if rng.random() < 0.8:
            rows.append(
                harbor_row(
                    day(month, rng.randint(8, 26)),
                    "consulting",
                    client,
                    f"INVOICE {client}",
                    rng.choice([4800, 6400, 7200, 9600]),
                    "Income:Consulting",
                )
            )
    if month.month in (1, 4, 7, 10):  # a quarterly retainer paid in advance for the next quarter
        start = add_months(month, 1)
        rows.append(
            harbor_row(
                day(month, 28),
                "consulting",
                "Bluefin Logistics",
                "Retainer next quarter, prepaid",
                9000,
                "Liabilities:Deferred Revenue",
                start,
                month_end(add_months(start, 2)),
            )
        )
    rows.append(
        harbor_row(
            day(month, 2),
            "consulting",
            "Amazon Web Services",
            "AWS usage",
            -rng.uniform(180, 260),
            "Expenses:Cloud",
        )
    )
    rows.append(
        harbor_row(
            day(month, 10),
            "consulting",
            "Rivera Design",
            "Subcontractor",
            -rng.choice([2400, 3000, 3600]),
            "Expenses:Contractors",
        )
    )
    rows.append(
        harbor_row(
            day(month, 15),
            "consulting",
            "Google Workspace",
            "Workspace seats",
            -72,
            "Expenses:Software",
        )
    )
    rows.append(
        harbor_row(
            day(month, 28),
            "consulting",
            "Gusto",
            "Payroll: two consultants",
            -18900,
            "Expenses:Payroll",
        )
    )
    rows.append(
        harbor_row(
            day(month, 1),
            "consulting",
            "Fremont Office Suites",
            "Office rent",
            -1900,
            "Expenses:Rent",
        )
    )


def hauling_month(rng: random.Random, month: date, rows: list) -> None:
    def row(d, payee, memo, debit=None, credit=None):
        rows.append(
            {
                "Posted Date": day(month, d),
                "Payee": payee,
                "Memo": memo,
                "Debit": money(debit) if debit else "",
                "Credit": money(credit) if credit else "",
            }
        )

    busy = 1.0 if month.month in range(4, 11) else 0.7
    for _ in range(int(rng.randint(16, 24) * busy)):
        customer = rng.choice(
            ["Granite Builders", "Sound Excavation", "Evergreen Landscaping", "Puget Paving"]
        )
        row(
            rng.randint(1, 28),
            customer,
            "INVOICE PAYMENT",
            credit=rng.choice([650, 780, 920, 1150, 1400]),
        )
    for _ in range(rng.randint(6, 9)):
        row(
            rng.randint(1, 28),
            rng.choice(["CHEVRON 0041", "PILOT #388", "SHELL OIL 5573"]),
            "DIESEL",
            debit=rng.uniform(380, 720),
        )
    row(15, "GUSTO", "PAYROLL DRIVERS", debit=13400)
    row(20, "Coastal Equipment Finance", "LOAN PMT TRUCKS", debit=2450)
    row(6, "Northwest Commercial Insurance", "FLEET POLICY", debit=1450)
    if rng.random() < 0.5:
        row(
            rng.randint(1, 28),
            "Garage Lefèvre Diesel Repair",
            "REPAIR",
            debit=rng.uniform(300, 2400),
        )
    if rng.random() < 0.4:
        row(rng.randint(1, 28), "GOODTOGO TOLLS", "TOLLS", debit=rng.uniform(40, 120))
    if rng.random() < 0.6:  # no rule matches these: they stay uncategorized
        row(
            rng.randint(1, 28),
            "Tacoma Dump & Recycle",
            "WEIGHT TICKETS",
            debit=rng.uniform(90, 300),
        )
    if rng.random() < 0.4:
        row(
            rng.randint(1, 28),
            "",
            f"ATM WITHDRAWAL {rng.randint(100, 999)}",
            debit=rng.choice([100, 200, 300]),
        )


def duplicate_payment(rows: list) -> None:
    """The insurer was paid twice one month: the same payee and amount a day apart."""
    original = next(
        r
        for r in reversed(rows)
        if r["Payee"] == "Pacific Marine Insurance" and r["Date"].month in (6, 7)
    )
    copy = dict(original, Date=original["Date"] + timedelta(days=1))
    rows.insert(rows.index(original) + 1, copy)


def write_harbor(path: Path, rows: list) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(
            handle,
            [
                "Date",
                "Description",
                "Payee",
                "Amount",
                "Category",
                "Venture",
                "Service From",
                "Service To",
            ],
        )
        writer.writeheader()
        writer.writerows(rows)


BUDGET = (  # period (Qn, or "" for the year), entity, account, amount
    ("Q1", "charters", "Income:Charters", "6000.00"),
    ("Q2", "charters", "Income:Charters", "30000.00"),
    ("Q3", "charters", "Income:Charters", "45000.00"),
    ("Q4", "charters", "Income:Charters", "24000.00"),
    ("", "charters", "Expenses:Maintenance", "30000.00"),
    ("", "hauling", "Income:Hauling", "200000.00"),
    ("", "hauling", "Expenses:Fuel", "60000.00"),
    ("", "rental", "Income:Rent", "46200.00"),
    ("", "consulting", "Income:Consulting", "270000.00"),
    ("", "", "Expenses:Payroll", "440000.00"),
)


def write_budget(path: Path, year: int) -> None:
    """The year's plan: charters by quarter (the season), the rest by the year."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["period", "entity", "account", "amount"])
        for quarter, entity, account, amount in BUDGET:
            period = f"{year}-{quarter}" if quarter else str(year)
            writer.writerow([period, entity, account, amount])


def intercompany_charge(month: date, harbor: list, coastal: list) -> None:
    """Ridgeline Hauling trucks a charter boat to the yard for Harbor Charters: one venture's cost
    and another's income, eliminated in the consolidation."""
    when = day(month, 14)
    harbor.append(
        harbor_row(
            when, "charters", "Ridgeline Hauling", "Boat haul to the yard", -650, "Expenses:Hauling"
        )
    )
    coastal.append(
        {
            "Posted Date": when,
            "Payee": "Harbor Charters",
            "Memo": "INVOICE PAYMENT",
            "Debit": "",
            "Credit": money(650),
        }
    )


def write_coastal(path: Path, rows: list, opening: Decimal = Decimal("12500.00")) -> None:
    """The credit union's export, with the running balance it prints after each row."""
    balance = opening
    with path.open("w", encoding="cp1252", newline="") as handle:
        writer = csv.DictWriter(
            handle, ["Posted Date", "Payee", "Memo", "Debit", "Credit", "Balance"]
        )
        writer.writeheader()
        for r in rows:
            balance += Decimal(r["Credit"] or 0) - Decimal(r["Debit"] or 0)
            writer.writerow(
                dict(r, **{"Posted Date": r["Posted Date"].strftime("%m/%d/%Y")}, Balance=balance)
            )


CHANNELS = {  # entity -> channel -> typical monthly visits (0: the venture is absent there)
    "charters": {
        "website": 1400,
        "google": 900,
        "instagram": 650,
        "listing-platforms": 500,
        "email": 300,
    },
    "hauling": {"website": 60, "google": 320, "referrals": 90},
    "rental": {"listing-platforms": 40},
    "consulting": {"website": 380, "referrals": 45, "email": 120},
}


def write_channels(
    rng: random.Random, path: Path, first: date, last: date, ads: dict[date, Decimal]
) -> None:
    """The channels file; the charters' Google spend is what the bank paid Google Ads that month
    (the demo maps it: `[marketing.spend_accounts]`), and the hauling's Google is unpaid (its
    maps listing)."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "entity",
                "channel",
                "month",
                "impressions",
                "visits",
                "leads",
                "bookings",
                "revenue",
                "spend",
            ]
        )
        month = first.replace(day=1)
        while month <= last:
            season = SEASON[month.month] / 10
            for entity, channels in CHANNELS.items():
                for channel, typical in channels.items():
                    scale = season if entity == "charters" else 1.0
                    visits = max(0, int(typical * scale * rng.uniform(0.8, 1.2)))
                    leads = int(visits * rng.uniform(0.03, 0.08))
                    bookings = int(leads * rng.uniform(0.2, 0.5))
                    revenue = money(
                        bookings
                        * {"charters": 1800, "hauling": 950, "rental": 3850, "consulting": 7000}[
                            entity
                        ]
                    )
                    spend = money(
                        {"google": 450, "instagram": 300, "listing-platforms": 0}.get(channel, 40)
                        * rng.uniform(0.8, 1.2)
                    )
                    if channel == "google":
                        spend = ads.get(month, NOTHING) if entity == "charters" else NOTHING
                    writer.writerow(
                        [
                            entity,
                            channel,
                            f"{month:%Y-%m}",
                            visits * 25,
                            visits,
                            leads,
                            bookings,
                            revenue,
                            spend,
                        ]
                    )
            month = add_months(month, 1)
