"""Early warning (docs/warning.md): alerts raised on aggregate weekly counts
per site, their verification by the site's protection officer, and the risk
factors of a site shown beside them. Nothing here names a person."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from salama.core.fields import EncryptedTextField


class Signal(models.TextChoices):
    MISSING = "missing", _("Missing-person reports")
    ABSENCE = "absence", _("Absence alerts")
    SURVIVAL_SEX = "survival_sex", _("Survival sex (screening)")
    MARRIAGE_OFFER = "marriage_offer", _("Offers of marriage (screening)")
    JOB_OFFER = "job_offer", _("Offers of work or travel (screening)")
    HELD = "held", _("Held against their will (screening)")
    CHILD_LABOUR = "child_labour", _("Child labour (screening)")
    MARRIAGE_STOPPED = "marriage_stopped", _("Child marriages stopped")
    REFERRAL = "referral", _("GBV and trafficking referrals")
    COMPLAINT = "complaint", _("Complaints of sexual exploitation and abuse")
    ABDUCTION = "abduction", _("Abduction reported")


class Outcome(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed: a real rise")
    EXPLAINED = "explained", _("Explained: a known cause (a registration drive, a new arrival)")
    FALSE_ALARM = "false_alarm", _("False alarm")


class Alert(models.Model):
    """A week whose count at a camp, zone or block is more than the model
    expected, a cluster of blocks with more than their share of a camp's
    recent counts, or a single event that warrants an alert on its own."""

    class Kind(models.TextChoices):
        RISE = "rise", _("A count higher than expected")
        CLUSTER = "cluster", _("A cluster of blocks")
        EVENT = "event", _("A single event")

    # The camp, zone or block whose count rose (the camp, for a cluster).
    site = models.ForeignKey("core.Site", on_delete=models.PROTECT, related_name="+")
    site_path = models.CharField(max_length=255, db_index=True)
    signal = models.CharField(_("signal"), max_length=20, choices=Signal.choices)
    week = models.DateField(_("week"))  # the Monday
    kind = models.CharField(_("kind of alert"), max_length=10, choices=Kind.choices, default="rise")
    observed = models.PositiveIntegerField(_("observed"))
    # Screenings done that week (the count is of those screened), or the
    # registered population; null when the count was scored without one.
    denominator = models.PositiveIntegerField(_("out of"), null=True, blank=True)
    # Ids of other places: the blocks of a cluster, or for a rise the larger
    # places holding this one whose counts alarmed too that week.
    places = models.JSONField(default=list, blank=True)
    expected = models.FloatField(_("expected"))
    upper = models.FloatField(_("threshold"))
    score = models.FloatField(_("strength of evidence"))
    method = models.CharField(_("method"), max_length=30)
    raised_at = models.DateTimeField(db_index=True)
    verify_by = models.DateTimeField(_("verify by"))
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices, blank=True)
    # What the officer found: about the week, never about a person (help text says so).
    finding = EncryptedTextField(_("what was found"), blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    verified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-raised_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["site", "signal", "week", "kind"], name="one_alert_of_a_kind_per_week"
            )
        ]


class RiskFactor(models.Model):
    """Context for a site's alerts (A/73/171 73(c), 73(h)): what lies near it."""

    class Kind(models.TextChoices):
        BARRACKS = "barracks", _("Military barracks")
        PEACEKEEPING = "peacekeeping", _("Peacekeeping base")
        EXTRACTION = "extraction", _("Mining or other extraction zone")
        BORDER = "border", _("International border")
        CHECKPOINT = "checkpoint", _("Checkpoint or transit route")
        OTHER = "other", _("Other")

    site = models.ForeignKey("core.Site", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=15, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=120, blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    # Entered, or worked out from the coordinates of the site and the factor.
    distance_km = models.DecimalField(
        _("distance (km)"), max_digits=7, decimal_places=1, null=True, blank=True
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["site", "distance_km", "kind"]
