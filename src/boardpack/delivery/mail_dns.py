"""`check --online`: the sender's domain as receiving servers see it — its SPF record (RFC 7208)
and its DMARC policy (RFC 7489), looked up with dnspython. `BOARDPACK_DNS_RESOLVER` (`host` or
`host:port`) names the resolver to ask instead of the system's.
"""

from __future__ import annotations

import dns.exception
import dns.resolver

from boardpack.delivery.transports.base import Check
from boardpack.errors import WorkspaceError

LIFETIME = 4.0  # seconds a lookup may take, retries included


def resolver_for(named: str | None) -> dns.resolver.Resolver:
    if not named:
        return dns.resolver.Resolver()
    host, _, port = named.partition(":")
    if port and not port.isdigit():
        raise WorkspaceError(
            f"BOARDPACK_DNS_RESOLVER = {named!r}: write it as an address, or address:port"
        )
    resolver = dns.resolver.Resolver(configure=False)
    resolver.nameservers = [host]
    resolver.port = int(port or 53)
    return resolver


def texts(resolver: dns.resolver.Resolver, name: str) -> list[str]:
    """The TXT strings at `name` ([] when it has none); raises dns.exception.DNSException when the
    lookup itself fails."""
    try:
        answer = resolver.resolve(name, "TXT", lifetime=LIFETIME)
    except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
        return []
    return [b"".join(r.strings).decode("utf-8", "replace") for r in answer]


def mail_auth(domain: str, resolver: dns.resolver.Resolver, transport: str) -> list[Check]:
    try:
        spf = [t for t in texts(resolver, domain) if t.lower().startswith("v=spf1")]
        dmarc = [
            t for t in texts(resolver, f"_dmarc.{domain}") if t.lower().startswith("v=dmarc1")
        ]
    except dns.exception.DNSException as exc:
        return [Check(False, f"could not look up {domain}'s SPF and DMARC records: {exc}")]
    include = " include:amazonses.com" if transport == "ses" else ""
    lines = []
    if not spf:
        lines.append(
            Check(
                False,
                f"{domain} has no SPF record: add a TXT record \"v=spf1{include} ~all\" (with"
                " every server that sends its mail), or receivers may mark it as spam",
            )
        )
    elif len(spf) > 1:
        lines.append(
            Check(False, f"{domain} has {len(spf)} SPF records, which is an error: merge them")
        )
    elif spf[0].split()[-1].lower() in ("+all", "all"):
        lines.append(
            Check(False, f"{domain}'s SPF record ends in +all: anyone may send as it; use ~all")
        )
    else:
        lines.append(Check(True, f"SPF for {domain}: {spf[0]}"))
    if not dmarc:
        lines.append(
            Check(
                False,
                f"{domain} has no DMARC policy: add a TXT record at _dmarc.{domain}, e.g."
                f' "v=DMARC1; p=none; rua=mailto:dmarc@{domain}"',
            )
        )
    else:
        tags = dict(
            part.strip().partition("=")[::2] for part in dmarc[0].split(";") if "=" in part
        )
        # tags are case-sensitive (RFC 7489 after DKIM's RFC 6376 3.2): `P=reject` is no policy
        policy = tags.get("p", "").strip().lower()
        note = " (monitoring only: nothing is rejected yet)" if policy == "none" else ""
        if not policy and "P" in tags:
            note = " (the record says P=, and tags are case-sensitive: receivers want p=)"
        lines.append(Check(bool(policy), f"DMARC for {domain}: p={policy or '(missing)'}{note}"))
    return lines
