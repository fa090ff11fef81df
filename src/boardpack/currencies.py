"""How many decimal places each currency has (ISO 4217's minor units), for reading amounts.

Most currencies have two. The exceptions are listed by ISO 4217 and change rarely; a code not
listed here has two. `ISO_4217` is the standard's list of codes (current, with a few recently
withdrawn that old books still carry), so a code that is not a currency is refused.
"""

from __future__ import annotations

NO_DECIMALS = frozenset(
    "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF".split()
)
THREE_DECIMALS = frozenset("BHD IQD JOD KWD LYD OMR TND".split())
ISO_4217 = frozenset(
    """
    AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD BTN BWP
    BYN BZD CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB
    EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HRK HTG HUF IDR ILS INR IQD IRR ISK JMD JOD
    JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU
    MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD
    RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY
    TTD TWD TZS UAH UGX USD USN UYI UYU UYW UZS VED VES VND VUV WST XAF XAG XAU XCD XCG XDR XOF XPD
    XPF XPT XSU XUA YER ZAR ZMW ZWG ZWL
    """.split()
)


def minor_units(currency: str) -> int:
    """The decimal places an amount in `currency` may have: 0, 2 or 3."""
    if currency in NO_DECIMALS:
        return 0
    return 3 if currency in THREE_DECIMALS else 2

DOLLARS = (
    "USD CAD AUD NZD SGD HKD MXN ARS CLP COP TWD BSD BBD BMD BZD BND FJD GYD JMD KYD LRD NAD SBD"
    " SRD TTD XCD ZWL UYU CUP DOP TOP WST KID TVD"
)
# The currencies each symbol is written for: an amount written with a symbol is in one of these.
SYMBOLS = {
    "$": DOLLARS.split(),
    "€": ["EUR"],
    "£": ["GBP", "GIP", "FKP", "SHP", "EGP", "LBP", "SYP", "SSP", "SDG"],
    "¥": ["JPY", "CNY"],
    "₹": ["INR"],
    "₩": ["KRW", "KPW"],
    "₽": ["RUB"],
    "₺": ["TRY"],
    "₪": ["ILS"],
    "₫": ["VND"],
    "₱": ["PHP"],
    "฿": ["THB"],
    "₴": ["UAH"],
    "₦": ["NGN"],
    "₡": ["CRC"],
    "₲": ["PYG"],
    "₸": ["KZT"],
    "₾": ["GEL"],
    "₼": ["AZN"],
    "₭": ["LAK"],
    "₮": ["MNT"],
    "៛": ["KHR"],
    "₨": ["PKR", "LKR", "NPR", "MUR", "SCR"],
    "₵": ["GHS"],
    "₿": [],  # bitcoin: no currency a ledger row is in
}


def symbol_pairs() -> list[str]:
    """`"<symbol> <code>"` for each currency a symbol is written for (what the ledger checks)."""
    return [f"{symbol} {code}" for symbol, codes in SYMBOLS.items() for code in codes]
