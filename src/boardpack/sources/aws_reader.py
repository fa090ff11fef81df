"""Reading the AWS account with read-only calls: what runs, what is exposed, what it costs, and
how well the account itself is kept.

Lambda, API Gateway (HTTP and REST), DynamoDB, RDS, S3, Route53, SES, WAF associations, CloudTrail,
AWS Backup, public AMIs and snapshots, IAM (the root user, users' MFA and keys) and Cost Explorer,
in the regions `[sources.aws]` names, through the standard credential chain (`AWS_ENDPOINT_URL`
points it elsewhere). Every list is paginated. Resources map to entities by a tag (`entity=<id>`);
the rest are unassigned.

A call that fails — access denied, a service the region does not have — becomes a gap the CTO
sections state, and the rest is still read. Only missing or expired credentials stop the source, and
even then the pack builds without it. Lambda environment *values* are dropped the moment they
arrive: only the names of variables that look like secrets are kept.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal
from fnmatch import fnmatchcase

from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from botocore.parsers import ResponseParserError

from boardpack import aws_clients as aws
from boardpack.config import AwsSource
from boardpack.errors import WorkspaceError
from boardpack.model import BACKED_UP, AccessKey, CloudAccount, CloudResource, Portfolio
from boardpack.period import add_months, month_start

# Read-only calls are safe to retry; keep them short so that an unreachable region is a gap, not a
# hang.
READ = Config(
    retries={"total_max_attempts": 3, "mode": "standard"}, connect_timeout=5, read_timeout=20
)
SECRET_NAME = re.compile(
    r"SECRET|PASSW(OR)?D|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIAL|AUTH|ACCESS_?KEY"
    r"|DSN|CONN(ECTION)?_?STR",
    re.IGNORECASE,
)
TOKENS = (
    ("NextToken", "NextToken"),
    ("NextMarker", "NextMarker"),
    ("NextPageToken", "NextPageToken"),
    ("position", "position"),
)
ACCESS_KEY_ID = re.compile(r"\b(AKIA|ASIA)[A-Z0-9]{16}\b")
ACCESS_DENIED = (
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
    "AuthorizationError",
)
ABSENT = {
    "NoSuchPublicAccessBlockConfiguration",
    "NoSuchBucketPolicy",
    "ServerSideEncryptionConfigurationNotFoundError",
    "NoSuchWebsiteConfiguration",
    "NoSuchTagSet",
    "ResourceNotFoundException",
    "NotFoundException",
    "WAFNonexistentItemException",
    "NoSuchEntity",  # IAM: a user with no console password
}


class CredentialsProblem(Exception):
    pass


def pages(client, operation: str, key: str, **kwargs) -> Iterator[dict]:
    """Every item of a listing, across pages, with the SDK's paginator where it has one."""
    if client.can_paginate(operation):
        for page in client.get_paginator(operation).paginate(**kwargs):
            yield from page.get(key, [])
        return
    call = getattr(client, operation)
    while True:
        page = call(**kwargs)
        yield from page.get(key, [])
        token = next(((ask, page[got]) for got, ask in TOKENS if page.get(got)), None)
        if token is None:
            return
        kwargs[token[0]] = token[1]


def reason(exc: Exception) -> str:
    code = aws.error_code(exc)
    status = (
        exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        if isinstance(exc, ClientError)
        else None
    )
    if code in ACCESS_DENIED or status == 403:
        text = f"access denied ({code}): allow this read-only call for the role boardpack runs as"
    elif isinstance(exc, (BotoCoreError, ResponseParserError)):
        text = f"not reachable ({type(exc).__name__}): the service may not exist in this region"
    # an answer that is not an AWS error document (an HTML error page)
    elif code.isdigit() or not code:
        text = (
            f"the service answered HTTP {status or code} without an AWS error; it may not exist in"
            " this region"
        )
    else:
        text = f"{code}: {aws.error_message(exc)}"
    return ACCESS_KEY_ID.sub(lambda m: m.group(1) + "…", text)[:300]


