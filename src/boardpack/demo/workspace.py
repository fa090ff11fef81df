"""The demo's boardpack.toml, and the scaffold `boardpack init` writes."""

from __future__ import annotations

from datetime import date


def workspace_toml(goal_month: date) -> str:
    return f"""# The demo workspace for boardpack: four ventures, two banks, notes and marketing
# numbers.
[organization]
name = "Harbor Ventures"
currency = "USD"
timezone = "America/Los_Angeles"
period = "month"

[[entities]]
id = "charters"
name = "Harbor Charters"
kind = "charter"
stack = ["Squarespace site", "FareHarbor bookings"]
domains = ["harborcharters.example.com"]
assets = [
  {{ kind = "vessel", name = "Sea Lark", note = "42 ft sloop, 6 guests" }},
  {{ kind = "vessel", name = "Wind Dancer", note = "38 ft catamaran, 10 guests" }},
]

[[entities]]
id = "hauling"
name = "Ridgeline Hauling"
kind = "logistics"
stack = ["QuickBooks Online", "dispatch in Google Sheets"]
assets = [
  {{ kind = "vehicle", name = "Truck 1", note = "2019 Kenworth T880 dump truck" }},
  {{ kind = "vehicle", name = "Truck 2", note = "2016 Mack Granite dump truck" }},
  {{ kind = "vehicle", name = "Truck 3", note = "2009 Peterbilt 357, the spare" }},
]
[entities.fleet]
# date,vehicle,customer,revenue,direct_cost,hours; later dates are bookings
jobs = "hauling/jobs.csv"
working_days = ["mon", "tue", "wed", "thu", "fri"]

[[entities]]
id = "rental"
name = "14 Maple St"
kind = "real_estate"
assets = [{{ kind = "property", name = "14 Maple St", note = "3-bed house and a garden ADU" }}]
[entities.property]
units = "rental/units.csv"         # unit,tenant,lease_start,lease_end,monthly_rent,deposit
value = "720000.00"                # for the cap rate

[[entities]]
id = "consulting"
name = "Northpoint Advisory"
kind = "services"
stack = ["Next.js site", "AWS Lambda API", "DynamoDB"]
domains = ["northpoint.example.com"]
[entities.practice]
timesheets = "consulting/timesheets.csv"   # client,date,hours,rate
clients = ["Alder Health", "Bluefin Logistics", "Cedar & Co", "Dunmore County"]

# First Harbor Bank: signed amounts, ISO dates, a category column, one venture per row.
[[sources.ledger]]
name = "First Harbor Bank checking"
path = "ledger/harbor-bank.csv"
entity_column = "Venture"
encoding = "utf-8-sig"
opening_balance = "84000.00"
[sources.ledger.columns]
date = "Date"
amount = "Amount"
account = "Category"
counterparty = "Payee"
memo = "Description"
service_start = "Service From"
service_end = "Service To"

# Coastal Credit Union: debit and credit columns, US dates, Windows-1252, no categories.
[[sources.ledger]]
name = "Coastal CU business checking"
path = "ledger/coastal-cu.csv"
entity = "hauling"
encoding = "cp1252"
opening_balance = "12500.00"
[sources.ledger.columns]
date = "Posted Date"
debit = "Debit"
credit = "Credit"
counterparty = "Payee"
memo = "Memo"
date_format = "%m/%d/%Y"

[sources.notes]
paths = ["notes/*.md"]

[sources.channels]
path = "marketing/channels.csv"

# Rows with no account: the first matching pattern (case-insensitive) names one.
[[rules]]
pattern = "INVOICE PAYMENT"
account = "Income:Hauling"
[[rules]]
pattern = "DIESEL|CHEVRON|PILOT|SHELL"
account = "Expenses:Fuel"
[[rules]]
pattern = "PAYROLL"
account = "Expenses:Payroll"
[[rules]]
pattern = "LOAN PMT"
account = "Liabilities:Loans:Trucks"
[[rules]]
pattern = "FLEET POLICY"
account = "Expenses:Insurance"
[[rules]]
pattern = "REPAIR"
account = "Expenses:Repairs"
[[rules]]
pattern = "TOLLS"
account = "Expenses:Tolls"
[[rules]]
pattern = "MARINE SUPPLY"
account = "Expenses:Maintenance"

[[marketing.lists]]
name = "past-guests"
entity = "charters"
size = 3676
deliverability = 0.97
open = 0.35
click = 0.04
conversion = 0.10
average_order_value = "1200.00"
cost = "50.00"

[[marketing.lists]]
name = "contractors"
entity = "hauling"
size = 240
deliverability = 0.95
open = 0.42
click = 0.08
conversion = 0.12
average_order_value = "950.00"
cost = "0.00"

# Listing platforms a venture could add, ranked by expected net revenue per hour of set-up.
[[marketing.platforms]]
name = "GetMyBoat"
entity = "charters"
commission_percent = 15
setup_hours = 6
monthly_bookings = 3
[[marketing.platforms]]
name = "Boatsetter"
entity = "charters"
commission_percent = 25
setup_hours = 10
monthly_bookings = 4
[[marketing.platforms]]
name = "Viator"
entity = "charters"
commission_percent = 20
monthly_fee = "0.00"
setup_hours = 8
monthly_bookings = 2
[[marketing.platforms]]
name = "Angi"
entity = "hauling"
commission_percent = 0
booking_fee = "35.00"              # a fee per lead won
monthly_fee = "30.00"
setup_hours = 3
monthly_bookings = 4

[[kpis]]
id = "finance.revenue.charters"
label = "Charter revenue"
target = "20000"
unit = "USD"
[[kpis]]
id = "charters.bookings"
label = "Charter bookings"
target = "8"
[[kpis]]
id = "hauling.utilization"
label = "Fleet utilization"
target = "75"
unit = "%"
[[kpis]]
id = "rental.occupancy"
label = "Rental occupancy"
target = "100"
unit = "%"
[[kpis]]
id = "consulting.billable_hours"
label = "Billable hours"
target = "120"
unit = "hours"
[[kpis]]
id = "consulting.client_nps"
label = "Client NPS"
target = "50"

[finance]
# variable or fixed: the chart of accounts for each venture's kind says; list exceptions here
variable_cost_accounts = []
revenue_goal = "90000.00"
net_income_goal = "15000.00"
goal_month = "{goal_month:%Y-%m}"
runway_warning_months = "6"
reserve_months = "3"
[[finance.initiatives]]
id = "second-boat"
name = "Second charter boat (lease)"
entity = "charters"
cost = "18000.00"
monthly_return = "2400.00"
ramp_months = 4
risk = "medium"
[[finance.initiatives]]
id = "reefer-trailer"
name = "Refrigerated trailer"
entity = "hauling"
cost = "42000.00"
monthly_return = "1900.00"
ramp_months = 2
risk = "low"
[[finance.initiatives]]
id = "booking-site"
name = "Direct booking website"
entity = "charters"
cost = "6000.00"
monthly_return = "450.00"
ramp_months = 6
risk = "high"
[[finance.rules]]
id = "runway-floor"
label = "Keep at least six months of runway"
metric = "finance.runway_months"
op = ">="
value = "6"
[[finance.rules]]
id = "burn-cap"
label = "Net burn stays under 5,000 a month"
metric = "finance.net_burn"
op = "<="
value = "5000"
[[finance.rules]]
id = "books-clean"
label = "No more than 5 uncategorized transactions a month"
metric = "accounting.uncategorized_count"
op = "<="
value = "5"

[roles.ceo]
to = ["Dana Whitaker <owner@example.com>"]
[roles.cfo]
to = ["Sam Ortiz <cfo@example.com>"]
cc = ["owner@example.com"]
[roles.accounting]
to = ["books@example.com"]
[roles.cto]
to = ["Lee Park <cto@example.com>"]
[roles.cmo]
to = ["Ava Reyes <cmo@example.com>"]
[roles.entity-rental]
to = ["Maple Property Management <pm@example.com>"]
cc = ["owner@example.com"]
[roles.entity-hauling]
to = ["Ridgeline dispatch <dispatch@example.com>"]
[roles.entity-consulting]
to = ["Northpoint partners <partners@example.com>"]

# A report of the workspace's own, from any sections (`boardpack check` lists a wrong id with
# the known ones).
[reports.board]
title = "Board summary"
sections = ["executive.summary", "finance.cash", "rental.income", "hauling.fleet",
            "consulting.billing",
            "marketing.milestones"]
[roles.board]
to = ["Dana Whitaker <owner@example.com>", "Board advisor <advisor@example.com>"]

[delivery]
transport = "outbox"
from = "Harbor Ventures Reports <reports@example.com>"
bcc = ["audit@example.com"]
outbox = "outbox"

[schedule]
cron = "0 6 * * MON"

# A PDF of each report sent is kept in .boardpack/archive/<period>/<run>/ (attach_pdf = true
# mails it too).
[archive]
pdf = true

[branding]
logo = "branding/logo.png"
accent = "#0f766e"
footer = "Harbor Ventures LLC · Confidential: for the named recipients only."
"""


SCAFFOLD = """# boardpack workspace. Every key is documented in the README ("The workspace file").
[organization]
name = "My Company"
currency = "USD"
timezone = "UTC"
period = "month"          # month | week | quarter

[[entities]]
id = "main"
name = "My Company"
kind = "services"         # charter | logistics | real_estate | services | software | other

# Uncomment and point at your bank export:
# [[sources.ledger]]
# path = "ledger/*.csv"
# entity = "main"
# [sources.ledger.columns]
# date = "Date"
# amount = "Amount"
# counterparty = "Payee"
# memo = "Description"
# date_format = "%Y-%m-%d"

# Markdown handoff notes with YAML front matter:
# [sources.notes]
# paths = ["notes/*.md"]

# [roles.cfo]
# to = ["cfo@example.com"]

[delivery]
transport = "outbox"
from = "reports@example.com"   # your verified sender
"""
