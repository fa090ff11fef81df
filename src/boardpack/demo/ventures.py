"""The demo's venture records, drawn from the same bank rows so that every report tells one story:
each hauling job is an invoice payment in the credit union export, each consulting hour is paid by
an invoice (or a prepaid retainer) in the bank export, and the house's rent matches the rent roll.
"""

from __future__ import annotations

import csv
import random
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from boardpack.period import add_months, month_end

SEED = 20261122
RATES = {"Alder Health": 200, "Bluefin Logistics": 160, "Cedar & Co": 160, "Dunmore County": 140}


def weekdays(first: date, last: date) -> list[date]:
    return [
        first + timedelta(n)
        for n in range((last - first).days + 1)
        if (first + timedelta(n)).weekday() < 5
    ]


def write_units(path: Path, as_of: date) -> None:
    """The house is let to the end of the month after next (so its renewal is due); the garden ADU
    stands empty."""
    end = month_end(add_months(as_of, 2))
    start = add_months(end, -11)  # a 12-month lease (end.replace(year=...) fails on 29 February)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["unit", "tenant", "lease_start", "lease_end", "monthly_rent", "deposit"])
        writer.writerow(["House", "L. Moreno", start, end, "3850.00", "3850.00"])
        writer.writerow(["Garden ADU", "", "", "", "1650.00", "0.00"])


def write_jobs(path: Path, coastal: list[dict], last: date) -> None:
    """Each invoice payment pays for one to three loads hauled on the weekdays before it, each put
    on the truck less busy that day; about half of next month's are already booked. Truck 3, the
    spare, gets none.
    """
    rng = random.Random(SEED)
    rows, busy = [], set()
    for r in sorted(coastal, key=lambda r: (r["Posted Date"], r["Payee"])):
        paid = r["Posted Date"]
        if r["Memo"] != "INVOICE PAYMENT" or paid > last + timedelta(days=30):
            continue
        if paid > last and rng.random() < 0.5:
            continue
        loads = rng.choice([1, 2, 2, 3])
        days = rng.sample(weekdays(paid - timedelta(days=13), paid), loads)
        total, left = Decimal(r["Credit"]), Decimal(r["Credit"])
        for i, when in enumerate(sorted(days)):
            revenue = left if i == loads - 1 else (total / loads).quantize(Decimal("0.01"))
            left -= revenue
            truck = next(
                (t for t in ("Truck 1", "Truck 2") if (t, when) not in busy),
                rng.choice(["Truck 1", "Truck 2"]),
            )
            busy.add((truck, when))
            hours = (revenue / rng.choice([95, 110, 120]) * 2).quantize(Decimal(1)) / 2
            cost = (revenue * Decimal(str(rng.uniform(0.35, 0.6)))).quantize(Decimal("0.01"))
            rows.append([when, truck, r["Payee"], revenue, cost, hours])
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["date", "vehicle", "customer", "revenue", "direct_cost", "hours"])
        writer.writerows(sorted(rows))


def write_timesheets(path: Path, harbor: list[dict], last: date) -> None:
    """Each invoice pays for the month before it; a retainer for the months it covers. Cedar & Co
    has a job that was never invoiced; Dunmore County, a new client, has not been invoiced yet."""
    rng = random.Random(SEED)
    entries = []

    def work(client: str, first: date, until: date, amount: Decimal) -> None:
        hours = amount / RATES[client]
        days = weekdays(first, until)
        while hours > 0:
            chunk = min(hours, Decimal(rng.choice([2, 3, 4, 6, 8])))
            entries.append([client, rng.choice(days), chunk, RATES[client]])
            hours -= chunk

    for r in harbor:
        if r["Venture"] != "consulting" or r["Payee"] not in RATES or r["Amount"] <= 0:
            continue
        if r["Description"].startswith("INVOICE"):
            month = add_months(r["Date"], -1)
            work(r["Payee"], month, month_end(month), r["Amount"])
        elif r["Service From"]:  # a retainer: a third of it each month it covers
            for i in range(3):
                month = add_months(r["Service From"], i)
                work(r["Payee"], month, month_end(month), r["Amount"] / 3)
    cedar = add_months(last, -2)
    work("Cedar & Co", cedar, month_end(cedar), Decimal(1920))
    work("Dunmore County", add_months(last, -1), last, Decimal(4480))
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["client", "date", "hours", "rate"])
        writer.writerows(sorted(e for e in entries if e[1] <= last))


# where the charter business's guests book: cycled, most from its own website
BOOKING_CHANNELS = ("website", "listing-platforms", "website", "google", "instagram", "email")


def write_bookings(path: Path, harbor: list[dict], last: date) -> None:
    """Each charter as the booking system exports it, from the bank's rows: booked the day its
    deposit came in, sold for the deposit and the balance paid on the day; a sail before `last` is
    completed. The larger parties sail the catamaran, unless she is taken that day."""
    balances: dict[tuple, list[Decimal]] = {}
    for r in harbor:
        if r["Description"].startswith("BALANCE charter "):
            guest = r["Description"].removeprefix("BALANCE charter ")
            balances.setdefault((r["Date"], guest), []).append(Decimal(r["Amount"]))
    deposits = sorted(
        (r for r in harbor if r["Description"].startswith("DEPOSIT charter ")),
        key=lambda r: (r["Date"], r["Service From"], r["Description"]),
    )
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["booked", "sail_date", "vessel", "guest", "channel", "price", "deposit", "status"]
        )
        taken: set[tuple[str, date]] = set()
        for n, r in enumerate(d for d in deposits if d["Date"] <= last):
            when = r["Service From"]
            guest = r["Description"].split(" ", 4)[-1]
            price = Decimal(r["Amount"]) + balances[(when, guest)].pop(0)
            vessels = ("Wind Dancer", "Sea Lark") if price >= 1800 else ("Sea Lark", "Wind Dancer")
            vessel = next((v for v in vessels if (v, when) not in taken), vessels[0])
            taken.add((vessel, when))
            writer.writerow(
                [
                    r["Date"],
                    when,
                    vessel,
                    guest,
                    BOOKING_CHANNELS[n % len(BOOKING_CHANNELS)],
                    price,
                    r["Amount"],
                    "completed" if when <= last else "confirmed",
                ]
            )
