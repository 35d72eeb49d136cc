"""Audit entries and revisions in words: the access log and a person's
history show what was done, for which purpose and to which fields in the
reader's language, never the codes the trail stores."""

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salama.registry.codes import LEGAL_BASES, PURPOSES
from salama.registry.models import Person

ACTIONS: dict[str, Promise] = {
    "read": gettext_lazy("Opened the record"),
    "list": gettext_lazy("Saw the record in a list"),
    "read_audit": gettext_lazy("Read who accessed the record"),
    "create": gettext_lazy("Registered"),
    "change": gettext_lazy("Changed"),
    "consent": gettext_lazy("Recorded or withdrew a legal basis"),
    "delete": gettext_lazy("Deleted"),
    "merge": gettext_lazy("Merged as a duplicate"),
    "unmerge": gettext_lazy("Separated again (unmerged)"),
    "export": gettext_lazy("Exported"),
    "import": gettext_lazy("Imported"),
    "reject": gettext_lazy("Recorded as a different person"),
    "ask_protection": gettext_lazy("Asked protection staff about a possible match"),
    "subject_access": gettext_lazy("Asked for all the person's data, for them"),
    "close": gettext_lazy("Closed the file"),
    "notify": gettext_lazy("Sent a notification"),
    "download": gettext_lazy("Downloaded a file"),
    "upload": gettext_lazy("Uploaded a file"),
    "scan": gettext_lazy("Looked for duplicates"),
    "enqueue": gettext_lazy("Started a background task"),
    "retry": gettext_lazy("Started a background task again"),
    "retention": gettext_lazy("Deleted what passed its retention period"),
    "rotate_keys": gettext_lazy("Changed the encryption keys"),
    "alert": gettext_lazy("Alerted the data protection officers"),
}
# The records the audit trail names, for models whose own name is not
# translated (their Meta names none).
MODELS: dict[str, Promise] = {
    "auth.User": gettext_lazy("user"),
    "jobs.Job": gettext_lazy("background task"),
    "notifications.Notification": gettext_lazy("notification"),
    "notifications.ChannelPreference": gettext_lazy("notification settings"),
    "privacy.ExportFile": gettext_lazy("export file"),
    "privacy.RetentionRun": gettext_lazy("retention run"),
    "privacy.SharingAgreement": gettext_lazy("data-sharing agreement"),
    "registry.DuplicateCandidate": gettext_lazy("possible duplicate"),
    "registry.Household": gettext_lazy("household"),
    "registry.IdentityDocument": gettext_lazy("identity document"),
    "registry.LegalBasis": gettext_lazy("legal basis"),
    "registry.ImportJob": gettext_lazy("import"),
    "registry.Person": gettext_lazy("person"),
    "screening.Screening": gettext_lazy("screening"),
    "screening.Alert": gettext_lazy("screening alert"),
    "screening.Submission": gettext_lazy("field submission"),
    "screening.Attachment": gettext_lazy("attachment"),
    "screening.FieldCredential": gettext_lazy("field login"),
}
OTHER_PURPOSES: dict[str, Promise] = {
    "accountability": gettext_lazy("Accountability (who accessed a record)"),
    "administration": gettext_lazy("Administration"),
    "security": gettext_lazy("Security"),
    "subject_access": gettext_lazy("The person's request for their own data"),
    "retention": gettext_lazy("Retention (deleting what passed its period)"),
    "system": gettext_lazy("Done by Salama itself"),
    "none": gettext_lazy("No purpose (no role)"),
}
OTHER_FIELDS: dict[str, Promise] = {
    "documents": gettext_lazy("identity documents"),
    "merged_into": gettext_lazy("merged into another record"),
    "closed": gettext_lazy("file closed"),
    "household": gettext_lazy("household"),
    # The sections of a person's own-data file (what left in a subject-access export).
    "language": gettext_lazy("language"),
    "generated_at": gettext_lazy("date prepared"),
    "person": gettext_lazy("their record"),
    "legal_bases": gettext_lazy("legal bases"),
    "revisions": gettext_lazy("history of the record"),
    "merged_records": gettext_lazy("merged records"),
    "screenings": gettext_lazy("screenings"),
    "submissions": gettext_lazy("field submissions"),
    "access_log": gettext_lazy("who read or changed the record"),
    # Kinds of export file named in an audit entry.
    "registry": gettext_lazy("registry export"),
    "subject_access": gettext_lazy("a person's own data"),
}


def _words(code: str) -> str:
    return code.replace("_", " ").replace(".", " ")


def action_label(action: str) -> str:
    return str(ACTIONS.get(action, _words(action)))


def purpose_label(purpose: str) -> str:
    return str(dict(PURPOSES).get(purpose) or OTHER_PURPOSES.get(purpose) or _words(purpose))


def basis_label(basis: str) -> str:
    return str(dict(LEGAL_BASES).get(basis, _words(basis)))


def model_label(model: str) -> str:
    """A record type of the audit trail ("registry.Person") in words: the
    name above, else the model's own verbose_name."""
    if model in MODELS:
        return str(MODELS[model])
    try:
        return str(apps.get_model(model)._meta.verbose_name)
    except (LookupError, ValueError):
        return _words(model)


def field_label(name: str) -> str:
    """A changed field as the reader knows it."""
    if name.startswith("legal_basis."):
        purpose = purpose_label(name.removeprefix("legal_basis."))
        return _("legal basis for %(purpose)s") % {"purpose": purpose}
    if name.startswith("from_screening.basis_"):
        basis = basis_label(name.removeprefix("from_screening.basis_"))
        return _("from a screening (legal basis: %(basis)s)") % {"basis": basis}
    if name in OTHER_FIELDS:
        return str(OTHER_FIELDS[name])
    try:
        return str(getattr(Person._meta.get_field(name), "verbose_name", _words(name)))
    except FieldDoesNotExist:
        return _words(name)


def field_labels(names: list[str]) -> str:
    return ", ".join(field_label(n) for n in names)
