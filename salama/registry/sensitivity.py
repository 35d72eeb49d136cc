"""Sensitivity class of every field (PROTECTION.md 5). The classes drive
masking, export and encryption; a test fails on any field without one."""

PUBLIC = "public"
PERSONAL = "personal"
SENSITIVE = "sensitive"
HIGHLY_SENSITIVE = "highly_sensitive"

_NAMES = {
    f"{part}{suffix}": PERSONAL
    for part in ("given_name", "father_name", "grandfather_name", "family_name")
    for suffix in ("", "_latin")
}

# Highly sensitive fields stored encrypted at the field level (PROTECTION.md 25;
# salama.core.fields); tests/test_masking.py reads their columns with raw SQL.
ENCRYPTED_FIELDS: dict[str, tuple[str, ...]] = {
    "registry.Person": ("specific_needs",),
    "registry.PersonRevision": ("before",),
    "screening.Screening": ("answers", "result", "outcome", "level"),
    "screening.FiredIndicator": ("item", "scope"),
    "screening.Alert": ("level", "referrals"),
    "screening.Submission": ("xml",),
    "screening.Attachment": ("data",),
    "screening.FieldCredential": ("ha1",),
    "presence.AbsenceAlert": ("reason",),
}

FIELD_SENSITIVITY: dict[str, dict[str, str]] = {
    "core.Organisation": {"id": PUBLIC, "name": PUBLIC, "short_name": PUBLIC, "kind": PUBLIC},
    "core.Site": {
        "id": PUBLIC,
        "parent": PUBLIC,
        "level": PUBLIC,
        "kind": PUBLIC,
        "name": PUBLIC,
        "name_ar": PUBLIC,
        "name_fr": PUBLIC,
        "code": PUBLIC,
        "path": PUBLIC,
        "latitude": SENSITIVE,
        "longitude": SENSITIVE,
        "registry_owner": PUBLIC,
    },
    "core.Membership": {
        "id": PERSONAL,
        "user": PERSONAL,
        "organisation": PERSONAL,
        "role": PERSONAL,
        "sites": PERSONAL,
    },
    "core.UserPreference": {"id": PERSONAL, "user": PERSONAL, "name_script": PERSONAL},
    "core.ApiToken": {
        "id": PERSONAL,
        "user": PERSONAL,
        "name": PERSONAL,
        "digest": HIGHLY_SENSITIVE,
        "prefix": PERSONAL,
        "created_at": PERSONAL,
        "expires_at": PERSONAL,
        "revoked": PERSONAL,
        "last_used_at": PERSONAL,
        "scopes": PERSONAL,
    },
    # The first answer of an API call kept for its retries (encrypted: it holds
    # the record created).
    "core.IdempotencyKey": {
        "id": PERSONAL,
        "user": PERSONAL,
        "key": PERSONAL,
        "fingerprint": PERSONAL,
        "status": PERSONAL,
        "content_type": PUBLIC,
        "body": HIGHLY_SENSITIVE,
        "created_at": PERSONAL,
        "expires_at": PERSONAL,
    },
    # Digest challenges of field logins: no personal data.
    "screening.DigestNonce": {
        "id": PUBLIC,
        "value": PUBLIC,
        "issued_at": PUBLIC,
        "expires_at": PUBLIC,
    },
    "screening.DigestNonceUse": {"id": PUBLIC, "nonce": PUBLIC, "count": PUBLIC},
    # A failed field sign-in, for the lockout shared by every server process.
    "screening.FieldLoginFailure": {"id": PERSONAL, "username": PERSONAL, "failed_at": PERSONAL},
    "audit.AuditEntry": {
        "id": PERSONAL,
        "at": PERSONAL,
        "user_id": PERSONAL,
        "username": PERSONAL,
        "action": PERSONAL,
        "purpose": PERSONAL,
        "model": PERSONAL,
        "record_id": PERSONAL,
        "changed_fields": PERSONAL,
        "record_ids": PERSONAL,
        "chain": PUBLIC,
        "seq": PUBLIC,
        "key_id": PUBLIC,
        "prev_hash": PUBLIC,
        "hash": PUBLIC,
    },
    "audit.AuditHead": {"id": PUBLIC, "count": PUBLIC, "last_hash": PUBLIC, "key_id": PUBLIC},
    "registry.Household": {
        "id": PERSONAL,
        "registration_number": PERSONAL,
        "site": PERSONAL,
        "site_path": PERSONAL,
        "shelter": SENSITIVE,
        "registered_by": PERSONAL,
        "created_at": PERSONAL,
        "updated_at": PERSONAL,
    },
    "registry.Person": {
        **_NAMES,
        "id": PERSONAL,
        "registration_number": PERSONAL,
        "household": PERSONAL,
        "site_path": PERSONAL,
        "relationship": PERSONAL,
        "sex": PERSONAL,
        "birth_date": PERSONAL,
        "birth_date_estimated": PERSONAL,
        "birth_year_min": PERSONAL,
        "birth_year_max": PERSONAL,
        "stated_age": PERSONAL,
        "stated_age_on": PERSONAL,
        "nationality": SENSITIVE,
        "origin_country": SENSITIVE,
        "origin_admin1": SENSITIVE,
        "origin_place": SENSITIVE,
        "languages": PERSONAL,
        "phone": SENSITIVE,
        "specific_needs": HIGHLY_SENSITIVE,
        "mask_name": HIGHLY_SENSITIVE,
        "died_on": PERSONAL,
        "merged_into": PERSONAL,
        "created_at": PERSONAL,
        "updated_at": PERSONAL,
    },
    "registry.IdentityDocument": {
        "id": SENSITIVE,
        "person": SENSITIVE,
        "document_type": SENSITIVE,
        "number": SENSITIVE,
        "issuer": SENSITIVE,
    },
    "registry.LegalBasis": {
        "id": PERSONAL,
        "person": PERSONAL,
        "purpose": PERSONAL,
        "basis": PERSONAL,
        "recorded_at": PERSONAL,
        "recorded_by": PERSONAL,
    },
    "registry.PersonRevision": {
        "id": PERSONAL,
        "person": PERSONAL,
        "at": PERSONAL,
        "user": PERSONAL,
        "changed_fields": PERSONAL,
        "before": HIGHLY_SENSITIVE,
    },
    "registry.BlockingKey": {
        "id": PERSONAL,
        "person": PERSONAL,
        "rule": PERSONAL,
        "key": PERSONAL,
        "year": PERSONAL,
    },
    "registry.DuplicateCandidate": {
        "id": PERSONAL,
        "keep": PERSONAL,
        "other": PERSONAL,
        "probability": PERSONAL,
        "explanation": PERSONAL,
        "status": PERSONAL,
        "decided_by": PERSONAL,
        "decided_at": PERSONAL,
        "created_at": PERSONAL,
    },
    "registry.ImportJob": {
        "id": PERSONAL,
        "user": PERSONAL,
        "organisation": PERSONAL,
        "filename": PERSONAL,
        "status": PERSONAL,
        "rows": HIGHLY_SENSITIVE,
        "bases": PERSONAL,
        "checked": PUBLIC,
        "total": PUBLIC,
        "errors": SENSITIVE,
        "imported_people": PUBLIC,
        "imported_households": PUBLIC,
        "created_at": PERSONAL,
    },
    "screening.Screening": {
        "id": PERSONAL,
        "person": HIGHLY_SENSITIVE,
        "site_path": PERSONAL,
        "organisation": PERSONAL,
        "instrument": HIGHLY_SENSITIVE,
        "instrument_version": PERSONAL,
        "profile": PERSONAL,
        "administered_with": PERSONAL,
        "answers": HIGHLY_SENSITIVE,
        "result": HIGHLY_SENSITIVE,
        "outcome": HIGHLY_SENSITIVE,
        "level": HIGHLY_SENSITIVE,
        "sex": PERSONAL,
        "age_group": PERSONAL,
        "legal_basis": PERSONAL,
        "source": PERSONAL,
        "screened_by": PERSONAL,
        "screened_at": PERSONAL,
    },
    "screening.FiredIndicator": {
        "id": PERSONAL,
        "screening": HIGHLY_SENSITIVE,
        "item": HIGHLY_SENSITIVE,
        "scope": HIGHLY_SENSITIVE,
    },
    "screening.Alert": {
        "id": PERSONAL,
        "screening": HIGHLY_SENSITIVE,
        "person": HIGHLY_SENSITIVE,
        "site_path": PERSONAL,
        "organisation": PERSONAL,
        "level": HIGHLY_SENSITIVE,
        "referrals": HIGHLY_SENSITIVE,
        "status": PERSONAL,
        "created_at": PERSONAL,
        "acknowledged_by": PERSONAL,
        "acknowledged_at": PERSONAL,
    },
    # Counts made at the time of screening, with no link to a person; sensitive
    # because a count of one in a small site and week could point at someone.
    # They leave Salama only through the figures page's suppression.
    "screening.ScreeningCount": {
        "id": PUBLIC,
        **dict.fromkeys(
            ("site_path", "week", "sex", "age_group", "instrument", "level", "count"), SENSITIVE
        ),
    },
    "screening.IndicatorCount": {
        "id": PUBLIC,
        **dict.fromkeys(
            ("site_path", "week", "sex", "age_group", "instrument", "indicator", "count"),
            SENSITIVE,
        ),
    },
    "screening.Submission": {
        "id": PERSONAL,
        "instance_id": PERSONAL,
        "form_id": PERSONAL,
        "form_version": PERSONAL,
        "xml": HIGHLY_SENSITIVE,
        "xml_sha256": PUBLIC,
        "site_path": PERSONAL,
        "organisation": PERSONAL,
        "registry_id": PERSONAL,
        "status": PERSONAL,
        "problem": PERSONAL,
        "person": HIGHLY_SENSITIVE,
        "screening": HIGHLY_SENSITIVE,
        "submitted_by": PERSONAL,
        "received_at": PERSONAL,
    },
    "screening.Attachment": {
        "id": PERSONAL,
        "submission": HIGHLY_SENSITIVE,
        "name": PERSONAL,
        "content_type": PERSONAL,
        "size": PERSONAL,
        "sha256": PUBLIC,
        "data": HIGHLY_SENSITIVE,
    },
    "screening.FieldCredential": {
        "id": PERSONAL,
        "user": PERSONAL,
        "ha1": HIGHLY_SENSITIVE,
        "created_at": PERSONAL,
    },
}

