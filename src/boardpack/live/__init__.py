"""Live sources: a business's own systems — its DynamoDB tables, CloudWatch metrics, S3 event
logs, a SQL database, the payment processor's API — read once a period into a snapshot, so that
every rebuild of the period (approval, preview, a resend, the audit's "what did we send") builds
the same pack from the same rows. `boardpack pull` refreshes a snapshot deliberately."""
