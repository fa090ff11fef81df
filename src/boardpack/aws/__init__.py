"""Everything that runs on or talks to AWS: the one client factory (`clients`), the Lambda handlers
(thin), the workspace a function runs (`workspace`: bundled or synced from S3), the fan-out planner
and worker, the CloudFormation template and the bundle `deploy aws --package` builds."""
