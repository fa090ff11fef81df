"""How many decimal places each currency has (ISO 4217's minor units), for reading amounts.

Most currencies have two. The exceptions are listed by ISO 4217 and change rarely; a code not
listed here has two.
"""

from __future__ import annotations

NO_DECIMALS = frozenset(
    "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF".split()
)
THREE_DECIMALS = frozenset("BHD IQD JOD KWD LYD OMR TND".split())


def minor_units(currency: str) -> int:
    """The decimal places an amount in `currency` may have: 0, 2 or 3."""
    if currency in NO_DECIMALS:
        return 0
    return 3 if currency in THREE_DECIMALS else 2
