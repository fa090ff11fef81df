"""`boardpack deploy aws --template-out FILE`: the CloudFormation template that runs a workspace on
AWS.

One stack: the functions (each with a role allowed only what it does), an EventBridge Scheduler
schedule in the organization's time zone (flexible window, retries, a dead-letter queue), the
DynamoDB audit table (point-in-time recovery, encryption, kept if the stack is deleted), the SNS
alert topic, the SES configuration set whose events reach the SES events function through SNS,
CloudWatch alarms on function errors and dead letters. With `portfolios`, the schedule drives a
planner that enqueues one job per portfolio and report on SQS, and a worker function consumes them
(Lambda's concurrency is the scale-out).

The SNS topics are not KMS-encrypted: CloudWatch alarms and SES can publish to an encrypted topic
only through a customer-managed key whose policy lets them, which this template does not create.
"""

from __future__ import annotations

import json
import re

from boardpack.aws.workspace import s3_location
from boardpack.config import Workspace
from boardpack.delivery.addresses import bare
from boardpack.delivery.plan import sender
from boardpack.errors import WorkspaceError

RUNTIMES = ("python3.11", "python3.12", "python3.13")
HANDLERS = "boardpack.aws.handlers"
BUNDLE = "boardpack-lambda.zip"  # what `--package DIR` writes, and the CodeKey default
BUNDLED_WORKSPACE = "workspace"  # the workspace's folder inside the deployment bundle
SUB = "Fn::Sub"


def eventbridge_cron(expression: str) -> str:
    """A five-field cron expression as EventBridge Scheduler writes it: six fields, `?` in one day
    field, and days of the week numbered 1 (Sunday) to 7."""
    minute, hour, dom, month, dow = expression.split()
    if dom != "*" and dow != "*":
        raise WorkspaceError(
            f"schedule.cron = {expression!r}: EventBridge cannot fire on a day of the month and a "
            "day of the week both (cron fires on either); use one of them"
        )
    if "/" in dow:
        raise WorkspaceError(
            f"schedule.cron = {expression!r}: EventBridge takes no step in the day of the week; "
            "list the days instead (MON,WED,FRI)"
        )
    dow = re.sub(r"\d+", lambda m: str(int(m[0]) % 7 + 1), dow)
    if dow == "*":
        dow = "?"
    else:
        dom = "?"
    return f"cron({minute} {hour} {dom} {month} {dow} *)"


def schedule_expression(workspace: Workspace) -> str:
    schedule = workspace.settings.schedule
    # every weekday at `at`; the function runs only on the business day
    if schedule.business_day is not None:
        return f"cron({schedule.at.minute} {schedule.at.hour} ? * MON-FRI *)"
    if schedule.cron is None:
        raise WorkspaceError(
            'no schedule to deploy: add [schedule] with cron = "0 6 * * MON" or business_day = 3 '
            "to boardpack.toml"
        )
    return eventbridge_cron(schedule.cron)


def arn(service: str, resource: str) -> dict:
    return {
        SUB: f"arn:${{AWS::Partition}}:{service}:${{AWS::Region}}:${{AWS::AccountId}}:{resource}"
    }


def role(
    name: str,
    statements: list[dict],
    principal: str = "lambda.amazonaws.com",
    log_group: str | None = None,
    condition: dict | None = None,
) -> dict:
    if log_group:  # only its own log group
        statements = [
            {
                "Effect": "Allow",
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": {SUB: f"${{{log_group}.Arn}}"},
            },
            *statements,
        ]
    trust = {"Effect": "Allow", "Principal": {"Service": principal}, "Action": "sts:AssumeRole"}
    return {
        "Type": "AWS::IAM::Role",
        "Properties": {
            "AssumeRolePolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [trust | (condition or {})],
            },
            "Policies": [
                {
                    "PolicyName": name,
                    "PolicyDocument": {"Version": "2012-10-17", "Statement": statements},
                }
            ],
        },
    }


