"""Addresses and header values, validated before any message is built."""

from __future__ import annotations

import re
import unicodedata
from email.headerregistry import Address, HeaderRegistry
from email.utils import formataddr, parseaddr

from boardpack.errors import WorkspaceError
from boardpack.terminal import control_characters


class HeaderInjection(WorkspaceError, ValueError):
    """A CR or LF in a header value: it would start a second header."""


def safe_header(value: str, where: str) -> str:
    if "\r" in value or "\n" in value or "\0" in value:
        raise HeaderInjection(
            f"{where}: contains a line break (CR or LF), which is never allowed in an email header;"
            " remove it"
        )
    return value


def mailbox(text: str, where: str) -> str:
    """One mailbox, `addr` or `Name <addr>`, checked strictly; the error names `where` (the key)."""
    try:
        return checked_mailbox(text)
    except HeaderInjection as exc:
        raise HeaderInjection(f"{where}: {exc}") from None
    except ValueError as exc:
        raise WorkspaceError(f"{where}: {exc}") from None


def checked_mailbox(text: str) -> str:
    """`addr` or `Name <addr>` parsed strictly (RFC 5322, then email-validator), or ValueError. What
    goes on the envelope is the address exactly as written: nothing in the display name, a comment,
    a route or a second address can send the mail anywhere else."""
    from email_validator import (  # here: a build that sends nothing skips its load
        EmailNotValidError,
        validate_email,
    )

    if bad := control_characters(text):
        raise HeaderInjection(
            f"{text.encode('unicode_escape').decode()!r} contains control characters "
            f"({', '.join(dict.fromkeys(bad))}), which are never allowed in an address; remove them"
        )
    if hidden := [c for c in text if ord(c) in INVISIBLE]:
        raise ValueError(
            f"{ascii(text)} contains invisible or direction-changing characters "
            f"({', '.join(dict.fromkeys(f'U+{ord(c):04X}' for c in hidden))}), which can make an "
            "address or a name read as another; remove them"
        )
    if mixed := look_alike(text):
        raise ValueError(
            f"{ascii(text)} mixes {' and '.join(sorted(mixed[1]))} letters in "
            f"{ascii(mixed[0])}, as addresses made to look like others do; write each word in one "
            "script"
        )
    fix = 'write one address per item, as name@example.com or "Name <name@example.com>"'
    try:
        header = HeaderRegistry()("To", text)
        found, defects = header.addresses, header.defects
    # the standard library's parser trips on some inputs ("a@", ":;0")
    except (AttributeError, IndexError, ValueError, TypeError):
        found, defects = (), ("unparsable",)
    if defects or len(found) != 1 or not found[0].addr_spec:
        what = f"holds {len(found)} addresses" if len(found) > 1 else "is not one email address"
        raise ValueError(f"{text!r} {what}; {fix}")
    name, addr = found[0].display_name, found[0].addr_spec
    written = text.strip()
    if written != addr and not (
        written.endswith(f"<{addr}>") and "<" not in written[: -len(addr) - 2]
    ):
        raise ValueError(
            f"{text!r} would be delivered to {addr!r}, which is not how it is written (a comment, a"
            f" route or quoting changes where it goes); {fix}"
        )
    if "@" in name:
        raise ValueError(
            f"the name in {text!r} contains an address ({name!r}), which mail clients may show "
            f"instead of the real one; {fix}"
        )
    try:
        valid = validate_email(addr, check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValueError(f"{addr!r} is not a valid email address: {exc}") from None
    if not addr.isascii():  # a domain in its own letters travels as punycode (xn--…)
        if valid.ascii_email is None:
            raise ValueError(
                f"{ascii(addr)}: a mailbox name in letters other than ASCII needs SMTPUTF8, which "
                "boardpack does not send; use the recipient's ASCII address"
            )
        addr = valid.ascii_email
    return formataddr((name, addr)) if name else addr


# Characters that are not seen, or that turn the text around (RLO makes "moc.elgoog" read as
# "google.com"): never in an address or a display name.
INVISIBLE = frozenset(
    [0x00AD, 0x061C, 0x180E, *range(0x200B, 0x2010), *range(0x202A, 0x202F), 0x2060, 0x2061]
    + [0x2062, 0x2063, 0x2064, *range(0x2066, 0x206A), 0xFEFF]
)
CONFUSABLE = frozenset({"LATIN", "CYRILLIC", "GREEK"})  # scripts with letters that look alike
WORD_BREAKS = re.compile(r"[\s@.<>\"',;:()_+-]+")


def look_alike(text: str) -> tuple[str, set[str]] | None:
    """The first word (of the name, the local part or a domain label) that mixes letters of two
    look-alike scripts (`аpple`: a Cyrillic а in Latin), and the scripts; None when none does."""
    for word in WORD_BREAKS.split(text):
        scripts = {unicodedata.name(c, "?").split(" ")[0] for c in word if c.isalpha()}
        if len(scripts & CONFUSABLE) > 1:
            return word, {s.title() for s in scripts & CONFUSABLE}
    return None


def bare(address: str) -> str:
    """The addr-spec alone, lowercased: what the envelope and the delivery key use."""
    return parseaddr(address)[1].lower()


def outside(address: str, allowed: list[str]) -> bool:
    """Whether mail to `address` would leave the allowed domains (none given: nothing is
    outside)."""
    return bool(allowed) and domain_of(address).lower() not in {d.lower() for d in allowed}


def domain_of(address: str) -> str:
    return Address(addr_spec=bare(address)).domain
