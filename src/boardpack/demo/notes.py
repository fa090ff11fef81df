"""The demo's handoff notes, dated relative to the as-of date."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path


def write_notes(folder: Path, as_of: date) -> None:
    folder.mkdir(parents=True, exist_ok=True)

    def d(days: int) -> str:
        return (as_of + timedelta(days=days)).isoformat()

    notes = {
        "charters.md": (
            f"""---
entity: charters
title: Harbor Charters handoff
status: amber
updated: {d(-6)}
owner: ceo
risks:
  - title: Hull insurance renewal is due and the broker has one quote
    severity: high
    area: operations
    action: Get two more quotes before the renewal date
  - title: Only one licensed captain for weekday charters
    severity: medium
    area: operations
    action: Train and license a second captain before spring
kpis:
  bookings: 6
  review_score: 4.8
---
# Harbor Charters

Shoulder season is ending; winter charters are mostly corporate.

- [ ] @cfo Compare the moorage contract with two other marinas (due {d(20)})
- [ ] @cmo Send the winter gift-card campaign to past guests (due {d(9)})
- [x] @ceo Renew the Coast Guard inspection
- [decision] @ceo Sell Wind Dancer this winter, or keep her for the summer season (due {d(10)})
"""
        ),
        "hauling.md": (
            f"""---
entity: hauling
title: Ridgeline Hauling handoff
status: green
updated: {d(-4)}
risks:
  - title: Truck 2 transmission is showing wear at 410,000 miles
    severity: medium
    area: operations
    action: Get a rebuild estimate and price a replacement
kpis:
  utilization: 71
  jobs: 19
---
# Ridgeline Hauling

Steady work from two builders; a third bid is out with Puget Paving.

- [ ] @cfo Price refinancing the truck loan (due {d(25)})
- [ ] @ceo Follow up the Puget Paving bid (due {d(5)})
"""
        ),
        "rental.md": (
            f"""---
entity: rental
title: 14 Maple St handoff
status: green
updated: {d(-12)}
risks:
  - title: The water heater is 14 years old
    severity: low
    area: maintenance
    action: Budget a replacement next year
---
# 14 Maple St

The house's lease runs to the end of the month after next; the garden ADU is empty since the last
tenant left.

- [ ] @accounting Put the property-tax installments on the calendar (due {d(14)})
- [ ] @ceo Offer L. Moreno a renewal (due {d(20)})

## Maintenance

- [ ] Clean the gutters before the rains (due {d(-4)})
- [ ] Repaint the ADU and replace its carpet before listing it (due {d(30)})
- [x] Service the furnace
"""
        ),
        "consulting.md": (
            f"""---
entity: consulting
title: Northpoint Advisory handoff
status: amber
updated: {d(-2)}
risks:
  - title: Bluefin Logistics is 45% of consulting revenue
    severity: medium
    area: finance
    action: Win one more anchor client to bring any client under 30%
---
# Northpoint Advisory

Pipeline: two proposals out (Alder Health phase 2, a county contract).

- [ ] @ceo Send the Alder Health phase 2 proposal (due {d(7)})

## Decisions

- Bid the county contract at the standard day rate, or at the 10% public-sector discount
"""
        ),
        "engineering.md": (
            f"""---
title: Engineering handoff
status: amber
updated: {d(-9)}
owner: cto
risks:
  - title: The Northpoint client API has no staging environment; changes go straight to production
    severity: high
    area: technology
    action: Add a staging stage and deploy there first
  - title: AWS root account has no MFA device recorded in the runbook
    severity: critical
    area: security
    action: Enable MFA on the root user and store the recovery codes offline
  - title: The charters site's booking widget depends on a third-party script with no monitoring
    severity: low
    area: technology
    action: Add an uptime check on the booking page
---
# Engineering

Everything runs on one AWS account plus Squarespace for the charters site.

- [ ] @cto Enable MFA on the AWS root user (due {d(2)})
- [ ] @cto Write down the restore procedure for the DynamoDB tables (due {d(28)})
"""
        ),
    }
    for name, text in notes.items():
        (folder / name).write_text(text, encoding="utf-8")
