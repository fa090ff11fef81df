"""The AWS source against a real moto_server, with resources the test creates."""

from __future__ import annotations

import io
import json
import urllib.request
import zipfile
from datetime import date, timedelta
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
    """Cost Explorer results, seeded through moto's own API (it answers queries with them in
    order)."""
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
        "DATABASE_PASSWORD"
        in findings["Lambda bookings keeps secrets in environment variables"].evidence
    )
    assert findings["Bucket co-uploads has no public access block"].severity == "medium"
    assert findings["Table orders has no point-in-time recovery and no backup plan"].entity == "co"
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


def test_refused_credentials_and_denied_services_become_notes(tmp_path, aws):
    """moto with IAM enforcement on: a user allowed to read some services only, and a key it does
    not know."""
    aws.enforce_iam_after(3)  # the three set-up calls below
    iam = client(aws, "iam", "us-east-1")
    iam.create_user(UserName="auditor")
    policy = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "NotAction": ["dynamodb:*", "s3:*"], "Resource": "*"}],
    }
    iam.put_user_policy(UserName="auditor", PolicyName="read", PolicyDocument=json.dumps(policy))
    key = iam.create_access_key(UserName="auditor")["AccessKey"]
    env = {
        "AWS_ENDPOINT_URL": aws.url,
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
    assert status.state(refused.period) == "failed" and "credentials were refused" in status.error
    assert "AKIAIOSFODNN7EXAMPLE" not in status.error


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


def seed_hygiene(server) -> date:
    """An account with one instance of each hygiene problem beside a good one; returns the day the
    IAM keys were made (their age is measured from the as-of date)."""
    iam = client(server, "iam", "us-east-1")
    for user in ("alice", "bob"):
        iam.create_user(UserName=user)
        iam.create_login_profile(UserName=user, Password="Not-a-real-1!")
    with_mfa(iam, "bob")
    iam.create_user(UserName="ci")
    key = iam.create_access_key(UserName="ci")["AccessKey"]
    s3 = client(server, "s3")
    where = {"CreateBucketConfiguration": {"LocationConstraint": REGION}}
    for bucket in ("co-data", "co-archive", "co-empty", "trail-logs"):
        s3.create_bucket(Bucket=bucket, **where)
        s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [{"Key": "entity", "Value": "co"}]})
    for bucket in ("co-data", "co-archive"):
        s3.put_object(Bucket=bucket, Key="2026/bookings.csv", Body=b"id\n1\n")
    s3.put_bucket_versioning(Bucket="co-archive", VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_versioning(Bucket="trail-logs", VersioningConfiguration={"Status": "Enabled"})
    ct = client(server, "cloudtrail")
    ct.create_trail(Name="main", S3BucketName="trail-logs", IsMultiRegionTrail=True)
    ct.start_logging(Name="main")
    ddb = client(server, "dynamodb")
    for table, tags in (("invoices", {}), ("ledger", {"backup": "daily"}), ("sessions", {})):
        ddb.create_table(
            TableName=table,
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
            Tags=[{"Key": k, "Value": v} for k, v in {"entity": "co", **tags}.items()],
        )
    ddb.update_continuous_backups(
        TableName="sessions",
        PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True},
    )
    backup = client(server, "backup")
    plan = backup.create_backup_plan(
        BackupPlan={
            "BackupPlanName": "daily",
            "Rules": [{"RuleName": "daily", "TargetBackupVaultName": "Default"}],
        }
    )["BackupPlanId"]
    backup.create_backup_selection(
        BackupPlanId=plan,
        BackupSelection={
            "SelectionName": "tagged",
            "IamRoleArn": "arn:aws:iam::123456789012:role/backup",
            "ListOfTags": [
                {
                    "ConditionType": "STRINGEQUALS",
                    "ConditionKey": "backup",
                    "ConditionValue": "daily",
                }
            ],
        },
    )
    rds = client(server, "rds")
    for db, days in (("books", 0), ("crm", 7)):
        rds.create_db_instance(
            DBInstanceIdentifier=db,
            DBInstanceClass="db.t3.micro",
            Engine="postgres",
            MasterUsername="app",
            MasterUserPassword="Not-a-real-1!",
            AllocatedStorage=20,
            BackupRetentionPeriod=days,
            Tags=[{"Key": "entity", "Value": "co"}],
        )
    ec2 = client(server, "ec2")
    reservation = ec2.run_instances(
        ImageId=ec2.register_image(Name="base", RootDeviceName="/dev/sda1")["ImageId"],
        MinCount=1,
        MaxCount=1,
    )
    instance = reservation["Instances"][0]["InstanceId"]
    for name in ("shared-ami", "private-ami"):
        image = ec2.create_image(InstanceId=instance, Name=name)["ImageId"]
        if name == "shared-ami":
            ec2.modify_image_attribute(ImageId=image, LaunchPermission={"Add": [{"Group": "all"}]})
    volume = ec2.create_volume(AvailabilityZone=f"{REGION}a", Size=8)["VolumeId"]
    for shared in (True, False):
        snap = ec2.create_snapshot(VolumeId=volume)["SnapshotId"]
        if shared:
            ec2.modify_snapshot_attribute(
                SnapshotId=snap,
                Attribute="createVolumePermission",
                OperationType="add",
                GroupNames=["all"],
            )
    return key["CreateDate"].date()


