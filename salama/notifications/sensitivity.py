"""Sensitivity classes of the notification models (PROTECTION.md 5), for the
central map in salama/registry/sensitivity.py. A notification holds no
personal data of a resident by design (rules.py); it is personal to the
staff user it is addressed to."""

PUBLIC = "public"
PERSONAL = "personal"

FIELD_SENSITIVITY: dict[str, dict[str, str]] = {
    "notifications.Notification": {
        "id": PUBLIC,
        "recipient": PERSONAL,
        "kind": PUBLIC,
        "subject": PUBLIC,
        "reference": PERSONAL,
        "link": PERSONAL,
        "created": PERSONAL,
        "read_at": PERSONAL,
    },
    "notifications.ChannelPreference": {
        "id": PUBLIC,
        "user": PERSONAL,
        "email": PERSONAL,
        "webhook": PERSONAL,
    },
    "notifications.Delivery": {
        "id": PUBLIC,
        "notification": PERSONAL,
        "channel": PUBLIC,
        "status": PUBLIC,
        "attempts": PUBLIC,
        "last_error": PUBLIC,
        "response_status": PUBLIC,
        "job_id": PUBLIC,
        "created": PERSONAL,
        "last_attempt_at": PERSONAL,
        "sent_at": PERSONAL,
    },
}
