"""Reports by the four pillars of women, peace and security (docs/reports.md):
the participation records kept here (consultations and feedback sessions with
women and survivors, the make-up of site committees), the WPS Index scores
imported as context, and the log of every release of figures or cases that
left Salama with how it was protected. Nothing here names a person."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from salama.core.fields import EncryptedTextField


class Consultation(models.Model):
    """A consultation or feedback session held at a site (A/73/171 para 75):
    who took part, counted by sex and age group, what was discussed and what
    was decided. Topics and decisions are free text, so they are encrypted."""

    class Kind(models.TextChoices):
        CONSULTATION = "consultation", _("Consultation")
        FEEDBACK = "feedback", _("Feedback session")

    site = models.ForeignKey("core.Site", on_delete=models.PROTECT, related_name="+")
    site_path = models.CharField(max_length=255, db_index=True)
    organisation = models.ForeignKey(
        "core.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=15, choices=Kind.choices)
    held_on = models.DateField(_("held on"), db_index=True)
    women = models.PositiveIntegerField(_("women (18 and over)"), default=0)
    girls = models.PositiveIntegerField(_("girls (under 18)"), default=0)
    men = models.PositiveIntegerField(_("men (18 and over)"), default=0)
    boys = models.PositiveIntegerField(_("boys (under 18)"), default=0)
    with_survivors = models.BooleanField(_("survivors took part"), default=False)
    topics = EncryptedTextField(_("topics"))
    decisions = EncryptedTextField(_("what was decided"), blank=True, default="")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-held_on", "-pk"]

    @property
    def participants(self) -> int:
        return self.women + self.girls + self.men + self.boys


class CommitteeRecord(models.Model):
    """The make-up of a site committee on a day: how many members, how many
    of them women. The latest record of a committee is its current make-up."""

    site = models.ForeignKey("core.Site", on_delete=models.PROTECT, related_name="+")
    site_path = models.CharField(max_length=255, db_index=True)
    organisation = models.ForeignKey(
        "core.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("committee"), max_length=120)
    as_of = models.DateField(_("as of"))
    members = models.PositiveIntegerField(_("members"))
    women = models.PositiveIntegerField(_("of whom women"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["name", "-as_of", "-pk"]


class WpsScore(models.Model):
    """A country's score and rank in one edition of the Women, Peace and
    Security Index (Georgetown Institute), from a file the user provides."""

    edition = models.CharField(_("edition"), max_length=20)
    country_iso3 = models.CharField(_("country (ISO 3166-1 alpha-3)"), max_length=3)
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=4)
    rank = models.PositiveIntegerField(_("rank"), null=True, blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    imported_at = models.DateTimeField()

    class Meta:
        ordering = ["-edition", "country_iso3"]
        constraints = [
            models.UniqueConstraint(
                fields=["edition", "country_iso3"], name="one_score_per_edition"
            )
        ]


class Release(models.Model):
    """One release of figures or cases that left Salama, with how it was
    protected: k and the cells hidden, the noise and privacy budget spent,
    or, for cases, the agreement, the export file and the records suppressed."""

    class Kind(models.TextChoices):
        HXL = "hxl", _("HXL aggregates")
        DP = "dp", _("Differentially private counts")
        PDF = "pdf", _("Printed report")
        CTDC = "ctdc", _("Case-level export (CTDC format)")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(
        "core.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    site = models.ForeignKey(
        "core.Site", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)
    k = models.PositiveSmallIntegerField(null=True, blank=True)
    cells = models.PositiveIntegerField(default=0)
    hidden = models.PositiveIntegerField(default=0)
    mechanism = models.CharField(max_length=200, blank=True)
    epsilon = models.FloatField(null=True, blank=True)
    agreement = models.ForeignKey(
        "privacy.SharingAgreement",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    export = models.OneToOneField(
        "privacy.ExportFile", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    records = models.PositiveIntegerField(default=0)
    suppressed = models.PositiveIntegerField(default=0)
    released_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-released_at", "-pk"]

    @property
    def reference(self) -> str:
        return f"RL-{self.pk:06d}"
