import email
from datetime import UTC, datetime
from email import policy

import pytest

from boardpack.audit.keys import DeliveryKey
from boardpack.delivery.addresses import HeaderInjection, mailbox
from boardpack.delivery.message import Recipients, build_message
from boardpack.errors import WorkspaceError

WHEN = datetime(2026, 11, 15, 14, 0, tzinfo=UTC)
RECIPIENTS = Recipients(("CFO <cfo@example.com>",), ("owner@example.com",), ("audit@example.com",))


def message(subject="Small Co CFO report, October 2026", recipients=RECIPIENTS):
    key = DeliveryKey.of("2026-10", "cfo", recipients.envelope())
    return build_message(
        key,
        "Reports <reports@example.com>",
        recipients,
        subject,
        "plain body",
        "<p>html body</p>",
        "hash",
        WHEN,
    )


def test_multipart_alternative_with_text_and_html():
    parsed = email.message_from_bytes(message().raw, policy=policy.default)
    assert parsed.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in parsed.iter_parts()] == ["text/plain", "text/html"]
    assert parsed.get_body(("plain",)).get_content().strip() == "plain body"


def test_bcc_is_in_the_envelope_never_in_a_header():
    m = message()
    parsed = email.message_from_bytes(m.raw, policy=policy.default)
    assert "Bcc" not in parsed and b"audit@example.com" not in m.raw
    assert m.envelope == ("cfo@example.com", "owner@example.com", "audit@example.com")


def test_message_id_is_deterministic_per_delivery_key():
    assert message().message_id == message(subject="changed").message_id
    other = Recipients(("someone@example.com",))
    assert message().message_id != message(recipients=other).message_id
    assert message().message_id.endswith("@example.com>")


def test_delivery_key_ignores_order_and_case_of_recipients():
    a = DeliveryKey.of("2026-10", "cfo", Recipients(("A@example.com", "b@example.com")).envelope())
    b = DeliveryKey.of("2026-10", "cfo", Recipients(("b@example.com", "a@example.com")).envelope())
    assert a == b and DeliveryKey.parse(str(a)) == a


@pytest.mark.parametrize(
    "subject", ["Report\r\nBcc: victim@example.com", "Report\nX-Evil: 1", "Report\r"]
)
def test_cr_or_lf_in_a_header_is_an_error_never_a_second_header(subject):
    with pytest.raises(HeaderInjection, match="line break"):
        message(subject=subject)


@pytest.mark.parametrize(
    "address", ["cfo@example.com\r\nBcc: x@example.com", "Name\n <cfo@example.com>"]
)
def test_cr_or_lf_in_an_address(address):
    with pytest.raises(HeaderInjection):
        mailbox(address, "roles.cfo.to[0]")


@pytest.mark.parametrize("address", ["not-an-address", "cfo@", "cfo@@example.com", "cfo@localhost"])
def test_invalid_address_names_the_key(address):
    with pytest.raises(WorkspaceError, match=r"roles.cfo.to\[0\]"):
        mailbox(address, "roles.cfo.to[0]")


def test_display_names_are_kept_and_the_address_is_exactly_as_written():
    assert mailbox("Sam Ortiz <CFO@Example.COM>", "k") == "Sam Ortiz <CFO@Example.COM>"
