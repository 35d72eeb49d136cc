import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from salama.core.fields import EncryptedJSONField
from salama.core.models import Organisation, Site
from salama.registry.codes import DOCUMENT_TYPES, LEGAL_BASES, PURPOSES, RELATIONSHIPS, SEXES


class Household(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    registration_number = models.CharField(_("household number"), max_length=30, unique=True)
    site = models.ForeignKey(Site, on_delete=models.PROTECT, verbose_name=_("location"))
    # Copy of site.path, so that scoping by site is one indexed prefix filter.
    site_path = models.CharField(max_length=255, db_index=True, editable=False)
    shelter = models.CharField(_("shelter or address"), max_length=100, blank=True)
    registered_by = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, verbose_name=_("registered by")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["registration_number"]

    def __str__(self) -> str:
        return self.registration_number


class Person(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    registration_number = models.CharField(_("registration number"), max_length=30, unique=True)
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="members")
    site_path = models.CharField(max_length=255, db_index=True, editable=False)
    relationship = models.CharField(_("relationship to head"), max_length=20, choices=RELATIONSHIPS)
    # Name parts as written in the person's own script...
    given_name = models.CharField(_("given name"), max_length=80, blank=True)
    father_name = models.CharField(_("father's name"), max_length=80, blank=True)
    grandfather_name = models.CharField(_("grandfather's name"), max_length=80, blank=True)
    family_name = models.CharField(_("family name"), max_length=80, blank=True)
    # ...and in Latin script.
    given_name_latin = models.CharField(_("given name (Latin)"), max_length=80, blank=True)
    father_name_latin = models.CharField(_("father's name (Latin)"), max_length=80, blank=True)
    grandfather_name_latin = models.CharField(
        _("grandfather's name (Latin)"), max_length=80, blank=True
    )
    family_name_latin = models.CharField(_("family name (Latin)"), max_length=80, blank=True)
    sex = models.CharField(_("sex"), max_length=1, choices=SEXES)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    birth_date_estimated = models.BooleanField(_("date of birth is estimated"), default=False)
    # Always filled when anything is known: an exact date gives one year, a
    # stated age gives the two years the birth could fall in.
    birth_year_min = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    birth_year_max = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    stated_age = models.PositiveSmallIntegerField(_("stated age"), null=True, blank=True)
    stated_age_on = models.DateField(_("age stated on"), null=True, blank=True)
    nationality = CountryField(_("nationality"), blank=True)
    origin_country = CountryField(_("country of origin"), blank=True)
    origin_admin1 = models.CharField(
        _("province or governorate of origin"), max_length=80, blank=True
    )
    origin_place = models.CharField(_("place of origin"), max_length=120, blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    # Set by a registered death (civil registration), never typed in.
    died_on = models.DateField(_("date of death"), null=True, blank=True, editable=False)
    # Encrypted (PROTECTION.md 25): an SV-* code says what happened to a person.
    specific_needs = EncryptedJSONField(_("specific needs"), default=list, blank=True)
    # Derived from specific_needs (lib.masking.is_survivor) by the actions, so
    # that search can leave survivors' names out for roles that may not see them.
    mask_name = models.BooleanField(default=False, editable=False)
    # A confirmed duplicate points to the record it was merged into; it keeps
    # all its data and history and disappears from lists until unmerged.
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_records"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["registration_number"]
        indexes = [
            models.Index(fields=["family_name_latin", "given_name_latin"]),
            models.Index(fields=["family_name", "given_name"]),
        ]

    def __str__(self) -> str:
        return self.registration_number

    def name(self, script: str = "latin") -> str:
        latin = " ".join(
            p
            for p in (
                self.given_name_latin,
                self.father_name_latin,
                self.grandfather_name_latin,
                self.family_name_latin,
            )
            if p
        )
        original = " ".join(
            p
            for p in (self.given_name, self.father_name, self.grandfather_name, self.family_name)
            if p
        )
        if script == "original":
            return original or latin
        return latin or original


class IdentityDocument(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="documents")
    document_type = models.CharField(_("document type"), max_length=30, choices=DOCUMENT_TYPES)
    number = models.CharField(_("document number"), max_length=60)
    issuer = models.CharField(_("issued by"), max_length=100, blank=True)


class LegalBasis(models.Model):
    """The legal basis for processing one person's data for one purpose.
    Consent to share is its own purpose, separate from assistance, and absent
    (no) unless recorded (PROTECTION.md 1-3)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="legal_bases")
    purpose = models.CharField(_("purpose"), max_length=30, choices=PURPOSES)
    basis = models.CharField(_("legal basis"), max_length=30, choices=LEGAL_BASES)
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "purpose"], name="one_basis_per_purpose")
        ]


class PersonRevision(models.Model):
    """A snapshot of a person before each change, so that edits keep history."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="revisions")
    at = models.DateTimeField(auto_now_add=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_fields = models.JSONField(default=list)
    # Encrypted: the snapshot holds every field, specific-needs codes included.
    before = EncryptedJSONField()

    class Meta:
        ordering = ["-at", "-id"]


class ImportJob(models.Model):
    """An uploaded registry file being checked, then imported whole or not at all.
    The parsed rows are dropped once the job ends."""

    class Status(models.TextChoices):
        CHECKING = "checking", _("Checking")
        INVALID = "invalid", _("Has errors")
        READY = "ready", _("Ready to import")
        IMPORTED = "imported", _("Imported")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT)
    filename = models.CharField(max_length=200)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.CHECKING)
    rows = models.JSONField(default=list)
    bases = models.JSONField(default=dict)
    checked = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list)
    imported_people = models.PositiveIntegerField(default=0)
    imported_households = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)


class BlockingKey(models.Model):
    """Search keys of a person (lib.linkage.blocking.stable_keys): candidate
    retrieval is one indexed lookup, the same on SQLite and PostgreSQL."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="blocking_keys")
    rule = models.PositiveSmallIntegerField()
    key = models.BigIntegerField()
    # The person's latest possible birth year, copied here so that a search
    # reads a common name's people of about the right age from the index
    # alone (None: not known, or a key written before registry 0008).
    year = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        # The person's id ends the index so that a search reads it alone.
        indexes = [
            models.Index(fields=["key", "rule", "year", "person"], name="registry_bl_key_year_idx")
        ]


class DuplicateCandidate(models.Model):
    """A pair the batch scan found likely to be one person, for a human to decide."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for review")
        MERGED = "merged", _("Merged")
        REJECTED = "rejected", _("Not the same person")
        UNMERGED = "unmerged", _("Merged, then separated again")

    keep = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    other = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    probability = models.FloatField()
    explanation = models.JSONField(default=list)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-probability"]
        constraints = [
            models.UniqueConstraint(fields=["keep", "other"], name="one_candidate_per_pair")
        ]
