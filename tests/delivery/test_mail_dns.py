"""`check --online` looks up the sender domain's SPF record and DMARC policy (issue 25, part 7),
against a real DNS server on loopback (dnspython's own wire format)."""

from __future__ import annotations

import pytest

from boardpack.delivery.mail_dns import mail_auth, resolver_for
from tests.conftest import run_cli, write_workspace
from tests.delivery.test_send_cli import AS_OF, smtp, smtp_toml  # noqa: F401 (a fixture)
from tests.servers import DnsServer

GOOD = {
    "example.com": ["v=spf1 include:amazonses.com ~all", "google-site-verification=abc"],
    "_dmarc.example.com": ["v=DMARC1; p=quarantine; rua=mailto:dmarc@example.com"],
}


@pytest.fixture
def dns_server(request):
    server = DnsServer(getattr(request, "param", GOOD))
    yield server
    server.stop()


def test_check_online_reads_spf_and_dmarc_from_the_dns(tmp_path, smtp, dns_server):  # noqa: F811
    ws = write_workspace(tmp_path / "ws", smtp_toml(smtp.port))
    env = {"BOARDPACK_DNS_RESOLVER": dns_server.address}
    result = run_cli("check", "-w", str(ws), *AS_OF, "--online", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok       SPF for example.com: v=spf1 include:amazonses.com ~all" in result.stdout
    assert "ok       DMARC for example.com: p=quarantine" in result.stdout
    assert {"example.com", "_dmarc.example.com"} <= set(dns_server.questions)
    dns_server.zone = {}  # the records removed: each is a problem with its fix
    bare = run_cli("check", "-w", str(ws), *AS_OF, "--online", env=env)
    assert bare.returncode == 2
    assert 'PROBLEM  example.com has no SPF record: add a TXT record "v=spf1 ~all"' in bare.stdout
    assert "PROBLEM  example.com has no DMARC policy: add a TXT record at _dmarc.example.com" in (
        bare.stdout
    )


@pytest.mark.parametrize(
    "dns_server, ok, words",
    [
        (
            {"example.com": ["v=spf1 a ~all", "v=spf1 mx -all"]},
            False,
            "example.com has 2 SPF records, which is an error: merge them",
        ),
        ({"example.com": ["v=spf1 +all"]}, False, "ends in +all: anyone may send as it"),
        (
            {"_dmarc.example.com": ["v=DMARC1; p=none"]},
            True,
            "DMARC for example.com: p=none (monitoring only: nothing is rejected yet)",
        ),
        ({"_dmarc.example.com": ["v=DMARC1; rua=mailto:x@example.com"]}, False, "p=(missing)"),
        (  # tags are case-sensitive: an uppercase P= is no policy, and the line says why
            {"_dmarc.example.com": ["v=DMARC1; P=reject"]},
            False,
            "p=(missing) (the record says P=, and tags are case-sensitive: receivers want p=)",
        ),
        ({}, False, 'add a TXT record "v=spf1 include:amazonses.com ~all"'),  # SES's own
    ],
    indirect=["dns_server"],
)
def test_each_record_is_judged(dns_server, ok, words):
    lines = mail_auth("example.com", resolver_for(dns_server.address), "ses")
    (line,) = [c for c in lines if words in c.text]
    assert line.ok is ok


def test_a_resolver_that_does_not_answer_is_a_problem_not_a_crash(dns_server):
    dns_server.stop()
    (line,) = mail_auth("example.com", resolver_for(dns_server.address), "smtp")
    assert not line.ok and "could not look up example.com's SPF and DMARC records" in line.text


def test_a_resolver_setting_that_is_not_an_address_is_named(tmp_path, smtp):  # noqa: F811
    ws = write_workspace(tmp_path / "ws", smtp_toml(smtp.port))
    env = {"BOARDPACK_DNS_RESOLVER": "127.0.0.1:fifty-three"}
    result = run_cli("check", "-w", str(ws), *AS_OF, "--online", env=env)
    assert result.returncode == 2 and "BOARDPACK_DNS_RESOLVER" in result.stderr
    assert "Traceback" not in result.stderr
