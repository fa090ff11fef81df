"""Small outgoing messages for the delivery tests: report<i> to r<i>@example.com, with the audit
Bcc."""

from datetime import UTC, datetime

from boardpack.audit.keys import DeliveryKey
from boardpack.delivery.message import Recipients, build_message


def message(i=0, to=None):
    recipients = Recipients(tuple(to or [f"r{i}@example.com"]), (), ("audit@example.com",))
    key = DeliveryKey.of("2026-10", f"report{i}", recipients.envelope())
    return build_message(
        key,
        "Reports <reports@example.com>",
        recipients,
        f"Report {i}",
        "text",
        "<p>html</p>",
        "h",
        datetime(2026, 11, 1, tzinfo=UTC),
    )


def messages(n=3):
    return [message(i) for i in range(n)]
