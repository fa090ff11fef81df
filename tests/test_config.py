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
    assert (
        message
        == f"{tmp_path / 'boardpack.toml'}:3: organization.curency: unknown key; did you mean"
        " 'currency'?"
    )


def test_bad_value_names_the_key(tmp_path):
    message = error_for(tmp_path, TOML.replace('kind = "services"', 'kind = "shipping"'))
    assert "entities[0].kind" in message and "'charter'" in message


def test_unknown_time_zone(tmp_path):
    assert "unknown time zone 'Mars/Olympus'" in error_for(
        tmp_path, TOML.replace("America/Los_Angeles", "Mars/Olympus")
    )


def test_role_with_no_recipients(tmp_path):
    message = error_for(tmp_path, TOML.replace('to = ["cfo@example.com"]', "to = []"))
    assert "roles.cfo: this role has no recipients" in message


def test_unknown_role(tmp_path):
    assert "roles.cxo" in error_for(tmp_path, TOML.replace("[roles.cfo]", "[roles.cxo]"))


def test_reference_to_an_undeclared_entity(tmp_path):
    message = error_for(tmp_path, TOML.replace('entity = "co"\nsize', 'entity = "nope"\nsize'))
    assert "marketing.lists[0].entity = 'nope' is not a declared entity (known: co)" in message


def test_rates_must_lie_between_zero_and_one(tmp_path):
    assert "marketing.lists[0].open" in error_for(
        tmp_path, TOML.replace("open = 0.5", "open = 1.5")
    )


def test_invalid_toml(tmp_path):
    assert "not valid TOML" in error_for(tmp_path, TOML + "\n[organization\n")


def test_no_workspace_found(tmp_path):
    with pytest.raises(WorkspaceError, match="no workspace found at .*boardpack.toml is missing"):
        load_workspace(tmp_path)


def test_secrets_are_not_a_config_key(tmp_path):
    message = error_for(tmp_path, TOML.replace("[delivery]", '[delivery]\npassword = "hunter2"'))
    assert "delivery.password: unknown key" in message and "hunter2" not in message


def test_environment_aliases_and_dotenv(tmp_path):
    (tmp_path / ".env").write_text(
        "SES_SENDER_EMAIL=from-dotenv@example.com\nSES_BCC_EMAIL=bcc@example.com\n"
    )
    env = Environment.load(
        tmp_path, {"SES_FROM_ADDRESS": "real@example.com", "SES_REGION": "eu-west-1"}
    )
    assert env.from_address == "real@example.com"  # the canonical name and the real environment win
    assert env.bcc_address == "bcc@example.com"  # the old alias, from .env
    assert env.get("AWS_REGION") == "eu-west-1"


@pytest.mark.parametrize(
    "extra, expected",
    [
        (
            '[delivery.ses]\nconfiguration_sett = "x"\n',
            "delivery.ses.configuration_sett: unknown key; did you mean 'configuration_set'?",
        ),
        ("[delivery.ses]\nmax_send_rate = 0\n", "delivery.ses.max_send_rate"),
        (
            '[delivery.smtp]\nhost = "mail.example.com"\nsecurity = "tls"\n',
            "delivery.smtp.security",
        ),
        ('[alerts]\nsns_topic_arn = "ops-topic"\n', "alerts.sns_topic_arn"),
        ('[alerts]\nwebhook = "ftp://example.com/hook"\n', "alerts.webhook"),
        ('[audit]\nstore = "postgres"\n', "audit.store"),
    ],
)
def test_delivery_alert_and_audit_settings_are_checked(tmp_path, extra, expected):
    assert expected in error_for(tmp_path, TOML + extra)


def test_smtp_transport_needs_its_table(tmp_path):
    message = error_for(tmp_path, TOML.replace("[delivery]\n", '[delivery]\ntransport = "smtp"\n'))
    assert 'needs a [delivery.smtp] table with at least host = "..."' in message


def config_error(tmp_path, toml: str) -> str:
    write_workspace(tmp_path, toml)
    with pytest.raises(WorkspaceError) as raised:
        load_workspace(tmp_path, environ={})
    return str(raised.value)


SECOND_LIST = """
[[marketing.lists]]
name = "prospects"
entity = "co"
size = 500
deliverability = 0.9
open = 35
click = 0.1
conversion = 0.2
average_order_value = "100.00"
cost = "10.00"
"""


