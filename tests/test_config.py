import pytest

from boardpack.config import load_workspace
from boardpack.environment import Environment
from boardpack.errors import WorkspaceError
from tests.conftest import TOML, write_workspace


def error_for(tmp_path, toml) -> str:
    with pytest.raises(WorkspaceError) as caught:
        load_workspace(write_workspace(tmp_path, toml), environ={})
    return str(caught.value)


def test_misspelled_key_names_file_line_and_suggests_the_fix(tmp_path):
    message = error_for(tmp_path, TOML.replace('currency = "USD"', 'curency = "USD"'))
    assert message == f"{tmp_path / 'boardpack.toml'}:3: organization.curency: unknown key; did you mean 'currency'?"


def test_bad_value_names_the_key(tmp_path):
    message = error_for(tmp_path, TOML.replace('kind = "services"', 'kind = "shipping"'))
    assert "entities[0].kind" in message and "'charter'" in message


def test_unknown_time_zone(tmp_path):
    assert "unknown time zone 'Mars/Olympus'" in error_for(tmp_path, TOML.replace("America/Los_Angeles", "Mars/Olympus"))


def test_role_with_no_recipients(tmp_path):
    message = error_for(tmp_path, TOML.replace('to = ["cfo@example.com"]', "to = []"))
    assert "roles.cfo: this role has no recipients" in message


def test_unknown_role(tmp_path):
    assert "roles.cxo" in error_for(tmp_path, TOML.replace("[roles.cfo]", "[roles.cxo]"))


def test_reference_to_an_undeclared_entity(tmp_path):
    message = error_for(tmp_path, TOML.replace('entity = "co"\nsize', 'entity = "nope"\nsize'))
    assert "marketing.lists[0].entity = 'nope' is not a declared entity (known: co)" in message


def test_rates_must_lie_between_zero_and_one(tmp_path):
    assert "marketing.lists[0].open" in error_for(tmp_path, TOML.replace("open = 0.5", "open = 1.5"))


def test_invalid_toml(tmp_path):
    assert "not valid TOML" in error_for(tmp_path, TOML + "\n[organization\n")


def test_no_workspace_found(tmp_path):
    with pytest.raises(WorkspaceError, match="no workspace found at .*boardpack.toml is missing"):
        load_workspace(tmp_path)


def test_secrets_are_not_a_config_key(tmp_path):
    message = error_for(tmp_path, TOML.replace("[delivery]", '[delivery]\npassword = "hunter2"'))
    assert "delivery.password: unknown key" in message and "hunter2" not in message


def test_environment_aliases_and_dotenv(tmp_path):
    (tmp_path / ".env").write_text("SES_SENDER_EMAIL=from-dotenv@example.com\nSES_BCC_EMAIL=bcc@example.com\n")
    env = Environment.load(tmp_path, {"SES_FROM_ADDRESS": "real@example.com", "SES_REGION": "eu-west-1"})
    assert env.from_address == "real@example.com"  # the canonical name and the real environment win
    assert env.bcc_address == "bcc@example.com"  # the old alias, from .env
    assert env.get("AWS_REGION") == "eu-west-1"


@pytest.mark.parametrize("extra, expected", [
    ('[delivery.ses]\nconfiguration_sett = "x"\n', "delivery.ses.configuration_sett: unknown key; did you mean "
                                                   "'configuration_set'?"),
    ('[delivery.ses]\nmax_send_rate = 0\n', "delivery.ses.max_send_rate"),
    ('[delivery.smtp]\nhost = "mail.example.com"\nsecurity = "tls"\n', "delivery.smtp.security"),
    ('[alerts]\nsns_topic_arn = "ops-topic"\n', "alerts.sns_topic_arn"),
    ('[alerts]\nwebhook = "ftp://example.com/hook"\n', "alerts.webhook"),
    ('[audit]\nstore = "postgres"\n', "audit.store"),
])
def test_delivery_alert_and_audit_settings_are_checked(tmp_path, extra, expected):
    assert expected in error_for(tmp_path, TOML + extra)


def test_smtp_transport_needs_its_table(tmp_path):
    message = error_for(tmp_path, TOML.replace("[delivery]\n", '[delivery]\ntransport = "smtp"\n'))
    assert 'needs a [delivery.smtp] table with at least host = "..."' in message