# Models whose rows describe a resident: only the registry's access module may query them.
PERSONAL_MODELS = (
    "Person",
    "Household",
    "IdentityDocument",
    "LegalBasis",
    "PersonRevision",
    "ImportJob",
    "BlockingKey",
    "DuplicateCandidate",
    "Screening",
    "FiredIndicator",
    "Alert",
    "Submission",
    "Attachment",
    "TracingCase",
    "TracingReport",
    "ReportPhoto",
    "CaseCandidate",
    "CaseAction",
    "Sighting",
    "PresenceStatus",
    "HouseholdCard",
    "AbsenceAlert",
    "ProtectionCase",
    "CaseEvent",
    "PlanItem",
    "Referral",
    "ServiceDelivery",
    "Eligibility",
    "AllegedExploiter",
    "CivilEvent",
    "Party",
    "Action",
    "Certificate",
    "StoppedMarriage",
    "Attachment",
)


# Background jobs and notifications: who started what, and who was told what
# about which record (a reference and a link, never a name). Error texts are
# sensitive: an exception message could quote a value.
_JOB_FIELDS = [
    "id",
    "handler",
    "label",
    "kwargs",
    "user",
    "organisation",
    "status",
    "attempts",
    "max_attempts",
    "backoff_seconds",
    "progress_done",
    "progress_total",
    "progress_message",
    "result",
    "created_at",
    "run_after",
    "started_at",
    "finished_at",
    "heartbeat_at",
    "task_result_id",
]
FIELD_SENSITIVITY["jobs.Job"] = {
    **dict.fromkeys(_JOB_FIELDS, PERSONAL),
    "error_type": PERSONAL,
    "error_message": SENSITIVE,
}
FIELD_SENSITIVITY["jobs.ScheduledSlot"] = dict.fromkeys(
    ("id", "entry", "slot", "job", "created_at"), PUBLIC
)
FIELD_SENSITIVITY["notifications.Notification"] = dict.fromkeys(
    ("id", "recipient", "kind", "subject", "reference", "link", "created", "read_at"), PERSONAL
)
FIELD_SENSITIVITY["notifications.ChannelPreference"] = dict.fromkeys(
    ("id", "user", "email", "webhook"), PERSONAL
)
FIELD_SENSITIVITY["notifications.Delivery"] = {
    **dict.fromkeys(
        [
            "id",
            "notification",
            "channel",
            "status",
            "attempts",
            "response_status",
            "job_id",
            "created",
            "last_attempt_at",
            "sent_at",
        ],
        PERSONAL,
    ),
    "last_error": SENSITIVE,
}


