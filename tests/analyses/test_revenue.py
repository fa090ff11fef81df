"""Revenue recognition, worked out by hand (the pack covers October 2026).

Retainer 9,000.00 received 28 Jul for 1 Aug–31 Oct (92 days): earned through 30 Sep
  = 9000 × 61/92 = 5,967.39 → October earns 9,000.00 − 5,967.39 = 3,032.61; nothing of it is
  deferred at 31 Oct.
Prepayment 3,000.00 received 10 Oct for 1 Nov–31 Dec (61 days): all deferred at 31 Oct;
  November earns 3000 × 30/61 = 1,475.41, December the rest, 1,524.59.
Sale 500.00 booked to Income on 15 Oct for a charter on 20 Nov: deferred, earned in November — and
  flagged.
Deferred at 31 Oct: 3,000.00 + 500.00 = 3,500.00. A receipt after 31 Oct is not counted yet.
"""

from decimal import Decimal

from boardpack.analyses.revenue import earned_between, earned_through
from boardpack.config import load_workspace
from boardpack.pipeline import build_pack
from tests.conftest import AS_OF, GENERATED_AT, TOML, write_workspace

D = Decimal
LEDGER = """\
Date,Payee,Memo,Amount,Account,From,To
2026-07-28,Bluefin,retainer Q4,9000.00,Liabilities:Deferred Revenue,2026-08-01,2026-10-31
2026-10-10,Orca Co,prepaid Nov-Dec,3000.00,Liabilities:Deferred Revenue,2026-11-01,2026-12-31
2026-10-15,Guest,charter 20 Nov,500.00,Income:Charters,2026-11-20,
2026-10-20,Acme,sale,1200.00,Income:Sales,,
2026-11-03,Late,prepaid Jan,800.00,Liabilities:Deferred Revenue,2027-01-01,2027-01-31
"""


def results(tmp_path):
    toml = TOML.replace(
        'memo = "Memo"', 'memo = "Memo"\nservice_start = "From"\nservice_end = "To"'
    )
    root = write_workspace(tmp_path / "ws", toml, {"ledger/bank.csv": LEDGER})
    return build_pack(load_workspace(root, environ={}), AS_OF, generated_at=GENERATED_AT).results


def test_straight_line_by_day_and_the_cents_always_add_up():
    from datetime import date

    start, end = date(2026, 8, 1), date(2026, 10, 31)
    assert earned_through(D("9000.00"), start, end, date(2026, 9, 30)) == D("5967.39")
    months = [
        (date(2026, 8, 1), date(2026, 8, 31)),
        (date(2026, 9, 1), date(2026, 9, 30)),
        (date(2026, 10, 1), date(2026, 10, 31)),
    ]
    parts = [earned_between(D("100.00"), start, end, a, b) for a, b in months]
    # through 31 Aug: 100 × 31/92 = 33.6957 → 33.70; through 30 Sep: 100 × 61/92 = 66.3043 → 66.30
    assert parts == [D("33.70"), D("32.60"), D("33.70")] and sum(parts) == D("100.00")


def test_deferred_balance_recognized_revenue_and_schedule(tmp_path):
    r = results(tmp_path)
    assert r.metrics["accounting.revenue_recognized"].value == D("3032.61")
    assert r.metrics["accounting.deferred_revenue"].value == D("3500.00")
    schedule = [
        (row["period"], row["amount"]) for row in r.tables["accounting.recognition_schedule"].rows
    ]
    assert schedule == [("2026-11", D("1975.41")), ("2026-12", D("1524.59"))]


def test_income_booked_before_the_service_is_flagged(tmp_path):
    (finding,) = [
        f
        for f in results(tmp_path).findings
        if f.title.startswith("Income booked before the service")
    ]
    assert finding.title.endswith(": 1") and "500.00 USD" in finding.evidence
    assert (
        "ledger/bank.csv:4" in finding.evidence and "Liabilities:Deferred Revenue" in finding.action
    )