def allow(actions: list[str], resources) -> dict:
    return {"Effect": "Allow", "Action": actions, "Resource": resources}


AUDIT = allow(
    [
        "dynamodb:GetItem",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
        "dynamodb:Query",
        "dynamodb:Scan",
        "dynamodb:DescribeTable",
        "dynamodb:ConditionCheckItem",
    ],
    [{"Fn::GetAtt": ["AuditTable", "Arn"]}, {SUB: "${AuditTable.Arn}/index/*"}],
)
SEND = [
    allow(
        ["ses:SendEmail", "ses:SendRawEmail"],
        [
            arn("ses", "identity/${SenderIdentity}"),
            arn("ses", "configuration-set/${ConfigurationSet}"),
        ],
    ),
    allow(["ses:GetAccount", "ses:GetSendQuota"], "*"),  # account calls take no resource
    # the sender's identity, read before a send plans anything (the address's, then its domain's)
    allow(["ses:GetEmailIdentity"], arn("ses", "identity/*")),
]
ALERT = allow(["sns:Publish"], {"Ref": "AlertTopic"})
# [sources.aws]: the read-only calls sources/aws_reader.py makes, as IAM names them (mostly the
# operation's own name; tests/schedule/test_template.py records the calls and checks each is here)
ACCOUNT_READS = allow(
    [
        "lambda:ListFunctions",
        "lambda:ListTags",
        "lambda:ListFunctionUrlConfigs",
        "lambda:GetFunctionUrlConfig",
        "apigateway:GET",
        "wafv2:GetWebACLForResource",
        "dynamodb:ListTables",
        "dynamodb:DescribeTable",
        "dynamodb:DescribeContinuousBackups",
        "dynamodb:ListTagsOfResource",
        "rds:DescribeDBInstances",
        "backup:ListBackupPlans",
        "backup:ListBackupSelections",
        "backup:GetBackupSelection",
        "cloudtrail:DescribeTrails",
        "cloudtrail:GetTrailStatus",
        "ec2:DescribeImages",
        "ec2:DescribeSnapshots",
        "ec2:DescribeSnapshotAttribute",
        "ses:ListEmailIdentities",
        "ses:GetEmailIdentity",
        "s3:ListAllMyBuckets",
        "s3:GetBucketLocation",
        "s3:GetBucketPublicAccessBlock",
        "s3:GetBucketPolicyStatus",
        "s3:GetEncryptionConfiguration",
        "s3:GetBucketTagging",
        "s3:GetBucketWebsite",
        "s3:GetBucketVersioning",
        "s3:ListBucket",
        "route53:ListHostedZones",
        "route53:ListTagsForResource",
        "ce:GetCostAndUsage",
        "iam:GetAccountSummary",
        "iam:ListUsers",
        "iam:GetLoginProfile",
        "iam:ListMFADevices",
        "iam:ListAccessKeys",
    ],
    "*",
)


def live_reads(settings) -> list[dict]:
    """Exactly what each live source reads: a DynamoDB source its table's description and a Query
    on it (a Scan where it has no key), in its own region where it names one; CloudWatch's
    metric data; an S3 log source its prefix."""
    statements = []
    for spec in settings.sources.dynamodb:
        region = spec.region or "${AWS::Region}"
        table = {
            SUB: f"arn:${{AWS::Partition}}:dynamodb:{region}:${{AWS::AccountId}}:table/{spec.table}"
        }
        call = "dynamodb:Query" if spec.key else "dynamodb:Scan"
        statements.append(allow(["dynamodb:DescribeTable", call], table))
    if settings.sources.cloudwatch:  # GetMetricData takes no resource
        statements.append(allow(["cloudwatch:GetMetricData"], "*"))
    for logs in settings.sources.s3_logs:  # the prefix, listed and read
        statements += s3_read(logs.uri)
    return statements