def with_mfa(iam, user: str) -> None:
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName=user)["VirtualMFADevice"]
    iam.enable_mfa_device(
        UserName=user,
        SerialNumber=device["SerialNumber"],
        AuthenticationCode1="123456",
        AuthenticationCode2="654321",
    )


def hygiene_of(pack) -> dict[str, str]:
    return {r["check"]: r["result"] for r in pack.results.tables["technology.compliance"].rows}


def test_account_hygiene_each_check_failing(tmp_path, aws):
    """Root keys present (and, as moto keeps it, no root MFA), a console user without MFA, a key
    91 days old, an unprotected table and database, a versionless bucket holding data, a public AMI
    and snapshot, a second audited region that no trail records."""
    aws.configure(MOTO_ROOT_ACCESS_KEYS="1")
    made = seed_hygiene(aws)
    client(aws, "cloudtrail").update_trail(Name="main", IsMultiRegionTrail=False)
    two = AWS_TOML.replace(f'["{REGION}"]', f'["{REGION}", "eu-west-1"]')
    ws = load_workspace(write_workspace(tmp_path / "ws", two), environ=aws.env(REGION))
    pack = build_pack(ws, made + timedelta(days=91), generated_at=GENERATED_AT)
    assert not pack.portfolio.sources["aws"].gaps
    assert set(hygiene_of(pack).values()) == {"failed"}
    found = {f.title: f for f in pack.results.findings}
    assert found["The AWS root user has no MFA"].severity == "critical"
    assert found["The AWS root user has access keys"].severity == "critical"
    assert "alice" in found["1 IAM users sign in to the console without MFA"].evidence
    assert "bob" not in found["1 IAM users sign in to the console without MFA"].evidence
    old = found["1 active access keys are older than 90 days"]
    assert "ci's key …" in old.evidence and "91 days old" in old.evidence
    assert "main" not in found["No CloudTrail trail is logging in eu-west-1"].title
    assert found["Table invoices has no point-in-time recovery and no backup plan"].entity == "co"
    assert "Table ledger has no point-in-time recovery and no backup plan" not in found  # its plan
    assert "Table sessions has no point-in-time recovery and no backup plan" not in found  # PITR
    assert "Database books has no point-in-time recovery and no backup plan" in found
    assert "Database crm has no point-in-time recovery and no backup plan" not in found
    assert "Bucket co-data holds data without versioning" in found
    assert not any(
        t.startswith(("Bucket co-empty holds", "Bucket co-archive holds")) for t in found
    )
    public = [t for t in found if t.endswith(" is public")]
    assert len(public) == 2 and any(t.startswith("AMI ") for t in public)
    # every one of the eight checks applies to Small Co, and every one failed
    score = pack.results.metrics["technology.compliance.co"]
    assert (score.value, score.status) == (Decimal(0), "bad") and "0 of 8" in score.note
    cto = render(next(d for d in pack.documents if d.id == "cto"), "txt")
    assert "AWS account hygiene" in cto and "How the hygiene score is worked out" in cto