def test_a_rate_outside_zero_to_one_names_the_line_in_the_right_list(tmp_path):
    toml = TOML.replace("[[kpis]]", SECOND_LIST + "\n[[kpis]]", 1)
    line = (
        toml.splitlines().index("open = 35") + 1
    )  # the second list's, not the first's `open = 0.5`
    message = config_error(tmp_path, toml)
    assert (
        f"boardpack.toml:{line}: marketing.lists[1].open: 35 is not a rate from 0 to 1: write 35%"
        " as 0.35"
        in message
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ("size = 1000", "size = -3"),
            "marketing.lists[0].size: Input should be greater than or equal to 0",
        ),
        (
            (
                'cost = "50.00"',
                (
                    'cost = "50.00"\n[[marketing.platforms]]\nname = "X"\nentity ='
                    ' "co"\ncommission_percent = 120\nsetup_hours = 2\nmonthly_bookings = 1'
                ),
            ),
            (
                "marketing.platforms[0].commission_percent: 120 is not a percentage from 0 to 100:"
                " write 15% as 15"
            ),
        ),
        (
            (
                'domains = ["smallco.example.com"]',
                'domains = []\n[entities.property]\nunits = "u.csv"\nvalue = "1"',
            ),
            "[entities.property] is for an entity of kind = 'real_estate', and co is 'services'",
        ),
        (
            (
                (
                    'kind = "services"\nstack = ["Django", "Postgres"]\ndomains ='
                    ' ["smallco.example.com"]'
                ),
                'kind = "logistics"\n[entities.fleet]\njobs = "j.csv"',
            ),
            'a fleet needs its vehicles: add assets = [{ kind = "vehicle", name = "Truck 1" }]',
        ),
        (
            ('id = "co"\nname = "Small Co"', 'id = "finance"\nname = "Small Co"'),
            (
                "entities[0].id: 'finance' names a part of the pack's own figures: choose another"
                " entity id"
            ),
        ),
        (("[roles.cfo]", "[roles.cfoo]"), "roles.cfoo: no report has this id; did you mean 'cfo'?"),
        (
            (
                "[roles.cfo]",
                '[reports.entity-x]\ntitle = "X"\nsections = ["finance.cash"]\n[roles.cfo]',
            ),
            "reports.entity-x: entity-... ids are the venture reports; choose another id",
        ),
        *(
            (
                ("[roles.cfo]", f"[reports.cfo]\nscreens = {bad}\n[roles.cfo]"),
                f"reports.cfo.screens = {shown}: a report's email is between 1 and 40 phone"
                " screens long (a screen is 844 px at 390 px wide); choose a number in that range",
            )
            for bad, shown in (("0", "0"), ("-2", "-2"), ("1000", "1000"))
        ),
        (
            ("[roles.cfo]", '[reports.cfo]\nprecision = "pennies"\n[roles.cfo]'),
            "reports.cfo.precision: Input should be 'units', 'thousands' or 'cents'",
        ),
        (
            ('name = "Small Co"', 'name = "Small Co"\nnegatives = "red"'),
            "organization.negatives: Input should be 'minus' or 'parentheses'",
        ),
        (
            ('name = "Small Co"', 'name = "Small Co"\ncurrency_symbol = "US dollars"'),
            (
                "organization.currency_symbol = 'US dollars': a currency symbol is at most three"
                " characters written before an amount"
            ),
        ),
        (
            ("[roles.cfo]", '[reports.cfo]\nscreens = "three"\n[roles.cfo]'),
            "reports.cfo.screens: Input should be a valid integer",
        ),
        (
            ("[roles.cfo]", "[reports.cfo]\nscreens = 2.5\n[roles.cfo]"),
            "reports.cfo.screens: Input should be a valid integer",
        ),
    ],
)
def test_bad_marketing_venture_and_report_settings(tmp_path, change, message):
    old, new = change
    toml = TOML.replace(old, new, 1)
    assert toml != TOML
    assert message in config_error(tmp_path, toml)


def test_an_unknown_role_key_is_located_on_its_line(tmp_path):
    toml = TOML.replace("[roles.cfo]", "[roles.cfoo]")
    line = toml.splitlines().index("[roles.cfoo]") + 1
    assert f"boardpack.toml:{line}: roles.cfoo:" in config_error(tmp_path, toml)


def test_a_misspelled_key_in_a_role_table_suggests_the_right_one(tmp_path):
    toml = TOML.replace('cc = ["owner@example.com"]', 'c = ["owner@example.com"]')
    assert "roles.cfo.c: unknown key; did you mean 'cc'?" in config_error(tmp_path, toml)
