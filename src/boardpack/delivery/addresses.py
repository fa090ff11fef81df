"""Addresses and header values, validated before any message is built."""

from __future__ import annotations

from email.headerregistry import Address
from email.utils import formataddr, parseaddr

from boardpack.errors import WorkspaceError


class HeaderInjection(WorkspaceError):
    """A CR or LF in a header value: it would start a second header."""


def safe_header(value: str, where: str) -> str:
    if "\r" in value or "\n" in value:
        raise HeaderInjection(f"{where}: contains a line break (CR or LF), which is never allowed in an email header; "
                              "remove it")
    return value


def mailbox(text: str, where: str) -> str:
    """`Name <addr>` or `addr`, checked and normalized; errors name the config key."""
    from email_validator import EmailNotValidError, validate_email  # here: a build that sends nothing skips its load

    safe_header(text, where)
    name, addr = parseaddr(text)
    if not addr or "@" not in addr:
        raise WorkspaceError(f"{where}: {text!r} is not an email address; write it as name@example.com "
                             "or \"Name <name@example.com>\"")
    try:
        normalized = validate_email(addr, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise WorkspaceError(f"{where}: {addr!r} is not a valid email address: {exc}") from None
    return formataddr((name, normalized)) if name else normalized


def bare(address: str) -> str:
    """The addr-spec alone, lowercased: what the envelope and the delivery key use."""
    return parseaddr(address)[1].lower()


def domain_of(address: str) -> str:
    return Address(addr_spec=bare(address)).domain
