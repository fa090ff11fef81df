"""SES notifications in the formats of the SES documentation (moto never emits them)."""

import json


def mail(message_id: str, destination: list[str]) -> dict:
    return {
        "timestamp": "2026-11-16T14:05:45.000Z",
        "source": "reports@example.com",
        "sourceArn": "arn:aws:ses:us-east-1:123456789012:identity/example.com",
        "sendingAccountId": "123456789012",
        "messageId": message_id,
        "destination": destination,
        "headersTruncated": False,
        "tags": {"boardpack-report": ["cfo"]},
    }


def bounce_event(message_id: str, address: str, bounce_type: str = "Permanent") -> dict:
    """A configuration-set event (`eventType`)."""
    return {
        "eventType": "Bounce",
        "mail": mail(message_id, [address]),
        "bounce": {
            "bounceType": bounce_type,
            "bounceSubType": "General",
            "timestamp": "2026-11-16T14:05:46.000Z",
            "feedbackId": "0100017-feedback",
            "reportingMTA": "dsn; a8-70.smtp-out.amazonses.com",
            "bouncedRecipients": [
                {
                    "emailAddress": address,
                    "action": "failed",
                    "status": "5.1.1",
                    "diagnosticCode": "smtp; 550 5.1.1 user unknown",
                }
            ],
        },
    }


def complaint_notification(message_id: str, address: str) -> dict:
    """An identity notification (`notificationType`)."""
    return {
        "notificationType": "Complaint",
        "mail": mail(message_id, [address]),
        "complaint": {
            "complainedRecipients": [{"emailAddress": address}],
            "complaintFeedbackType": "abuse",
            "timestamp": "2026-11-16T15:00:00.000Z",
            "feedbackId": "0100017-complaint",
            "userAgent": "Mozilla/5.0",
        },
    }


def delivery_event(message_id: str, address: str) -> dict:
    return {
        "eventType": "Delivery",
        "mail": mail(message_id, [address]),
        "delivery": {
            "timestamp": "2026-11-16T14:05:47.000Z",
            "processingTimeMillis": 546,
            "recipients": [address],
            "smtpResponse": "250 ok",
            "reportingMTA": "a8-70.smtp-out.amazonses.com",
        },
    }


def through_sns_and_sqs(aws_clients: tuple, notification: dict) -> str:
    """Publish to a real (moto) SNS topic with an SQS subscriber, and return the envelope the queue
    received."""
    sns, sqs = aws_clients
    topic = sns.create_topic(Name="ses-events")["TopicArn"]
    queue = sqs.create_queue(QueueName="ses-events")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
    sns.publish(TopicArn=topic, Message=json.dumps(notification))
    (received,) = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=1)["Messages"]
    return received["Body"]