def test_account_hygiene_each_check_passing(tmp_path, aws):
    aws.configure(MOTO_ROOT_MFA="1")
    made = seed_hygiene(aws)
    with_mfa(client(aws, "iam", "us-east-1"), "alice")
    ddb = client(aws, "dynamodb")
    ddb.update_continuous_backups(
        TableName="invoices",
        PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True},
    )
    client(aws, "rds").modify_db_instance(
        DBInstanceIdentifier="books", BackupRetentionPeriod=7, ApplyImmediately=True
    )
    s3 = client(aws, "s3")
    s3.put_bucket_versioning(Bucket="co-data", VersioningConfiguration={"Status": "Enabled"})
    ec2 = client(aws, "ec2")
    for image in ec2.describe_images(Owners=["self"])["Images"]:
        ec2.modify_image_attribute(
            ImageId=image["ImageId"], LaunchPermission={"Remove": [{"Group": "all"}]}
        )
    for snap in ec2.describe_snapshots(OwnerIds=["self"])["Snapshots"]:
        ec2.modify_snapshot_attribute(
            SnapshotId=snap["SnapshotId"],
            Attribute="createVolumePermission",
            OperationType="remove",
            GroupNames=["all"],
        )
    ws = load_workspace(write_workspace(tmp_path / "ws", AWS_TOML), environ=aws.env(REGION))
    pack = build_pack(ws, made + timedelta(days=90), generated_at=GENERATED_AT)
    assert set(hygiene_of(pack).values()) == {"passed"}, hygiene_of(pack)
    score = pack.results.metrics["technology.compliance.co"]
    assert (score.value, score.status) == (Decimal(100), "good") and "8 of 8" in score.note
    titles = " ".join(f.title for f in pack.results.findings)
    for failed in ("MFA", "root user has access keys", "no backup plan", "is public", "CloudTrail"):
        assert failed not in titles


def test_denied_iam_and_cloudtrail_are_gaps_and_the_rest_is_scored(tmp_path, aws):
    aws.enforce_iam_after(3)
    iam = client(aws, "iam", "us-east-1")
    iam.create_user(UserName="auditor")
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "*", "Resource": "*"},
            {"Effect": "Deny", "Action": ["iam:*", "cloudtrail:*"], "Resource": "*"},
        ],
    }
    iam.put_user_policy(UserName="auditor", PolicyName="read", PolicyDocument=json.dumps(policy))
    key = iam.create_access_key(UserName="auditor")["AccessKey"]
    env = aws.env(REGION) | {
        "AWS_ACCESS_KEY_ID": key["AccessKeyId"],
        "AWS_SECRET_ACCESS_KEY": key["SecretAccessKey"],
    }
    pack = build(tmp_path, env)
    gaps = pack.portfolio.sources["aws"].gaps
    for what in ("IAM account summary", "IAM users", f"CloudTrail in {REGION}"):
        assert any(g.startswith(what) and "access denied" in g for g in gaps), gaps
    # the rest is read (moto cannot authorize its REST-protocol services, Lambda, API Gateway,
    # Backup and Route53, with signed keys: those are gaps here whatever the policy says)
    assert not any(g.startswith(("S3", "DynamoDB", "RDS", "EC2", "SES")) for g in gaps), gaps
    results = hygiene_of(pack)
    assert [c for c, r in results.items() if r == "not read"] == [
        "The root user has MFA",
        "The root user has no access keys",
        "A CloudTrail trail is logging in every audited region",
        "Every IAM user with a console password has MFA",
        "No active access key older than 90 days",
    ]
    assert results["No AMI or EBS snapshot is public"] == "passed"
    account = pack.results.metrics["technology.compliance"]
    assert "1 of 1" in account.note and account.value == Decimal(100)


# IAM's names for the operations whose action is not the operation's own name
IAM_NAMES = {
    "s3:ListBuckets": "s3:ListAllMyBuckets",
    "s3:GetPublicAccessBlock": "s3:GetBucketPublicAccessBlock",
    "s3:GetBucketEncryption": "s3:GetEncryptionConfiguration",
    "s3:ListObjectsV2": "s3:ListBucket",
    "sesv2": "ses",
}