# Data protection (salama/privacy): export files name who asked and, for a
# person's own data, whom it is about; the sealing password is a secret kept
# encrypted until the file is sealed. Agreements are organisations' records.
FIELD_SENSITIVITY["privacy.ExportFile"] = {
    **dict.fromkeys(
        [
            "id",
            "kind",
            "status",
            "user",
            "organisation",
            "language",
            "job_id",
            "rows",
            "size",
            "created_at",
            "ready_at",
            "expires_at",
            "deleted_at",
        ],
        PERSONAL,
    ),
    "subject": SENSITIVE,
    "sealing_password": HIGHLY_SENSITIVE,
}
FIELD_SENSITIVITY["privacy.SharingAgreement"] = {
    **dict.fromkeys(
        [
            "id",
            "from_organisation",
            "to_organisation",
            "recipient_name",
            "recipient_kind",
            "purposes",
            "sensitivity_classes",
            "fields",
            "starts_on",
            "ends_on",
            "status",
            "created_at",
            "ended_at",
            "ended_on",
        ],
        PUBLIC,
    ),
    "signatory": PERSONAL,
    "created_by": PERSONAL,
    "ended_by": PERSONAL,
}
FIELD_SENSITIVITY["privacy.FileClosure"] = {
    "person": PERSONAL,
    "reason": SENSITIVE,
    "closed_at": PERSONAL,
    "closed_by": PERSONAL,
}
FIELD_SENSITIVITY["privacy.RetentionRun"] = dict.fromkeys(
    ("id", "ran_at", "counts", "deleted_ids"), PUBLIC
)