def s3_read(uri: str) -> list[dict]:
    bucket, prefix = s3_location(uri)
    return [
        allow(["s3:ListBucket"], f"arn:aws:s3:::{bucket}") | {
            "Condition": {"StringLike": {"s3:prefix": [f"{prefix}*"]}}
        },
        allow(["s3:GetObject"], f"arn:aws:s3:::{bucket}/{prefix}*"),
    ]


def template(
    workspace: Workspace,
    workspace_uri: str | None = None,
    portfolios: str | None = None,
    runtime: str = "python3.12",
) -> dict:
    """The stack for `workspace` (bundled with the function unless `workspace_uri` is an s3://
    location)."""
    settings = workspace.settings
    org = settings.organization
    for uri in (workspace_uri, portfolios):
        if uri:
            s3_location(uri)
    environment = {
        "BOARDPACK_AUDIT_TABLE": {"Ref": "AuditTable"},
        "BOARDPACK_ALERT_TOPIC": {"Ref": "AlertTopic"},
        "BOARDPACK_CONFIGURATION_SET": {"Ref": "ConfigurationSet"},
    }
    if not portfolios:  # fan-out: each portfolio's workspace comes with its job
        environment["BOARDPACK_WORKSPACE"] = workspace_uri or f"/var/task/{BUNDLED_WORKSPACE}"
    reads = s3_read(workspace_uri) if workspace_uri else []
    keeps = []  # the live sources' snapshots, kept beside the workspace by what builds a pack
    if workspace_uri and settings.sources.live():
        bucket, prefix = s3_location(workspace_uri)
        keeps = [allow(["s3:PutObject"], f"arn:aws:s3:::{bucket}/{prefix}.boardpack/snapshots/*")]
    # the account audit reads the stack's own account; a fan-out worker never does, so that no
    # portfolio's job can read the host's account
    account = [ACCOUNT_READS] if settings.sources.aws and not portfolios else []
    account += live_reads(settings) if not portfolios else []
    approval = {}
    if settings.approval:  # the drafts' links, and the page they open
        secret = {"BOARDPACK_APPROVAL_SECRET": {"Ref": "ApprovalSecret"}}
        where = {"BOARDPACK_PORTFOLIOS": portfolios} if portfolios else {}
        approval = approve_page(
            environment | secret | where,
            [*(s3_read(portfolios) if portfolios else [*reads, *keeps]), AUDIT, *SEND, ALERT],
            runtime,
        )
        environment |= secret | {
            "BOARDPACK_APPROVAL_URL": {"Fn::GetAtt": ["ApproveUrl", "FunctionUrl"]}
        }
    if portfolios:
        target, resources = "Planner", fan_out(portfolios, environment, runtime)
    else:  # one run at a time: a slow run is never overlapped by the next one
        target = "Run"
        resources = lambda_function(
            "Run",
            "scheduled_run",
            [*reads, *keeps, *account, AUDIT, *SEND, ALERT],
            900,
            environment,
            runtime,
            ReservedConcurrentExecutions=1,
        )
    # fan-out: the shared table only
    ses_reads = [*reads, AUDIT]
    resources |= lambda_function("SesEvents", "ses_events", ses_reads, 60, environment, runtime)
    resources |= approval | {"AuditTable": audit_table()}
    resources |= alerts(org.name)
    resources |= ses_events(settings.delivery.ses.configuration_set or "boardpack")
    resources |= reputation_alarms()
    also = []
    # each morning: the [[watch]] rules, and the deliveries held past their approval window
    if (settings.watch or settings.approval) and not portfolios:
        resources |= lambda_function(
            "Watch",
            "watch",
            [*reads, *keeps, *account, AUDIT, *SEND, ALERT],
            300,
            environment,
            runtime,
        ) | {"WatchSchedule": watch_schedule(org.name, org.timezone)}
        also.append("Watch")
    resources |= scheduling(workspace, target, also)
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": f"boardpack: the board pack for {org.name}, on a schedule"[:1024],
        "Parameters": parameters(
            bare(sender(workspace)).rpartition("@")[2], bool(portfolios), bool(approval)
        ),
        "Conditions": {"HasAlertEmail": {"Fn::Not": [{"Fn::Equals": [{"Ref": "AlertEmail"}, ""]}]}},
        "Resources": dict(sorted(resources.items())),
        "Outputs": (
            outputs(target, bool(portfolios))
            | (
                {"ApprovalPage": {"Value": {"Fn::GetAtt": ["ApproveUrl", "FunctionUrl"]}}}
                if approval
                else {}
            )
        ),
    }


