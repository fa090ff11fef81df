"""The AWS account as a source: Lambda, API Gateway, DynamoDB, S3, Route53, SES, WAF and Cost
Explorer.

The reading itself is in `aws_reader`, imported only when `[sources.aws]` is configured: boto3 costs
every build a sixth of a second to import, and most workspaces never touch it.
"""

from __future__ import annotations

from boardpack.model import Portfolio, SourceStatus


class AwsAccountSource:
    name = "aws"

    def read(self, portfolio: Portfolio) -> SourceStatus:
        spec = portfolio.workspace.settings.sources.aws
        status = SourceStatus(
            name=self.name, configured=spec is not None, optional=bool(spec and spec.optional)
        )
        if spec is None:
            return status
        from boardpack.sources.aws_reader import AccountReader, CredentialsProblem

        reader = AccountReader(portfolio, spec)
        try:
            portfolio.cloud = reader.read()
        except CredentialsProblem as exc:
            status.error = str(exc)
            return status
        status.gaps = reader.gaps
        status.paths = [f"aws:{r}" for r in spec.regions]
        status.records = len(portfolio.cloud.resources)
        status.freshness = portfolio.as_of  # read live
        return status


source = AwsAccountSource()
