"""The AWS source against a real moto_server, with resources the test creates."""

from __future__ import annotations

import io
import json
import urllib.request
import zipfile
from decimal import Decimal

import boto3
import pytest

from boardpack.config import load_workspace
from boardpack.pipeline import build_pack
from boardpack.render import render
from tests.conftest import AS_OF, GENERATED_AT, TOML, run_cli, write_workspace

REGION = "us-west-2"
ENV_VALUE = "pg://admin:n0t-for-any-eyes-91@db.internal/app"
AWS_TOML = TOML + f'[sources.aws]\nregions = ["{REGION}"]\n'


def client(server, service: str, region: str = REGION):
    return boto3.client(
        service,
        endpoint_url=server.url,
        region_name=region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def seed_costs(server, months: dict[str, dict[str, str]]) -> None:
    """Cost Explorer results, seeded through moto's own API (it answers queries with them in order).
    """
    results = [
        {
            "TimePeriod": {"Start": f"{m}-01", "End": f"{m}-28"},
            "Groups": [
                {"Keys": [service], "Metrics": {"UnblendedCost": {"Amount": amount, "Unit": "USD"}}}
                for service, amount in services.items()
            ],
        }
        for m, services in months.items()
    ]
    body = json.dumps({"results": [{"ResultsByTime": results}]}).encode()
    urllib.request.urlopen(
        urllib.request.Request(
            f"{server.url}/moto-api/static/ce/cost-and-usage-results",
            data=body,
            method="POST",
            headers={"Content-Type": "application/json"},
        )
    ).read()


@pytest.fixture
def account(aws):
    role = client(aws, "iam").create_role(RoleName="fn", AssumeRolePolicyDocument="{}")["Role"][
        "Arn"
    ]
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as z:
        z.writestr("app.py", "def handler(event, context): return 1\n")
    lam = client(aws, "lambda")
    lam.create_function(
        FunctionName="bookings",
        Runtime="python3.8",
        Role=role,
        Handler="app.handler",
        Code={"ZipFile": code.getvalue()},
        Tags={"entity": "co"},
        Environment={"Variables": {"DATABASE_PASSWORD": ENV_VALUE, "STAGE": "prod"}},
    )
    lam.create_function_url_config(FunctionName="bookings", AuthType="NONE")
    lam.create_function(
        FunctionName="thumbs",
        Runtime="python3.13",
        Role=role,
        Handler="app.handler",
        Code={"ZipFile": code.getvalue()},
        Architectures=["arm64"],
        Tags={"entity": "co"},
    )
    s3 = client(aws, "s3")
    s3.create_bucket(Bucket="co-uploads", CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_bucket_tagging(
        Bucket="co-uploads", Tagging={"TagSet": [{"Key": "entity", "Value": "co"}]}
    )
    client(aws, "dynamodb").create_table(
        TableName="orders",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PROVISIONED",
        ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
        Tags=[{"Key": "entity", "Value": "co"}],
    )
    r53 = client(aws, "route53")
    zone = r53.create_hosted_zone(Name="smallco.example.com", CallerReference="z1")["HostedZone"][
        "Id"
    ].split("/")[-1]
    r53.change_tags_for_resource(
        ResourceType="hostedzone", ResourceId=zone, AddTags=[{"Key": "entity", "Value": "co"}]
    )
    r53.create_hosted_zone(Name="orphan.example.net", CallerReference="z2")
    seed_costs(
        aws,
        {
            "2026-08": {"AWS Lambda": "10.00", "Amazon DynamoDB": "4.00"},
            "2026-09": {"AWS Lambda": "10.00", "Amazon DynamoDB": "4.00"},
            "2026-10": {"AWS Lambda": "20.00", "Amazon DynamoDB": "4.50"},
        },
    )
    return aws


def build(tmp_path, env: dict, toml: str = AWS_TOML):
    ws = load_workspace(write_workspace(tmp_path / "ws", toml), environ=env)
    return build_pack(ws, AS_OF, generated_at=GENERATED_AT)


def test_each_resource_shows_up_in_the_right_place(tmp_path, account):
    pack = build(tmp_path, account.env(REGION))
    assert (
        pack.portfolio.sources["aws"].state(pack.period) == "fresh"
        and not pack.portfolio.sources["aws"].gaps
    )
    findings = {f.title: f for f in pack.results.findings}
    url = findings["Lambda bookings has a public URL with no authentication"]
    assert (url.severity, url.entity, url.asset) == ("high", "co", "bookings")
    assert findings["Lambda bookings runs on python3.8"].severity == "high"
    assert (
        "DATABASE_PASSWORD" in findings[
            "Lambda bookings keeps secrets in environment variables"
        ].evidence
    )
    assert findings["Bucket co-uploads has no public access block"].severity == "medium"
    assert findings["Table orders has no point-in-time recovery"].entity == "co"
    assert "orphan.example.net" in findings["1 cloud resources belong to no venture"].evidence
    assert not any(
        "thumbs" in t for t in findings
    )  # a current runtime on arm64 with no URL: nothing to say

    assets = {(r["entity"], r["asset"]): r for r in pack.results.tables["executive.assets"].rows}
    assert assets[("Small Co", "smallco.example.com")]["note"] == "Route53 hosted zone"
    assert (
        assets[("Small Co", "bookings")]["worst"] == "high"
        and assets[("Small Co", "bookings")]["open_findings"] == 3
    )
    assert ("Unassigned", "orphan.example.net") in assets

    cost = pack.results.metrics
    assert (cost["technology.cloud_cost"].value, cost["technology.cloud_cost_ttm"].value) == (
        24.5,
        52.5,
    )
    assert str(cost["technology.cloud_cost_change"].value) == "75.0"  # (24.50 − 14.00) ÷ 14.00
    rows = {r["service"]: r for r in pack.results.tables["technology.cost_by_service"].rows}
    assert rows["AWS Lambda"]["trend"] == "up 100%" and str(rows["AWS Lambda"]["ttm"]) == "40.00"
    savings = pack.results.tables["technology.savings"].rows
    arm = next(r for r in savings if "arm64" in r["candidate"])
    assert str(arm["monthly_saving"]) == "2.00"  # 20% × 20.00 × 1 of 2 functions on x86_64
    assert any("provisioned capacity" in r["candidate"] for r in savings)

    cto = render(next(d for d in pack.documents if d.id == "cto"), "txt")
    assert "Lambda bookings has a public URL" in cto and "co-uploads" in cto
    for doc in pack.documents:
        for fmt in ("html", "txt", "md", "json"):
            assert "n0t-for-any-eyes" not in render(
                doc, fmt
            )  # an environment value is never read into a report


def test_paginates_every_listing(tmp_path, aws):
    ddb = client(aws, "dynamodb")
    for n in range(105):  # list_tables pages at 100
        ddb.create_table(
            TableName=f"t{n:03}",
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
    pack = build(tmp_path, aws.env(REGION))
    tables = [r for r in pack.portfolio.cloud.resources if r.service == "dynamodb"]
    assert len(tables) == 105


def test_missing_credentials_leave_the_pack_building(tmp_path, monkeypatch):
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    pack = build(tmp_path, {"AWS_REGION": REGION})
    status = pack.portfolio.sources["aws"]
    assert status.state(pack.period) == "failed" and "AWS credentials not found" in status.error
    cto = next(d for d in pack.documents if d.id == "cto")
    said = [
        b.text
        for s in cto.sections
        for b in s.blocks
        if "could not be read: AWS credentials not found" in getattr(b, "text", "")
    ]
    assert len(said) == 1  # once in the report, not in every AWS section
    assert "technology.cost" not in [s.id for s in cto.sections]  # it had nothing else to say
    assert any(d.id == "cfo" for d in pack.documents)


def test_refused_credentials_and_denied_services_become_notes(tmp_path):
    """moto with IAM enforcement on: a user allowed to read some services only, and a key it does
    not know."""
    from tests.servers import MotoServer

    server = MotoServer(env={"INITIAL_NO_AUTH_ACTION_COUNT": "3"})  # the three set-up calls below
    try:
        iam = client(server, "iam", "us-east-1")
        iam.create_user(UserName="auditor")
        policy = {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "NotAction": ["dynamodb:*", "s3:*"], "Resource": "*"}
            ],
        }
        iam.put_user_policy(
            UserName="auditor", PolicyName="read", PolicyDocument=json.dumps(policy)
        )
        key = iam.create_access_key(UserName="auditor")["AccessKey"]
        env = {
            "AWS_ENDPOINT_URL": server.url,
            "AWS_ACCESS_KEY_ID": key["AccessKeyId"],
            "AWS_SECRET_ACCESS_KEY": key["SecretAccessKey"],
            "AWS_REGION": REGION,
        }
        pack = build(tmp_path / "a", env)
        status = pack.portfolio.sources["aws"]
        assert status.state(pack.period) == "fresh"
        assert any(g.startswith("DynamoDB in us-west-2: access denied") for g in status.gaps)
        assert any(g.startswith("S3 in us-west-2: access denied") for g in status.gaps)
        cto = next(d for d in pack.documents if d.id == "cto")
        assert any(
            "Not seen: DynamoDB in us-west-2: access denied" in getattr(b, "text", "")
            for s in cto.sections
            for b in s.blocks
        )
        assert key["SecretAccessKey"] not in json.dumps([g for g in status.gaps])

        refused = build(tmp_path / "b", env | {"AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE"})
        status = refused.portfolio.sources["aws"]
        assert (
            status.state(refused.period) == "failed" and "credentials were refused" in status.error
        )
        assert "AKIAIOSFODNN7EXAMPLE" not in status.error
    finally:
        server.stop()


def test_a_region_without_the_service_is_a_gap(tmp_path, account):
    pack = build(
        tmp_path,
        account.env(REGION),
        AWS_TOML.replace(f'["{REGION}"]', f'["{REGION}", "xx-nowhere-1"]'),
    )
    gaps = pack.portfolio.sources["aws"].gaps
    assert any(g.startswith("Lambda in xx-nowhere-1:") for g in gaps)
    assert any(
        r.name == "bookings" for r in pack.portfolio.cloud.resources
    )  # the good region is still read


def test_bad_aws_settings_are_clear_errors(tmp_path):
    for toml, expected in (
        (
            TOML + "[sources.aws]\nregions = []\n",
            "sources.aws.regions: List should have at least 1",
        ),
        (
            TOML + '[sources.aws]\nregions = ["Oregon"]\n',
            "'Oregon' is not an AWS region code: write it as AWS does, e.g. us-west-2",
        ),
        (
            TOML + '[sources.aws]\nregions = ["us-west-2"]\nregion = "x"\n',
            "sources.aws.region: unknown key; did you mean 'regions'?",
        ),
    ):
        ws = write_workspace(tmp_path / f"ws{len(toml)}", toml)
        result = run_cli("check", "-w", str(ws))
        assert (
            result.returncode == 2
            and expected in result.stderr
            and "Traceback" not in result.stderr
        )


def test_cost_by_venture_untagged_shown_and_per_unit_sold(tmp_path, aws):
    """Cost Explorer answers the by-service query, then the one grouped by the entity tag."""
    by_service = {
        "TimePeriod": {"Start": "2026-10-01", "End": "2026-10-31"},
        "Groups": [
            {
                "Keys": ["AWS Lambda"],
                "Metrics": {"UnblendedCost": {"Amount": "24.50", "Unit": "USD"}},
            }
        ],
    }
    by_tag = {
        "TimePeriod": {"Start": "2026-10-01", "End": "2026-10-31"},
        "Groups": [
            {
                "Keys": ["entity$co"],
                "Metrics": {"UnblendedCost": {"Amount": "20.00", "Unit": "USD"}},
            },
            {"Keys": ["entity$"], "Metrics": {"UnblendedCost": {"Amount": "4.50", "Unit": "USD"}}},
        ],
    }
    body = json.dumps({"results": [{"ResultsByTime": [by_service]}, {"ResultsByTime": [by_tag]}]})
    urllib.request.urlopen(
        urllib.request.Request(
            f"{aws.url}/moto-api/static/ce/cost-and-usage-results",
            data=body.encode(),
            method="POST",
            headers={"Content-Type": "application/json"},
        )
    ).read()
    pack = build(tmp_path, aws.env(REGION))
    m = pack.results.metrics
    assert m["cloud_cost.by_entity.co"].value == Decimal("20.00")
    # October's one income row (no quantity: one unit) — 20.00 of cloud per unit sold
    assert m["cloud_cost.per_unit.co"].value == Decimal("20.00")
    rows = {r["venture"]: r for r in pack.results.tables["cloud_cost.by_entity"].rows}
    assert rows["untagged"]["cost"] == Decimal("4.50")