# Presence checks (salama/presence): a check is a site's event; who was seen
# at it, when someone was last seen and an absence alert are about a person.
# The reason an alert was dismissed may say where someone went: encrypted.
FIELD_SENSITIVITY["presence.PresenceCheck"] = {
    **dict.fromkeys(
        ["id", "site", "site_path", "kind", "held_at", "status", "organisation"], PUBLIC
    ),
    **dict.fromkeys(["covered", "seen", "created_at", "closed_at"], PUBLIC),
    "recorded_by": PERSONAL,
}
FIELD_SENSITIVITY["presence.Sighting"] = {
    **dict.fromkeys(["id", "presence_check", "person", "method", "at", "recorded_by"], PERSONAL),
}
FIELD_SENSITIVITY["presence.PresenceStatus"] = dict.fromkeys(
    ("person", "last_seen_at", "missed_checks", "last_missed_at", "cleared_at"), PERSONAL
)
FIELD_SENSITIVITY["presence.HouseholdCard"] = {
    "id": PERSONAL,
    "household": PERSONAL,
    # The code alone marks a household as seen: a secret like a password.
    "code": HIGHLY_SENSITIVE,
    "issued_at": PERSONAL,
    "issued_by": PERSONAL,
    "revoked": PERSONAL,
}
FIELD_SENSITIVITY["presence.AbsenceAlert"] = {
    **dict.fromkeys(
        [
            "id",
            "person",
            "site_path",
            "rule",
            "missed_checks",
            "days_unseen",
            "last_seen_at",
            "raised_by_check",
            "created_at",
            "resolved_by",
            "resolved_at",
            "case_reference",
        ],
        PERSONAL,
    ),
    # Profile (unaccompanied child, woman at risk) and status (reported
    # missing) say more about a person than their presence does.
    "profile": SENSITIVE,
    "status": SENSITIVE,
    "reason": HIGHLY_SENSITIVE,
}


def exportable(model: str, names: tuple[str, ...]) -> tuple[str, ...]:
    """The fields of `model` that may leave the system in a registry export:
    highly sensitive fields never do."""
    classes = FIELD_SENSITIVITY[model]
    return tuple(name for name in names if classes[name] != HIGHLY_SENSITIVE)