def lambda_function(
    name: str, handler: str, statements: list[dict], timeout: int, env: dict, runtime: str, **extra
) -> dict[str, dict]:
    """A function, its role (allowed `statements` and writing to its own log group), that log group
    and an alarm on its errors."""
    log_group = f"{name}Logs"
    return {
        log_group: {
            "Type": "AWS::Logs::LogGroup",
            "DeletionPolicy": "Retain",
            "UpdateReplacePolicy": "Retain",
            "Properties": {"RetentionInDays": 90},
        },
        f"{name}Role": role(name, statements, log_group=log_group),
        name: {
            "Type": "AWS::Lambda::Function",
            "Properties": {
                "Runtime": runtime,
                "Handler": f"{HANDLERS}.{handler}",
                "Timeout": timeout,
                "MemorySize": 1024,
                "Code": {"S3Bucket": {"Ref": "CodeBucket"}, "S3Key": {"Ref": "CodeKey"}},
                "Role": {"Fn::GetAtt": [f"{name}Role", "Arn"]},
                "Environment": {"Variables": env},
                "LoggingConfig": {"LogGroup": {"Ref": log_group}},
                **extra,
            },
        },
        f"{name}Errors": alarm(
            f"the {name} function failed",
            "AWS/Lambda",
            "Errors",
            {"Name": "FunctionName", "Value": {"Ref": name}},
        ),
    }


def approve_page(environment: dict, statements: list[dict], runtime: str) -> dict[str, dict]:
    """The page an approval link opens: a function with a public URL, whose only authentication
    is the link's signed token (aws/approve_page.py)."""
    return lambda_function("Approve", "approve", statements, 300, environment, runtime) | {
        "ApproveUrl": {
            "Type": "AWS::Lambda::Url",
            "Properties": {
                "AuthType": "NONE",
                "TargetFunctionArn": {"Fn::GetAtt": ["Approve", "Arn"]},
            },
        },
        "ApproveUrlPermission": {
            "Type": "AWS::Lambda::Permission",
            "Properties": {
                "Action": "lambda:InvokeFunctionUrl",
                "FunctionName": {"Ref": "Approve"},
                "Principal": "*",
                "FunctionUrlAuthType": "NONE",
            },
        },
    }


def fan_out(portfolios: str, environment: dict, runtime: str) -> dict[str, dict]:
    """The planner, the job queue (with its dead letters) and the worker that consumes it."""
    jobs, dead_letters = {"Fn::GetAtt": ["JobQueue", "Arn"]}, {
        "Fn::GetAtt": ["JobDeadLetters", "Arn"]
    }
    planner = lambda_function(
        "Planner",
        "plan",
        [*s3_read(portfolios), allow(["sqs:SendMessage"], jobs), ALERT],
        300,
        environment | {
            "BOARDPACK_PORTFOLIOS": portfolios,
            "BOARDPACK_JOB_QUEUE": {"Ref": "JobQueue"},
        },
        runtime,
    )
    worker = lambda_function(
        "Worker",
        "work",
        [
            *s3_read(portfolios),
            AUDIT,
            *SEND,
            ALERT,
            allow(["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"], jobs),
            allow(["sqs:SendMessage"], dead_letters),
        ],
        300,
        environment | {"BOARDPACK_DEAD_LETTERS": {"Ref": "JobDeadLetters"}},
        runtime,
    )
    return (
        planner | worker | {
            "JobDeadLetters": queue(),
            "JobQueue": queue(
                VisibilityTimeout=1800,  # six times the worker's timeout, as AWS advises
                RedrivePolicy={"deadLetterTargetArn": dead_letters, "maxReceiveCount": 5},
            ),
            "WorkerJobs": {
                "Type": "AWS::Lambda::EventSourceMapping",
                "Properties": {
                    "EventSourceArn": jobs,
                    "FunctionName": {"Ref": "Worker"},
                    "BatchSize": 10,
                    "FunctionResponseTypes": ["ReportBatchItemFailures"],
                    "ScalingConfig": {"MaximumConcurrency": {"Ref": "WorkerConcurrency"}},
                },
            },
            "JobDeadLettersAlarm": dead_letter_alarm(
                "JobDeadLetters", "jobs that can never succeed"
            ),
        }
    )


