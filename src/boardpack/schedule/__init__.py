"""When the pack runs: triggers (cron, business day), the local scheduler, and running on AWS
(Lambda handlers, the CloudFormation template, the deployment bundle)."""