# The missing-persons desk (salama/tracing): a case and its reports are case
# data of the desk's organisation; who is described, the circumstances, the
# reporter and every note are encrypted (PROTECTION.md 25).
ENCRYPTED_FIELDS["tracing.TracingCase"] = ("urgency_reasons",)
ENCRYPTED_FIELDS["tracing.TracingReport"] = (
    "person",
    "last_seen",
    "circumstances",
    "circumstances_detail",
    "reporter",
)
ENCRYPTED_FIELDS["tracing.ReportPhoto"] = ("data",)
ENCRYPTED_FIELDS["tracing.CaseAction"] = ("note", "data")
FIELD_SENSITIVITY["tracing.Desk"] = {
    **dict.fromkeys(
        (
            "id",
            "site",
            "organisation",
            "place",
            "hours",
            "place_ar",
            "place_fr",
            "hours_ar",
            "hours_fr",
            "searches",
            "public",
        ),
        PUBLIC,
    )
}
FIELD_SENSITIVITY["tracing.DutyShift"] = dict.fromkeys(
    ("id", "desk", "user", "starts_at", "ends_at", "created_by"), PERSONAL
)
FIELD_SENSITIVITY["tracing.TracingCase"] = {
    **dict.fromkeys(
        (
            "id",
            "reference",
            "site",
            "site_path",
            "organisation",
            "assigned_to",
            "opened_at",
            "first_action_due",
            "first_action_at",
            "escalation",
            "closed_at",
            "counted",
        ),
        PERSONAL,
    ),
    **dict.fromkeys(
        ("kind", "status", "urgency", "urgent", "disclosure", "sex", "age_group"), SENSITIVE
    ),
    "urgency_reasons": HIGHLY_SENSITIVE,
    "person": HIGHLY_SENSITIVE,
}
FIELD_SENSITIVITY["tracing.TracingReport"] = {
    **dict.fromkeys(
        (
            "id",
            "reference",
            "kind",
            "channel",
            "case",
            "site_path",
            "organisation",
            "pin_failures",
            "locked_until",
            "created_by",
            "created_at",
            "duplicate_of",
        ),
        PERSONAL,
    ),
    "pin_hash": HIGHLY_SENSITIVE,
    **dict.fromkeys(
        (
            "person",
            "last_seen",
            "circumstances",
            "circumstances_detail",
            "reporter",
            "registry_person",
        ),
        HIGHLY_SENSITIVE,
    ),
}
FIELD_SENSITIVITY["tracing.ReportPhoto"] = {
    "id": PERSONAL,
    "report": PERSONAL,
    "content_type": PERSONAL,
    "data": HIGHLY_SENSITIVE,
}
FIELD_SENSITIVITY["tracing.CaseCandidate"] = {
    **dict.fromkeys(
        ("id", "case", "probability", "explanation", "decision", "decided_by", "decided_at"),
        SENSITIVE,
    ),
    "person": HIGHLY_SENSITIVE,
    "report": HIGHLY_SENSITIVE,
}
FIELD_SENSITIVITY["tracing.CaseAction"] = {
    **dict.fromkeys(("id", "case", "kind", "at", "user"), PERSONAL),
    "note": HIGHLY_SENSITIVE,
    "data": HIGHLY_SENSITIVE,
}
# The public page's rate limits: a client only as a keyed hash of its address,
# kept a few hours (salama.tracing.jobs.public_limits_prune).
FIELD_SENSITIVITY["tracing.PublicLimitHit"] = {
    **dict.fromkeys(("id", "kind", "at"), PUBLIC),
    "key": PERSONAL,
}