def audit_table() -> dict:
    """The audit store's table: kept if the stack goes, recoverable to any second, encrypted."""
    return {
        "Type": "AWS::DynamoDB::Table",
        "DeletionPolicy": "Retain",
        "UpdateReplacePolicy": "Retain",
        "Properties": {
            "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": [
                {"AttributeName": n, "AttributeType": "S"} for n in ("pk", "sk", "period")
            ],
            "KeySchema": [
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
            "GlobalSecondaryIndexes": [
                {
                    "IndexName": "period",
                    "Projection": {"ProjectionType": "ALL"},
                    "KeySchema": [
                        {"AttributeName": "period", "KeyType": "HASH"},
                        {"AttributeName": "pk", "KeyType": "RANGE"},
                    ],
                }
            ],
            "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
            "SSESpecification": {"SSEEnabled": True},
            # [retention] transitions: a history row carries when it expires
            "TimeToLiveSpecification": {"AttributeName": "expires_at", "Enabled": True},
        },
    }


def alerts(organization: str) -> dict[str, dict]:
    """The alert topic CloudWatch publishes to, and its optional email subscription."""
    return {
        "AlertTopic": {
            "Type": "AWS::SNS::Topic",
            "Properties": {"DisplayName": f"boardpack alerts: {organization}"[:100]},
        },
        "AlertEmailSubscription": {
            "Type": "AWS::SNS::Subscription",
            "Condition": "HasAlertEmail",
            "Properties": {
                "TopicArn": {"Ref": "AlertTopic"},
                "Protocol": "email",
                "Endpoint": {"Ref": "AlertEmail"},
            },
        },
        "AlertTopicPolicy": topic_policy("AlertTopic", "cloudwatch.amazonaws.com"),
    }


def ses_events(configuration_set: str) -> dict[str, dict]:
    """The configuration set whose events (bounces, complaints, deliveries…) reach the SES events
    function through SNS."""
    return {
        "SesEventTopic": {
            "Type": "AWS::SNS::Topic",
            "Properties": {"DisplayName": "boardpack SES events"},
        },
        "SesEventTopicPolicy": topic_policy("SesEventTopic", "ses.amazonaws.com"),
        "SesEventSubscription": {
            "Type": "AWS::SNS::Subscription",
            "Properties": {
                "TopicArn": {"Ref": "SesEventTopic"},
                "Protocol": "lambda",
                "Endpoint": {"Fn::GetAtt": ["SesEvents", "Arn"]},
            },
        },
        "SesEventPermission": {
            "Type": "AWS::Lambda::Permission",
            "Properties": {
                "Action": "lambda:InvokeFunction",
                "FunctionName": {"Ref": "SesEvents"},
                "Principal": "sns.amazonaws.com",
                "SourceArn": {"Ref": "SesEventTopic"},
            },
        },
        "ConfigurationSet": {
            "Type": "AWS::SES::ConfigurationSet",
            "Properties": {"Name": configuration_set},
        },
        "ConfigurationSetEvents": {
            "Type": "AWS::SES::ConfigurationSetEventDestination",
            "Properties": {
                "ConfigurationSetName": {"Ref": "ConfigurationSet"},
                "EventDestination": {
                    "Name": "boardpack-events",
                    "Enabled": True,
                    "MatchingEventTypes": [
                        "send",
                        "reject",
                        "bounce",
                        "complaint",
                        "delivery",
                        "deliveryDelay",
                    ],
                    "SnsDestination": {"TopicARN": {"Ref": "SesEventTopic"}},
                },
            },
        },
    }


def watch_schedule(organization: str, timezone: str) -> dict:
    """`boardpack watch` every morning at 07:00 in the organization's time zone."""
    return {
        "Type": "AWS::Scheduler::Schedule",
        "Properties": {
            "Description": f"boardpack watch for {organization}"[:512],
            "ScheduleExpression": "cron(0 7 * * ? *)",
            "ScheduleExpressionTimezone": timezone,
            "FlexibleTimeWindow": {"Mode": "OFF"},
            "Target": {
                "Arn": {"Fn::GetAtt": ["Watch", "Arn"]},
                "RoleArn": {"Fn::GetAtt": ["SchedulerRole", "Arn"]},
                "RetryPolicy": {"MaximumEventAgeInSeconds": 3600, "MaximumRetryAttempts": 3},
                "DeadLetterConfig": {"Arn": {"Fn::GetAtt": ["ScheduleDeadLetters", "Arn"]}},
            },
        },
    }


def scheduling(workspace: Workspace, target: str, also: list[str] = ()) -> dict[str, dict]:
    """The schedule in the organization's time zone, the role it invokes `target` (and `also`)
    with, and the dead letters of runs it could not deliver."""
    org, schedule = workspace.settings.organization, workspace.settings.schedule
    window = (
        {"Mode": "FLEXIBLE", "MaximumWindowInMinutes": schedule.flexible_window_minutes}
        if schedule.flexible_window_minutes
        else {"Mode": "OFF"}
    )
    return {
        "ScheduleDeadLetters": queue(),
        "ScheduleDeadLettersAlarm": dead_letter_alarm(
            "ScheduleDeadLetters", "scheduled runs that were never delivered to the function"
        ),
        "SchedulerRole": role(
            "invoke",
            [
                allow(
                    ["lambda:InvokeFunction"],
                    [{"Fn::GetAtt": [name, "Arn"]} for name in (target, *also)]
                    if also
                    else {"Fn::GetAtt": [target, "Arn"]},
                ),
                allow(["sqs:SendMessage"], {"Fn::GetAtt": ["ScheduleDeadLetters", "Arn"]}),
            ],
            principal="scheduler.amazonaws.com",
            condition={
                "Condition": {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}}
            },
        ),
        "Schedule": {
            "Type": "AWS::Scheduler::Schedule",
            "Properties": {
                "Description": f"boardpack for {org.name}"[:512],
                "ScheduleExpression": schedule_expression(workspace),
                "ScheduleExpressionTimezone": org.timezone,
                "FlexibleTimeWindow": window,
                "Target": {
                    "Arn": {"Fn::GetAtt": [target, "Arn"]},
                    "RoleArn": {"Fn::GetAtt": ["SchedulerRole", "Arn"]},
                    "Input": json.dumps(
                        {
                            "scheduled_time": "<aws.scheduler.scheduled-time>",
                            "attempt": "<aws.scheduler.attempt-number>",
                        }
                    ),
                    "RetryPolicy": {"MaximumEventAgeInSeconds": 21600, "MaximumRetryAttempts": 3},
                    "DeadLetterConfig": {"Arn": {"Fn::GetAtt": ["ScheduleDeadLetters", "Arn"]}},
                },
            },
        },
    }


