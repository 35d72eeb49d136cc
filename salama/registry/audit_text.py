"""Audit entries and revisions in words: the access log and a person's
history show what was done, for which purpose and to which fields in the
reader's language, never the codes the trail stores."""

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
}


def _words(code: str) -> str:
    return code.replace("_", " ").replace(".", " ")


def action_label(action: str) -> str:
    return str(ACTIONS.get(action, _words(action)))


def purpose_label(purpose: str) -> str:
    return str(dict(PURPOSES).get(purpose) or OTHER_PURPOSES.get(purpose) or _words(purpose))


def basis_label(basis: str) -> str:
    return str(dict(LEGAL_BASES).get(basis, _words(basis)))


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