# Protection cases and referrals (salama/cases): case data of one organisation;
# notes, plans, consent details, what a referral shares and everything about
# alleged exploiters are encrypted (PROTECTION.md 25). The directory is public.
FIELD_SENSITIVITY["cases.Service"] = {
    **dict.fromkeys(
        (
            "id",
            "site",
            "site_path",
            "organisation",
            "name",
            "service_type",
            "languages",
            "hours",
            "capacity",
            "contact",
            "accepts_children",
            "staff_gender",
            "answer_within_hours",
            "active",
            "created_at",
        ),
        PUBLIC,
    ),
    "created_by": PERSONAL,
}
FIELD_SENSITIVITY["cases.PathwayStep"] = {
    **dict.fromkeys(("id", "site", "case_type", "for_children", "rank", "service", "note"), PUBLIC)
}
ENCRYPTED_FIELDS["cases.ProtectionCase"] = ("bia_notes", "bid_decision", "proposed_needs")
FIELD_SENSITIVITY["cases.ProtectionCase"] = {
    **dict.fromkeys(
        (
            "id",
            "reference",
            "site",
            "site_path",
            "organisation",
            "source_id",
            "assigned_to",
            "supervisor",
            "opened_by",
            "opened_at",
            "bid_decided_at",
            "reviewed_at",
            "reviewed_by",
            "closed_at",
        ),
        PERSONAL,
    ),
    **dict.fromkeys(
        (
            "case_type",
            "risk",
            "status",
            "source_kind",
            "sex",
            "age_group",
            "is_child",
            "bia_status",
            "bid_required",
            "caregiver",
            "consent_by",
            "closure_reason",
        ),
        SENSITIVE,
    ),
    **dict.fromkeys(("bia_notes", "bid_decision", "person", "proposed_needs"), HIGHLY_SENSITIVE),
}
ENCRYPTED_FIELDS["cases.CaseEvent"] = ("note",)
FIELD_SENSITIVITY["cases.CaseEvent"] = {
    **dict.fromkeys(("id", "case", "user", "at"), PERSONAL),
    **dict.fromkeys(("kind",), SENSITIVE),
    **dict.fromkeys(("note",), HIGHLY_SENSITIVE),
}
ENCRYPTED_FIELDS["cases.PlanItem"] = ("objective", "actions")
FIELD_SENSITIVITY["cases.PlanItem"] = {
    **dict.fromkeys(
        ("id", "case", "due_on", "done_on", "reminded_on", "created_by", "created_at"), PERSONAL
    ),
    **dict.fromkeys(("plan_type", "status"), SENSITIVE),
    **dict.fromkeys(("objective", "actions"), HIGHLY_SENSITIVE),
}
ENCRYPTED_FIELDS["cases.Referral"] = (
    "consent_explained_by",
    "override_reason",
    "legal_obligation",
    "reason",
    "shared",
    "answer_note",
    "outcome",
)
FIELD_SENSITIVITY["cases.Referral"] = {
    **dict.fromkeys(
        (
            "id",
            "reference",
            "case",
            "service",
            "from_organisation",
            "to_organisation",
            "site_path",
            "agreement",
            "consent_language",
            "consent_fields",
            "made_by",
            "made_at",
            "answer_due",
            "reminders",
            "escalated_at",
            "answered_by",
            "answered_at",
            "completed_at",
            "withdrawn_at",
        ),
        PERSONAL,
    ),
    **dict.fromkeys(
        (
            "service_type",
            "case_type",
            "status",
            "consent_given",
            "authority_decision",
            "outcome",
            "sex",
            "age_group",
        ),
        SENSITIVE,
    ),
    **dict.fromkeys(
        (
            "consent_explained_by",
            "override_reason",
            "legal_obligation",
            "reason",
            "shared",
            "answer_note",
            "outcome",
        ),
        HIGHLY_SENSITIVE,
    ),
}
ENCRYPTED_FIELDS["cases.ServiceDelivery"] = ("note",)
FIELD_SENSITIVITY["cases.ServiceDelivery"] = {
    **dict.fromkeys(
        ("id", "case", "referral", "provider", "delivered_on", "recorded_by", "recorded_at"),
        PERSONAL,
    ),
    **dict.fromkeys(("service_type", "outcome"), SENSITIVE),
    **dict.fromkeys(("note",), HIGHLY_SENSITIVE),
}
ENCRYPTED_FIELDS["cases.Eligibility"] = ("evidence",)
FIELD_SENSITIVITY["cases.Eligibility"] = {
    **dict.fromkeys(("id", "case", "recorded_by", "recorded_at"), PERSONAL),
    **dict.fromkeys(("programme", "status"), SENSITIVE),
    **dict.fromkeys(("evidence",), HIGHLY_SENSITIVE),
}
ENCRYPTED_FIELDS["cases.AllegedExploiter"] = (
    "names",
    "phones",
    "vehicles",
    "places",
    "affiliation",
    "description",
)
FIELD_SENSITIVITY["cases.AllegedExploiter"] = {
    **dict.fromkeys(
        ("id", "case", "organisation", "phone_keys", "vehicle_keys", "recorded_by", "recorded_at"),
        PERSONAL,
    ),
    **dict.fromkeys(("part",), SENSITIVE),
    **dict.fromkeys(
        ("names", "phones", "vehicles", "places", "affiliation", "description"), HIGHLY_SENSITIVE
    ),
}