def test_the_deployed_role_may_make_every_call_the_audit_makes(tmp_path, account, monkeypatch):
    """The reader's calls, recorded on a seeded account, against the stack's ACCOUNT_READS."""
    from boardpack import aws_clients as clients
    from boardpack.aws.template import ACCOUNT_READS, template

    seed_hygiene(account)
    made = set()
    real = clients.client

    def recording(*args, **kwargs):
        c = real(*args, **kwargs)
        prefix = IAM_NAMES.get(c.meta.service_model.service_name, c.meta.service_model.signing_name)

        def record(model, params, **_):
            if prefix == "apigateway":  # API Gateway's actions are its HTTP methods
                made.add(f"apigateway:{model.http['method']}")
            elif model.name != "GetCallerIdentity":  # needs no permission
                name = f"{prefix}:{model.name}"
                made.add(IAM_NAMES.get(name, name))

        c.meta.events.register("before-call", record)
        return c

    monkeypatch.setattr(clients, "client", recording)
    toml = AWS_TOML + '[schedule]\ncron = "0 6 * * MON"\n'
    ws = load_workspace(write_workspace(tmp_path / "ws", toml), environ=account.env(REGION))
    pack = build_pack(ws, AS_OF, generated_at=GENERATED_AT)
    assert not pack.portfolio.sources["aws"].gaps
    assert {"iam:ListAccessKeys", "cloudtrail:GetTrailStatus", "backup:GetBackupSelection"} <= made
    assert made <= set(ACCOUNT_READS["Action"]), made - set(ACCOUNT_READS["Action"])
    run = template(ws)["Resources"]["RunRole"]["Properties"]["Policies"][0]["PolicyDocument"]
    assert ACCOUNT_READS in run["Statement"]
    fan_out = template(ws, portfolios="s3://clients/all/")["Resources"]
    worker = fan_out["WorkerRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
    assert ACCOUNT_READS not in worker  # a shared worker never reads the host's account


@pytest.mark.parametrize(
    ("selection", "picked"),
    [
        ({"Resources": ["*"]}, True),
        ({"Resources": ["arn:aws:dynamodb:*:*:table/*"]}, True),
        ({"Resources": ["arn:aws:rds:*:*:db:*"]}, False),
        ({"Resources": ["*"], "NotResources": ["arn:aws:dynamodb:*:*:table/invoices"]}, False),
        (
            {
                "ListOfTags": [
                    {"ConditionType": "STRINGEQUALS", "ConditionKey": "tier", "ConditionValue": "1"}
                ]
            },
            True,
        ),
        (
            {
                "ListOfTags": [
                    {
                        "ConditionType": "STRINGEQUALS",
                        "ConditionKey": "aws:ResourceTag/tier",
                        "ConditionValue": "2",
                    }
                ]
            },
            False,
        ),
        (
            {
                "Resources": ["*"],
                "Conditions": {
                    "StringLike": [
                        {"ConditionKey": "aws:ResourceTag/entity", "ConditionValue": "c*"}
                    ]
                },
            },
            True,
        ),
        (
            {
                "Resources": ["*"],
                "Conditions": {
                    "StringEquals": [
                        {"ConditionKey": "aws:ResourceTag/entity", "ConditionValue": "co"}
                    ],
                    "StringNotEquals": [
                        {"ConditionKey": "aws:ResourceTag/tier", "ConditionValue": "1"}
                    ],
                },
            },
            False,  # every condition must hold
        ),
        ({}, False),
    ],
)
def test_which_resources_a_backup_selection_picks(selection, picked):
    from boardpack.sources.aws_reader import selects

    arn = "arn:aws:dynamodb:us-west-2:123456789012:table/invoices"
    assert selects(selection, arn, {"entity": "co", "tier": "1"}) is picked


def test_each_months_aws_bill_is_tied_to_the_ledgers_payment_the_month_after(tmp_path, account):
    """Cost Explorer bills 14.00 for August and September and 24.50 for October; the bank paid AWS
    14.00 on 2 September, 15.00 on 2 October (7.1% over September's bill: a finding) and 24.50 on
    2 November."""
    ledger = (
        "Date,Payee,Memo,Amount,Account\n"
        "2026-08-05,Acme,August sale,6000.00,Income:Sales\n"
        "2026-09-02,Amazon Web Services,AWS bill,-14.00,Expenses:Cloud\n"
        "2026-10-02,AWS EMEA,AWS bill,-15.00,Expenses:Cloud\n"
        "2026-10-05,Acme,October sale,1200.00,Income:Sales\n"
        "2026-11-02,Amazon Web Services,AWS bill,-24.50,Expenses:Cloud\n"
    )
    ws = load_workspace(
        write_workspace(tmp_path / "ws", AWS_TOML, {"ledger/bank.csv": ledger}),
        environ=account.env(REGION),
    )
    pack = build_pack(ws, AS_OF, generated_at=GENERATED_AT)
    rows = [
        (r["month"], r["bill"], r["paid"], r["percent"], r["state"])
        for r in pack.results.tables["cloud_cost.bill_vs_ledger"].rows
    ]
    assert rows == [
        ("2026-08", Decimal("14.00"), Decimal("14.00"), Decimal("0.0"), "tied"),
        ("2026-09", Decimal("14.00"), Decimal("15.00"), Decimal("7.1"), "off"),
        ("2026-10", Decimal("24.50"), Decimal("24.50"), Decimal("0.0"), "tied"),
    ]
    metric = pack.results.metrics["cloud_cost.bill_vs_ledger"]
    assert (metric.value, metric.status) == (Decimal("0.0"), "good")
    (found,) = [f for f in pack.results.findings if "AWS bill for" in f.title]
    assert found.title == "The AWS bill for Sep 2026 and the ledger's payment differ"