def absent(call: Callable[[], dict]) -> dict | None:
    """A configuration the API answers with "not found" when it is simply not set."""
    try:
        return call()
    except ClientError as exc:
        if aws.error_code(exc) in ABSENT:
            return None
        raise


class AccountReader:
    def __init__(self, portfolio: Portfolio, spec: AwsSource):
        self.ws = portfolio.workspace
        self.spec = spec
        self.period = portfolio.period
        self.entities = {e.id for e in self.ws.settings.entities}
        self.account = CloudAccount()
        self.gaps: list[str] = []
        self.tags: dict[str, dict[str, str]] = {}  # arn: tags, for AWS Backup's tag selections

    def client(self, service: str, region: str):
        return aws.client(self.ws, service, region, READ)

    def entity(self, arn: str, tags: dict[str, str]) -> str | None:
        value = tags.get(self.spec.entity_tag)
        if value is not None and value not in self.entities:
            self.account.unknown_tags.append((arn, value))
            return None
        return value

    def add(
        self, service: str, kind: str, name: str, region: str, arn: str, tags: dict, **facts
    ) -> None:
        self.tags[arn] = tags
        self.account.resources.append(
            CloudResource(
                service=service,
                kind=kind,
                name=name,
                region=region,
                arn=arn,
                entity=self.entity(arn, tags),
                facts=facts,
            )
        )

    def attempt(self, what: str, region: str, read: Callable[[str], None]) -> None:
        try:
            read(region)
        # an answer that does not parse (an HTML error page from a region without the service)
        except (ClientError, BotoCoreError, ResponseParserError) as exc:
            if aws.is_credential_error(exc) and aws.error_code(exc) not in ACCESS_DENIED:
                raise CredentialsProblem(reason(exc)) from None
            self.gaps.append(f"{what} in {region}: {reason(exc)}")

    def read(self) -> CloudAccount:
        try:
            self.client("sts", self.spec.regions[0]).get_caller_identity()
        except WorkspaceError as exc:  # no credentials at all
            raise CredentialsProblem(str(exc)) from None
        except (ClientError, BotoCoreError) as exc:
            raise CredentialsProblem(
                f"the AWS credentials were refused ({reason(exc)}); refresh them "
                "(aws sso login, or new keys in the environment)"
            ) from None
        for region in self.spec.regions:
            self.attempt("Lambda", region, self.functions)
            self.attempt("API Gateway (HTTP APIs)", region, self.http_apis)
            self.attempt("API Gateway (REST APIs)", region, self.rest_apis)
            self.attempt("DynamoDB", region, self.tables)
            self.attempt("RDS", region, self.databases)
            self.attempt("AWS Backup", region, self.backup_plans)  # after the tables it covers
            self.attempt("CloudTrail", region, self.trails)
            self.attempt("EC2 images and snapshots", region, self.public_images)
            self.attempt("SES", region, self.identities)
        self.attempt("S3", self.spec.regions[0], self.buckets)
        self.attempt("IAM account summary", "us-east-1", self.root_user)
        self.attempt("IAM users", "us-east-1", self.users)
        self.attempt("Route53", "us-east-1", self.zones)
        self.attempt("Cost Explorer", "us-east-1", self.costs)
        self.attempt("Cost Explorer by the entity tag", "us-east-1", self.costs_by_entity)
        return self.account

    def functions(self, region: str) -> None:
        lam = self.client("lambda", region)
        for fn in pages(lam, "list_functions", "Functions"):
            # the values are never kept
            names = sorted(fn.get("Environment", {}).get("Variables", {}))
            fn.pop("Environment", None)
            self.add(
                "lambda",
                "function",
                fn["FunctionName"],
                region,
                fn["FunctionArn"],
                lam.list_tags(Resource=fn["FunctionArn"]).get("Tags", {}),
                runtime=fn.get("Runtime") or "container image",
                architectures=tuple(fn.get("Architectures") or ("x86_64",)),
                url_auth=self.function_url_auth(lam, fn["FunctionName"]),
                secret_env_names=tuple(n for n in names if SECRET_NAME.search(n)),
            )

    @staticmethod
    def function_url_auth(lam, name: str) -> str | None:
        try:
            urls = list(
                pages(lam, "list_function_url_configs", "FunctionUrlConfigs", FunctionName=name)
            )
        except ClientError as exc:
            if not aws.unavailable(exc):
                raise
            urls = (
                [u] if (u := absent(lambda: lam.get_function_url_config(FunctionName=name))) else []
            )
        # one URL open to anyone makes the function so
        kinds = {u["AuthType"] for u in urls}
        if "NONE" in kinds:
            return "NONE"
        return kinds.pop() if kinds else None

    def http_apis(self, region: str) -> None:
        gw = self.client("apigatewayv2", region)
        for api in pages(gw, "get_apis", "Items"):
            open_routes = tuple(
                r["RouteKey"]
                for r in pages(gw, "get_routes", "Items", ApiId=api["ApiId"])
                if r.get("AuthorizationType", "NONE") == "NONE" and not r.get("ApiKeyRequired")
            )
            throttled = any(
                (s.get("DefaultRouteSettings") or {}).get("ThrottlingRateLimit")
                for s in pages(gw, "get_stages", "Items", ApiId=api["ApiId"])
            )
            arn = f"arn:aws:apigateway:{region}::/apis/{api['ApiId']}"
            self.add(
                "apigateway",
                "http-api",
                api["Name"],
                region,
                arn,
                api.get("Tags") or {},
                open_routes=open_routes,
                waf=False,
                throttled=throttled,
                protocol=api.get("ProtocolType"),
            )

    def rest_apis(self, region: str) -> None:
        gw = self.client("apigateway", region)
        waf = self.client("wafv2", region)
        for api in pages(gw, "get_rest_apis", "items"):
            open_routes = []
            for resource in pages(
                gw, "get_resources", "items", restApiId=api["id"], embed=["methods"]
            ):
                for verb, method in (resource.get("resourceMethods") or {}).items():
                    if verb == "OPTIONS":  # CORS preflight is meant to be open
                        continue
                    if "authorizationType" not in method:
                        method = gw.get_method(
                            restApiId=api["id"], resourceId=resource["id"], httpMethod=verb
                        )
                    if method.get("authorizationType", "NONE") == "NONE" and not method.get(
                        "apiKeyRequired"
                    ):
                        open_routes.append(f"{verb} {resource['path']}")
            stages = gw.get_stages(restApiId=api["id"]).get("item", [])
            arn = f"arn:aws:apigateway:{region}::/restapis/{api['id']}"
            protected = [
                absent(
                    lambda s=s: waf.get_web_acl_for_resource(
                        ResourceArn=f"{arn}/stages/{s['stageName']}"
                    )
                )
                for s in stages
            ]
            throttled = any(
                (s.get("methodSettings") or {}).get("*/*", {}).get("throttlingRateLimit")
                for s in stages
            )
            self.add(
                "apigateway",
                "rest-api",
                api["name"],
                region,
                arn,
                api.get("tags") or {},
                open_routes=tuple(open_routes),
                stages=tuple(s["stageName"] for s in stages),
                waf=bool(stages) and all(p and p.get("WebACL") for p in protected),
                throttled=throttled,
            )

    def tables(self, region: str) -> None:
        ddb = self.client("dynamodb", region)
        for name in pages(ddb, "list_tables", "TableNames"):
            table = ddb.describe_table(TableName=name)["Table"]
            encryption = table_encryption(table.get("SSEDescription") or {})
            pitr = ddb.describe_continuous_backups(TableName=name)["ContinuousBackupsDescription"]
            billing = (table.get("BillingModeSummary") or {}).get("BillingMode", "PROVISIONED")
            tags = {
                t["Key"]: t["Value"]
                for t in pages(ddb, "list_tags_of_resource", "Tags", ResourceArn=table["TableArn"])
            }
            self.add(
                "dynamodb",
                "table",
                name,
                region,
                table["TableArn"],
                tags,
                encryption=encryption,
                point_in_time_recovery=(pitr.get("PointInTimeRecoveryDescription") or {}).get(
                    "PointInTimeRecoveryStatus"
                )
                == "ENABLED",
                billing=billing,
            )

    def databases(self, region: str) -> None:
        for db in pages(self.client("rds", region), "describe_db_instances", "DBInstances"):
            days = db.get("BackupRetentionPeriod", 0)
            self.add(
                "rds",
                "db-instance",
                db["DBInstanceIdentifier"],
                region,
                db["DBInstanceArn"],
                {t["Key"]: t["Value"] for t in db.get("TagList", [])},
                engine=db.get("Engine", ""),
                point_in_time_recovery=days > 0,  # automated backups restore to any second
                backup_retention_days=days,
            )

    def backup_plans(self, region: str) -> None:
        """Each table and database instance of the region gets `backup_plan`: the name of the AWS
        Backup plan that selects it, or ""."""
        backup = self.client("backup", region)
        selections = []
        for plan in pages(backup, "list_backup_plans", "BackupPlansList"):
            plan_id = plan["BackupPlanId"]
            for item in pages(
                backup, "list_backup_selections", "BackupSelectionsList", BackupPlanId=plan_id
            ):
                chosen = backup.get_backup_selection(
                    BackupPlanId=plan_id, SelectionId=item["SelectionId"]
                )["BackupSelection"]
                selections.append((plan.get("BackupPlanName") or plan_id, chosen))
        for r in self.account.resources:
            if r.region == region and (r.service, r.kind) in BACKED_UP:
                r.facts["backup_plan"] = next(
                    (
                        name
                        for name, chosen in selections
                        if selects(chosen, r.arn, self.tags[r.arn])
                    ),
                    "",
                )

    def trails(self, region: str) -> None:
        """The trails that record this region (its own and other regions' multi-region trails) and
        are logging now."""
        ct = self.client("cloudtrail", region)
        logging = tuple(
            trail["Name"]
            for trail in ct.describe_trails(includeShadowTrails=True).get("trailList", [])
            if ct.get_trail_status(Name=trail["TrailARN"]).get("IsLogging")
        )
        self.account.hygiene.trails[region] = logging

    def public_images(self, region: str) -> None:
        """Only the account's AMIs and EBS snapshots that anyone may launch or restore are kept."""
        ec2 = self.client("ec2", region)
        for image in pages(ec2, "describe_images", "Images", Owners=["self"]):
            if image.get("Public"):
                self.add(
                    "ec2",
                    "image",
                    image["ImageId"],
                    region,
                    f"arn:aws:ec2:{region}::image/{image['ImageId']}",
                    {t["Key"]: t["Value"] for t in image.get("Tags", [])},
                    public=True,
                    image_name=image.get("Name", ""),
                )
        # AWS narrows the listing to the public ones; each is confirmed by its permission
        for snap in pages(
            ec2, "describe_snapshots", "Snapshots", OwnerIds=["self"], RestorableByUserIds=["all"]
        ):
            sid = snap["SnapshotId"]
            granted = ec2.describe_snapshot_attribute(
                SnapshotId=sid, Attribute="createVolumePermission"
            ).get("CreateVolumePermissions", [])
            if any(p.get("Group") == "all" for p in granted):
                self.add(
                    "ec2",
                    "snapshot",
                    sid,
                    region,
                    f"arn:aws:ec2:{region}::snapshot/{sid}",
                    {t["Key"]: t["Value"] for t in snap.get("Tags", [])},
                    public=True,
                )
        self.account.hygiene.images_read.add(region)

    def root_user(self, region: str) -> None:
        summary = self.client("iam", region).get_account_summary()["SummaryMap"]
        self.account.hygiene.root_mfa = bool(summary.get("AccountMFAEnabled"))
        self.account.hygiene.root_access_keys = bool(summary.get("AccountAccessKeysPresent"))

    def users(self, region: str) -> None:
        """Users who can sign in to the console without MFA, and every active access key's age (the
        key id itself is not kept beyond its last four characters)."""
        iam = self.client("iam", region)
        without, keys = [], []
        for user in pages(iam, "list_users", "Users"):
            name = user["UserName"]
            console = absent(lambda: iam.get_login_profile(UserName=name)) is not None
            if console and not list(pages(iam, "list_mfa_devices", "MFADevices", UserName=name)):
                without.append(name)
            keys += [
                AccessKey(user=name, suffix=k["AccessKeyId"][-4:], created=k["CreateDate"].date())
                for k in pages(iam, "list_access_keys", "AccessKeyMetadata", UserName=name)
                if k.get("Status") == "Active"
            ]
        self.account.hygiene.console_users_without_mfa = tuple(without)
        self.account.hygiene.active_keys = tuple(keys)

    def identities(self, region: str) -> None:
        ses = self.client("sesv2", region)
        for item in pages(ses, "list_email_identities", "EmailIdentities"):
            name = item["IdentityName"]
            detail = ses.get_email_identity(EmailIdentity=name)
            tags = {t["Key"]: t["Value"] for t in detail.get("Tags", [])}
            self.add(
                "ses",
                "identity",
                name,
                region,
                f"arn:aws:ses:{region}::identity/{name}",
                tags,
                verified=bool(detail.get("VerifiedForSendingStatus")),
                dkim=(detail.get("DkimAttributes") or {}).get("Status", "NOT_STARTED"),
                identity_type=item.get("IdentityType", ""),
            )

    def buckets(self, region: str) -> None:
        s3 = self.client("s3", region)
        elsewhere = 0
        for bucket in pages(s3, "list_buckets", "Buckets"):
            name = bucket["Name"]
            where = s3.get_bucket_location(Bucket=name).get("LocationConstraint") or "us-east-1"
            if where not in self.spec.regions:
                elsewhere += 1
                continue
            block = absent(lambda: s3.get_public_access_block(Bucket=name))
            status = absent(lambda: s3.get_bucket_policy_status(Bucket=name))
            encryption = absent(lambda: s3.get_bucket_encryption(Bucket=name))
            rules = (encryption or {}).get("ServerSideEncryptionConfiguration", {}).get("Rules", [])
            tagging = absent(lambda: s3.get_bucket_tagging(Bucket=name)) or {}
            versioning = s3.get_bucket_versioning(Bucket=name).get("Status") or "never enabled"
            self.add(
                "s3",
                "bucket",
                name,
                where,
                f"arn:aws:s3:::{name}",
                {t["Key"]: t["Value"] for t in tagging.get("TagSet", [])},
                public_access_block=bool(block)
                and all(block["PublicAccessBlockConfiguration"].values()),
                public_policy=bool(status and status["PolicyStatus"].get("IsPublic")),
                encryption=(
                    rules[0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"]
                    if rules
                    else "none"
                ),
                website=absent(lambda: s3.get_bucket_website(Bucket=name)) is not None,
                versioning=versioning,
                holds_data=s3.list_objects_v2(Bucket=name, MaxKeys=1).get("KeyCount", 0) > 0,
            )
        if elsewhere:
            self.gaps.append(
                f"S3: {elsewhere} buckets are in regions [sources.aws] does not list, so they were "
                "not audited; add their regions to see them"
            )

    def zones(self, region: str) -> None:
        r53 = self.client("route53", region)
        for zone in pages(r53, "list_hosted_zones", "HostedZones"):
            zone_id = zone["Id"].split("/")[-1]
            tags = r53.list_tags_for_resource(ResourceType="hostedzone", ResourceId=zone_id)
            self.add(
                "route53",
                "hosted-zone",
                zone["Name"].rstrip("."),
                "global",
                f"arn:aws:route53:::hostedzone/{zone_id}",
                {t["Key"]: t["Value"] for t in tags.get("ResourceTagSet", {}).get("Tags", [])},
                private=bool(zone.get("Config", {}).get("PrivateZone")),
                records=zone.get("ResourceRecordSetCount", 0),
            )

    def costs_by_entity(self, region: str) -> None:
        """The same months grouped by the `entity` cost-allocation tag ("entity$" is untagged)."""
        end = add_months(month_start(self.period.end), 1)
        start = add_months(end, -self.spec.cost_months)
        for result in pages(
            self.client("ce", region),
            "get_cost_and_usage",
            "ResultsByTime",
            Granularity="MONTHLY",
            TimePeriod={"Start": start.isoformat(), "End": end.isoformat()},
            Metrics=["UnblendedCost"],
            GroupBy=[{"Type": "TAG", "Key": "entity"}],
        ):
            month = date.fromisoformat(result["TimePeriod"]["Start"])
            for group in result.get("Groups", []):
                value = group["Keys"][0].partition("$")[2] or None
                amount = Decimal(group["Metrics"]["UnblendedCost"]["Amount"])
                self.account.costs_by_entity.append((month, value, amount))

    def costs(self, region: str) -> None:
        end = add_months(month_start(self.period.end), 1)
        start = add_months(end, -self.spec.cost_months)
        ce = self.client("ce", region)
        for result in pages(
            ce,
            "get_cost_and_usage",
            "ResultsByTime",
            Granularity="MONTHLY",
            TimePeriod={"Start": start.isoformat(), "End": end.isoformat()},
            Metrics=["UnblendedCost"],
            GroupBy=[{"Type": "DIMENSION", "Key": "SERVICE"}],
        ):
            month = date.fromisoformat(result["TimePeriod"]["Start"])
            for group in result.get("Groups", []):
                cost = group["Metrics"]["UnblendedCost"]
                self.account.cost_currency = cost.get("Unit", "USD")
                self.account.costs.append((month, group["Keys"][0], Decimal(cost["Amount"])))


def selects(selection: dict, arn: str, tags: dict[str, str]) -> bool:
    """Whether an AWS Backup selection picks this resource, as AWS Backup documents it: an ARN
    pattern in `Resources` (narrowed by every `Conditions` entry), or any `ListOfTags` pair; never
    one in `NotResources`."""
    if any(fnmatchcase(arn, p) for p in selection.get("NotResources") or ()):
        return False

    def value(key: str) -> str | None:
        return tags.get(key.removeprefix("aws:ResourceTag/"))

    by_tag = any(
        t.get("ConditionType", "STRINGEQUALS") == "STRINGEQUALS"
        and value(t["ConditionKey"]) == t["ConditionValue"]
        for t in selection.get("ListOfTags") or ()
    )
    tests = {
        "StringEquals": lambda v, want: v == want,
        "StringNotEquals": lambda v, want: v != want,
        "StringLike": lambda v, want: v is not None and fnmatchcase(v, want),
        "StringNotLike": lambda v, want: v is None or not fnmatchcase(v, want),
    }
    conditions = selection.get("Conditions") or {}
    by_arn = any(fnmatchcase(arn, p) for p in selection.get("Resources") or ()) and all(
        tests[kind](value(c["ConditionKey"]), c["ConditionValue"])
        for kind, entries in conditions.items()
        if kind in tests
        for c in entries
    )
    return by_tag or by_arn


def table_encryption(sse: dict) -> str:
    """Whose key encrypts a DynamoDB table at rest, from its SSEDescription."""
    if sse.get("Status") not in ("ENABLED", "UPDATING"):
        return "AWS owned key"
    key = sse.get("KMSMasterKeyArn", "")
    return "AWS managed KMS key" if "alias/aws/dynamodb" in key or not key else "customer KMS key"