def parameters(identity: str, fan_out: bool, approval: bool = False) -> dict[str, dict]:
    found = {
        "CodeBucket": {
            "Type": "String",
            "Description": "The S3 bucket holding the deployment bundle",
        },
        "CodeKey": {"Type": "String", "Default": BUNDLE, "Description": "The bundle's S3 key"},
        "SenderIdentity": {
            "Type": "String",
            "Default": identity,
            "Description": (
                "The verified SES identity the functions may send as (a domain or address)"
            ),
        },
        "AlertEmail": {
            "Type": "String",
            "Default": "",
            "Description": "Also email alerts here (optional)",
        },
    }
    if approval:
        found["ApprovalSecret"] = {
            "Type": "String",
            "NoEcho": True,
            "MinLength": 32,
            "Description": "The key that signs approval links (32 characters or more, random)",
        }
    if fan_out:
        found["WorkerConcurrency"] = {
            "Type": "Number",
            "Default": 10,
            "MinValue": 2,
            "MaxValue": 1000,
            "Description": "Most worker functions running at once",
        }
    return found


def outputs(target: str, fan_out: bool) -> dict[str, dict]:
    found = {
        "AuditTableName": {"Value": {"Ref": "AuditTable"}},
        "AlertTopicArn": {"Value": {"Ref": "AlertTopic"}},
        "SesEventTopicArn": {"Value": {"Ref": "SesEventTopic"}},
        "ScheduleArn": {"Value": {"Fn::GetAtt": ["Schedule", "Arn"]}},
        "ScheduledFunction": {"Value": {"Ref": target}},
    }
    if fan_out:
        found["JobQueueUrl"] = {"Value": {"Ref": "JobQueue"}}
    return found


