"""`boardpack deploy aws`: the generated CloudFormation passes cfn-lint for several workspaces, and
grants each function only what it does."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from boardpack.aws.template import eventbridge_cron
from boardpack.errors import WorkspaceError
from tests.conftest import TOML, run_cli, write_workspace

CFN_LINT = shutil.which("cfn-lint", path=str(Path(sys.executable).parent)) or "cfn-lint"


def deploy(root: Path, *options: str) -> dict:
    out = root / "template.json"
    result = run_cli("deploy", "aws", "-w", str(root), "--template-out", str(out), *options)
    assert result.returncode == 0, result.stderr
    lint = subprocess.run([CFN_LINT, str(out)], capture_output=True, text=True, timeout=300)
    assert lint.returncode == 0, lint.stdout + lint.stderr
    return json.loads(out.read_text())


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    root = tmp_path_factory.mktemp("demo") / "harbor"
    assert run_cli("init", str(root), "--demo", "--as-of", "2026-11-22").returncode == 0
    return root


def test_the_demo_stack_lints_and_each_function_may_do_only_its_job(demo):
    t = deploy(demo)
    r = t["Resources"]
    table = r["AuditTable"]["Properties"]
    assert table["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert (
        table["SSESpecification"] == {"SSEEnabled": True}
        and r["AuditTable"]["DeletionPolicy"] == "Retain"
    )
    schedule = r["Schedule"]["Properties"]
    assert schedule["ScheduleExpression"] == "cron(0 6 ? * MON *)"
    assert schedule["ScheduleExpressionTimezone"] == "America/Los_Angeles"
    assert schedule["FlexibleTimeWindow"] == {"Mode": "FLEXIBLE", "MaximumWindowInMinutes": 15}
    target = schedule["Target"]
    assert target["RetryPolicy"]["MaximumRetryAttempts"] == 3
    assert target["DeadLetterConfig"] == {"Arn": {"Fn::GetAtt": ["ScheduleDeadLetters", "Arn"]}}
    assert json.loads(target["Input"])["scheduled_time"] == "<aws.scheduler.scheduled-time>"
    run = r["Run"]["Properties"]
    assert (
        run["Handler"] == "boardpack.aws.handlers.scheduled_run"
        and run["ReservedConcurrentExecutions"] == 1
    )
    assert run["Environment"]["Variables"]["BOARDPACK_WORKSPACE"] == "/var/task/workspace"
    statements = r["RunRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
    by_action = {a: s["Resource"] for s in statements for a in s["Action"]}
    assert by_action["ses:SendRawEmail"] == [
        {
            "Fn::Sub": (
                "arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:identity/${SenderIdentity}"
            )
        },
        {
            "Fn::Sub": (
                "arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:configuration-set/${ConfigurationSet}"
            )
        },
    ]
    assert (
        t["Parameters"]["SenderIdentity"]["Default"] == "example.com"
    )  # the domain of delivery.from
    assert by_action["sns:Publish"] == {"Ref": "AlertTopic"}
    assert by_action["dynamodb:PutItem"] == [
        {"Fn::GetAtt": ["AuditTable", "Arn"]},
        {"Fn::Sub": "${AuditTable.Arn}/index/*"},
    ]
    assert {a for a, res in by_action.items() if res == "*"} == {
        "ses:GetAccount",
        "ses:GetSendQuota",
    }
    events = {
        a
        for s in r["SesEventsRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
        for a in s["Action"]
    }
    assert not any(a.startswith(("ses:", "sns:", "s3:")) for a in events)  # it only records events
    destination = r["ConfigurationSetEvents"]["Properties"]["EventDestination"]
    assert destination["SnsDestination"] == {"TopicARN": {"Ref": "SesEventTopic"}}
    assert {"bounce", "complaint"} <= set(destination["MatchingEventTypes"])
    alarms = {name for name, res in r.items() if res["Type"] == "AWS::CloudWatch::Alarm"}
    assert alarms == {
        "RunErrors",
        "SesEventsErrors",
        "ScheduleDeadLettersAlarm",
        "BounceRateAlarm",
        "ComplaintRateAlarm",
    }


def test_a_fan_out_stack_with_an_s3_workspace_and_a_business_day(tmp_path):
    toml = TOML + '\n[schedule]\nbusiness_day = 3\nat = "07:30"\nflexible_window_minutes = 0\n'
    root = write_workspace(tmp_path / "ws", toml)
    r = deploy(root, "--portfolios", "s3://clients/all/", "--runtime", "python3.13")["Resources"]
    assert r["Schedule"]["Properties"]["ScheduleExpression"] == "cron(30 7 ? * MON-FRI *)"
    assert r["Schedule"]["Properties"]["FlexibleTimeWindow"] == {"Mode": "OFF"}
    assert r["Schedule"]["Properties"]["Target"]["Arn"] == {"Fn::GetAtt": ["Planner", "Arn"]}
    assert r["JobQueue"]["Properties"]["RedrivePolicy"]["maxReceiveCount"] == 5
    assert r["WorkerJobs"]["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    worker = r["WorkerRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
    reads = next(s for s in worker if s["Action"] == ["s3:GetObject"])
    assert reads["Resource"] == "arn:aws:s3:::clients/all/*"
    assert r["Worker"]["Properties"]["Runtime"] == "python3.13"
    assert "BOARDPACK_WORKSPACE" not in r["SesEvents"]["Properties"]["Environment"]["Variables"]
    assert {"WorkerErrors", "PlannerErrors", "JobDeadLettersAlarm"} <= set(r)

    s3_root = write_workspace(tmp_path / "s3", TOML + '\n[schedule]\ncron = "15 5 1 * *"\n')
    r = deploy(s3_root, "--workspace-uri", "s3://packs/harbor/")["Resources"]
    assert (
        r["Run"]["Properties"]["Environment"]["Variables"]["BOARDPACK_WORKSPACE"]
        == "s3://packs/harbor/"
    )
    assert r["Schedule"]["Properties"]["ScheduleExpression"] == "cron(15 5 1 * ? *)"


@pytest.mark.parametrize(
    "cron, expected",
    [
        ("0 6 * * MON", "cron(0 6 ? * MON *)"),
        ("0 6 * * 1-5", "cron(0 6 ? * 2-6 *)"),  # EventBridge numbers Sunday 1
        ("0 6 * * 0,6", "cron(0 6 ? * 1,7 *)"),
        ("30 7 1 * *", "cron(30 7 1 * ? *)"),
        ("*/15 * * * *", "cron(*/15 * * * ? *)"),
    ],
)
def test_cron_becomes_eventbridge_cron(cron, expected):
    assert eventbridge_cron(cron) == expected


def test_cron_that_eventbridge_cannot_express_is_refused():
    with pytest.raises(WorkspaceError, match="day of the month and a day of the week both"):
        eventbridge_cron("0 6 1 * MON")


@pytest.mark.parametrize(
    "options, schedule, message",
    [
        (["--runtime", "python2.7"], 'cron = "0 6 * * MON"', "--runtime 'python2.7': choose from"),
        (["--portfolios", "https://clients/all/"], 'cron = "0 6 * * MON"', "is not an S3 location"),
        ([], "", "no schedule to deploy"),
        (
            [],
            'cron = "0 6 1 * MON"',
            "EventBridge cannot fire on a day of the month and a day of the week",
        ),
    ],
)
def test_bad_deploy_input_is_exit_2_and_writes_nothing(tmp_path, options, schedule, message):
    root = write_workspace(tmp_path / "ws", TOML + f"\n[schedule]\n{schedule}\n")
    result = run_cli(
        "deploy", "aws", "-w", str(root), "--template-out", str(tmp_path / "t.json"), *options
    )
    assert result.returncode == 2 and message in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "t.json").exists()


def test_an_audited_account_gives_the_run_its_read_calls_and_still_lints(tmp_path):
    """The reads themselves are checked against the reader's calls in tests/sources/test_aws.py."""
    toml = TOML + '[sources.aws]\nregions = ["us-west-2"]\n[schedule]\ncron = "0 6 * * MON"\n'
    r = deploy(write_workspace(tmp_path / "ws", toml))["Resources"]
    run = r["RunRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
    reads = next(s for s in run if "iam:GetAccountSummary" in s["Action"])
    assert reads["Resource"] == "*" and all(
        a.split(":")[1].startswith(("List", "Get", "Describe", "GET")) for a in reads["Action"]
    )
    events = r["SesEventsRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
    assert reads not in events  # only the functions that build a pack read the account


def test_a_live_table_gives_the_run_exactly_its_reads_on_that_table(tmp_path):
    """Issue 41, part 8: a Query source reads its table with Query and DescribeTable, a Scan
    source with Scan, each on its own table's ARN (in its own region where it says one), nothing
    wider — and the stack still lints."""
    from tests.sources.test_live import BOOKINGS, CLOUDWATCH, LEDGER, LIVE, S3_LOGS

    toml = LIVE + CLOUDWATCH + S3_LOGS + (
        '\n[[sources.dynamodb]]\nname = "app-events"\ntable = "Events"\nregion = "eu-west-1"\n'
        'period_attribute = "at"\nshape = "events"\nentity = "boats"\n'
        '[schedule]\ncron = "0 6 * * MON"\n'
    )
    root = write_workspace(
        tmp_path / "ws", toml, {"bookings.csv": BOOKINGS, "ledger/bank.csv": LEDGER}
    )
    r = deploy(root)["Resources"]
    run = r["RunRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
    live = [s for s in run if any(a in s["Action"] for a in ("dynamodb:Query", "dynamodb:Scan"))]
    live = [s for s in live if "AuditTable" not in json.dumps(s["Resource"])]
    where = "arn:${AWS::Partition}:dynamodb:"
    account, region = "${AWS::AccountId}", "${AWS::Region}"
    assert [(sorted(s["Action"]), s["Resource"]["Fn::Sub"].removeprefix(where)) for s in live] == [
        (["dynamodb:DescribeTable", "dynamodb:Query"], f"{region}:{account}:table/Bookings"),
        (["dynamodb:DescribeTable", "dynamodb:Scan"], f"eu-west-1:{account}:table/Events"),
    ]
    assert {"Effect": "Allow", "Action": ["cloudwatch:GetMetricData"], "Resource": "*"} in run
    logs = "arn:aws:s3:::boat-logs/app/*"
    assert {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": logs} in run


def test_a_live_source_in_an_s3_workspace_may_keep_its_snapshots_beside_it_and_no_more(tmp_path):
    from tests.sources.test_live import CLOUDWATCH

    schedule = '[schedule]\ncron = "0 6 * * MON"\n'
    root = write_workspace(tmp_path / "ws", TOML + CLOUDWATCH + schedule)
    r = deploy(root, "--workspace-uri", "s3://packs/harbor/")["Resources"]
    run = r["RunRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
    puts = [s for s in run if "s3:PutObject" in s["Action"]]
    assert puts == [
        {"Effect": "Allow", "Action": ["s3:PutObject"],
         "Resource": "arn:aws:s3:::packs/harbor/.boardpack/snapshots/*"}
    ]  # fmt: skip
    events = r["SesEventsRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
    assert not [s for s in events if "s3:PutObject" in s["Action"]]


def test_the_sending_accounts_reputation_alarms_reach_the_alert_topic(demo):
    """Issue 41, part 2: SES's account-wide bounce rate (5%) and complaint rate (0.1%), hourly,
    each an alarm published to the alert topic — heard when it happens, not at the next run."""
    r = deploy(demo)["Resources"]
    found = {
        p["MetricName"]: (p["Threshold"], p["Statistic"], p["AlarmActions"])
        for p in (r[n]["Properties"] for n in ("BounceRateAlarm", "ComplaintRateAlarm"))
    }
    topic = [{"Ref": "AlertTopic"}]
    assert found == {
        "Reputation.BounceRate": (0.05, "Average", topic),
        "Reputation.ComplaintRate": (0.001, "Average", topic),
    }