# Civil registration (salama/civil): a register of vital events. Names, dates and
# causes of death describe people; a stopped marriage is recorded without names.
ENCRYPTED_FIELDS["civil.CivilEvent"] = ("details", "review_flags", "late_evidence")
FIELD_SENSITIVITY["civil.CivilEvent"] = {
    **dict.fromkeys(
        (
            "id",
            "reference",
            "number",
            "site",
            "site_path",
            "organisation",
            "event_date",
            "place",
            "officiant_kind",
            "officiant_name",
            "state_certificate_number",
            "created_by",
            "created_at",
            "registered_at",
            "reminded_at",
            "child",
        ),
        PERSONAL,
    ),
    **dict.fromkeys(("event_type", "status", "flags", "late"), SENSITIVE),
    **dict.fromkeys(("details", "review_flags", "late_evidence"), HIGHLY_SENSITIVE),
}
ENCRYPTED_FIELDS["civil.Party"] = ("name",)
FIELD_SENSITIVITY["civil.Party"] = {
    **dict.fromkeys(("id", "event", "role", "person", "name", "position"), PERSONAL),
}
ENCRYPTED_FIELDS["civil.Action"] = ("note", "changes")
FIELD_SENSITIVITY["civil.Action"] = {
    **dict.fromkeys(("id", "event", "kind", "user", "at"), PERSONAL),
    **dict.fromkeys(("note", "changes"), SENSITIVE),
}
ENCRYPTED_FIELDS["civil.Certificate"] = ("printed", "revoked_reason")
FIELD_SENSITIVITY["civil.Certificate"] = {
    **dict.fromkeys(
        (
            "id",
            "serial",
            "event",
            "kind",
            "issued_at",
            "issued_by",
            "printed",
            "statement",
            "revoked_at",
            "revoked_reason",
            "replaced_by",
        ),
        PERSONAL,
    ),
}
ENCRYPTED_FIELDS["civil.Attachment"] = ("name", "data")
FIELD_SENSITIVITY["civil.Attachment"] = {
    **dict.fromkeys(
        ("id", "event", "kind", "content_type", "size", "sha256", "added_by", "added_at"),
        PERSONAL,
    ),
    **dict.fromkeys(("name", "data"), HIGHLY_SENSITIVE),
}
FIELD_SENSITIVITY["civil.NumberSequence"] = {"id": PUBLIC, "key": PUBLIC, "last": PUBLIC}
FIELD_SENSITIVITY["civil.StoppedMarriage"] = {
    **dict.fromkeys(
        ("id", "at", "site", "site_path", "organisation", "minimum_age", "presented_by"), SENSITIVE
    ),
    **dict.fromkeys(
        ("parties", "reasons", "court_authorisation_shown", "case_id", "case_reference"),
        HIGHLY_SENSITIVE,
    ),
}
FIELD_SENSITIVITY["civil.Verification"] = {
    "id": PUBLIC,
    "at": PUBLIC,
    "outcome": PUBLIC,
    "client": PERSONAL,
    "certificate": PERSONAL,
}

# Complaints of sexual exploitation and abuse (salama/complaints): walled off
# (PROTECTION.md 9). Narratives, identities, evidence and notes are encrypted.
ENCRYPTED_FIELDS["complaints.Complaint"] = (
    "contact",
    "complainant_name",
    "incident_place",
    "narrative",
    "subject_organisation_text",
    "subject_name",
    "survivor_wishes",
)
FIELD_SENSITIVITY["complaints.Complaint"] = {
    **dict.fromkeys(
        (
            "id",
            "reference",
            "receipt_hash",
            "organisation",
            "site",
            "site_path",
            "channel",
            "received_at",
            "received_by",
            "language",
            "status",
            "flags",
            "acknowledged_at",
            "assistance_referred_at",
            "investigation_organisation",
            "investigation_referred_at",
            "investigation_outcome_at",
            "feedback_at",
            "closed_at",
            "escalated",
            "source_key",
        ),
        SENSITIVE,
    ),
    **dict.fromkeys(
        (
            "relationship",
            "contact_preference",
            "consent_assistance",
            "consent_identity",
            "survivor_age",
            "survivor_sex",
            "survivor_disability",
            "safety_risk",
            "category",
            "incident_date",
            "incident_year",
            "subject_organisation",
            "subject_type",
            "subject_country",
            "subject_in_contact",
            "investigation_status",
        ),
        SENSITIVE,
    ),
    **dict.fromkeys(
        (
            "contact",
            "complainant_name",
            "incident_place",
            "narrative",
            "subject_organisation_text",
            "subject_name",
            "survivor_wishes",
        ),
        HIGHLY_SENSITIVE,
    ),
}
FIELD_SENSITIVITY["complaints.SubjectLink"] = dict.fromkeys(
    ("id", "complaint", "user", "how", "at"), HIGHLY_SENSITIVE
)
ENCRYPTED_FIELDS["complaints.Recusal"] = ("reason",)
FIELD_SENSITIVITY["complaints.Recusal"] = {
    **dict.fromkeys(("id", "complaint", "user", "at"), SENSITIVE),
    "reason": HIGHLY_SENSITIVE,
}
ENCRYPTED_FIELDS["complaints.BreakGlass"] = ("reason",)
FIELD_SENSITIVITY["complaints.BreakGlass"] = {
    **dict.fromkeys(("id", "complaint", "user", "at", "until"), SENSITIVE),
    "reason": HIGHLY_SENSITIVE,
}
ENCRYPTED_FIELDS["complaints.Feedback"] = ("text",)
FIELD_SENSITIVITY["complaints.Feedback"] = {
    **dict.fromkeys(("id", "complaint", "at", "by"), SENSITIVE),
    "text": HIGHLY_SENSITIVE,
}
ENCRYPTED_FIELDS["complaints.Addition"] = ("text",)
FIELD_SENSITIVITY["complaints.Addition"] = {
    **dict.fromkeys(("id", "complaint", "at"), SENSITIVE),
    "text": HIGHLY_SENSITIVE,
}
ENCRYPTED_FIELDS["complaints.Evidence"] = ("name", "data")
FIELD_SENSITIVITY["complaints.Evidence"] = {
    **dict.fromkeys(
        (
            "id",
            "complaint",
            "number",
            "content_type",
            "size",
            "sha256",
            "source",
            "added_at",
            "added_by",
        ),
        SENSITIVE,
    ),
    **dict.fromkeys(("name", "data"), HIGHLY_SENSITIVE),
}
ENCRYPTED_FIELDS["complaints.Custody"] = ("note",)
FIELD_SENSITIVITY["complaints.Custody"] = {
    **dict.fromkeys(
        ("id", "complaint", "seq", "kind", "at", "actor", "evidence", "content", "key_id", "hash"),
        SENSITIVE,
    ),
    "note": HIGHLY_SENSITIVE,
}
ENCRYPTED_FIELDS["complaints.AssistanceReferral"] = ("shared", "answer_note")
FIELD_SENSITIVITY["complaints.AssistanceReferral"] = {
    **dict.fromkeys(
        (
            "id",
            "reference",
            "complaint",
            "service",
            "organisation",
            "site_path",
            "state",
            "consent_by",
            "consent_language",
            "needs",
            "made_by",
            "made_at",
            "case_manager",
            "answered_at",
            "completed_at",
        ),
        SENSITIVE,
    ),
    **dict.fromkeys(("shared", "answer_note"), HIGHLY_SENSITIVE),
}
ENCRYPTED_FIELDS["complaints.VettingCheck"] = ("staff_name",)
FIELD_SENSITIVITY["complaints.VettingCheck"] = {
    **dict.fromkeys(("id", "organisation", "checked_on", "recorded_by", "recorded_at"), PERSONAL),
    "staff_name": PERSONAL,
}
FIELD_SENSITIVITY["complaints.PublicHit"] = dict.fromkeys(("id", "kind", "key", "at"), PERSONAL)