def queue(**properties) -> dict:
    return {
        "Type": "AWS::SQS::Queue",
        "Properties": {
            "SqsManagedSseEnabled": True,
            "MessageRetentionPeriod": 1209600,
            **properties,
        },
    }


def alarm(
    description: str,
    namespace: str,
    metric: str,
    dimension: dict | None,
    statistic: str = "Sum",
    threshold: float = 1,
) -> dict:
    return {
        "Type": "AWS::CloudWatch::Alarm",
        "Properties": {
            "AlarmDescription": description,
            "Namespace": namespace,
            "MetricName": metric,
            **({"Dimensions": [dimension]} if dimension else {}),
            "Statistic": statistic,
            "Period": 300 if dimension else 3600,
            "EvaluationPeriods": 1,
            "Threshold": threshold,
            "ComparisonOperator": "GreaterThanOrEqualToThreshold",
            "TreatMissingData": "notBreaching",
            "AlarmActions": [{"Ref": "AlertTopic"}],
        },
    }


# the sending account's reputation, as SES measures it (account-wide, hourly): past these, AWS
# reviews the account (a bounce rate of 5%, complaints of 0.1%); the owner hears when it happens
SES_REPUTATION = {
    "BounceRateAlarm": ("Reputation.BounceRate", 0.05, "bounces"),
    "ComplaintRateAlarm": ("Reputation.ComplaintRate", 0.001, "complaints"),
}


def reputation_alarms() -> dict[str, dict]:
    return {
        name: alarm(
            f"SES {what} reached {threshold:.1%} of the mail sent: AWS reviews an account past it",
            "AWS/SES",
            metric,
            None,
            statistic="Average",
            threshold=threshold,
        )
        for name, (metric, threshold, what) in SES_REPUTATION.items()
    }


def dead_letter_alarm(queue_name: str, what: str) -> dict:
    return alarm(
        f"{queue_name} holds {what}",
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        {"Name": "QueueName", "Value": {"Fn::GetAtt": [queue_name, "QueueName"]}},
        statistic="Maximum",
    )


def topic_policy(topic: str, service: str) -> dict:
    return {
        "Type": "AWS::SNS::TopicPolicy",
        "Properties": {
            "Topics": [{"Ref": topic}],
            "PolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": service},
                        "Action": "sns:Publish",
                        "Resource": {"Ref": topic},
                        "Condition": {
                            "StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}
                        },
                    }
                ],
            },
        },
    }