# Early warning (salama/warning): counts per site and week, and what lies near
# a site. The verifying officer's finding is free text about the week and is
# encrypted in case it names someone despite its help text.
ENCRYPTED_FIELDS["warning.Alert"] = ("finding",)
FIELD_SENSITIVITY["warning.Alert"] = {
    **dict.fromkeys(
        (
            "id",
            "site",
            "site_path",
            "signal",
            "week",
            "kind",
            "observed",
            "denominator",
            "places",
            "expected",
            "upper",
            "score",
            "method",
            "raised_at",
            "verify_by",
            "outcome",
            "verified_by",
            "verified_at",
        ),
        PERSONAL,
    ),
    "finding": SENSITIVE,
}
FIELD_SENSITIVITY["warning.RiskFactor"] = dict.fromkeys(
    (
        "id",
        "site",
        "kind",
        "name",
        "latitude",
        "longitude",
        "distance_km",
        "recorded_by",
        "recorded_at",
    ),
    PUBLIC,
)

# Reports by the four pillars (salama/reports): participation records hold
# numbers by sex and age group, never names; topics and decisions are free
# text and encrypted in case they name someone despite their help text.
ENCRYPTED_FIELDS["reports.Consultation"] = ("topics", "decisions")
FIELD_SENSITIVITY["reports.Consultation"] = {
    **dict.fromkeys(
        (
            "id",
            "site",
            "site_path",
            "organisation",
            "kind",
            "held_on",
            "women",
            "girls",
            "men",
            "boys",
            "with_survivors",
            "recorded_by",
            "recorded_at",
        ),
        PERSONAL,
    ),
    "topics": SENSITIVE,
    "decisions": SENSITIVE,
}
FIELD_SENSITIVITY["reports.CommitteeRecord"] = dict.fromkeys(
    (
        "id",
        "site",
        "site_path",
        "organisation",
        "name",
        "as_of",
        "members",
        "women",
        "recorded_by",
        "recorded_at",
    ),
    PUBLIC,
)
FIELD_SENSITIVITY["reports.WpsScore"] = dict.fromkeys(
    ("id", "edition", "country_iso3", "score", "rank", "imported_by", "imported_at"), PUBLIC
)
FIELD_SENSITIVITY["reports.Release"] = dict.fromkeys(
    (
        "id",
        "kind",
        "user",
        "organisation",
        "site",
        "period_start",
        "period_end",
        "k",
        "cells",
        "hidden",
        "mechanism",
        "epsilon",
        "agreement",
        "export",
        "records",
        "suppressed",
        "released_at",
    ),
    PERSONAL,
)
