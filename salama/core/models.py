import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from salama.core.fields import EncryptedTextField
from salama.core.roles import ROLE_LABELS, Role


class Organisation(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    short_name = models.CharField(_("short name"), max_length=30, unique=True)
    kind = models.CharField(
        _("kind"),
        max_length=30,
        choices=[
            ("camp_management", _("Camp management agency")),
            ("ngo", _("Non-governmental organisation")),
            ("un", _("UN agency")),
            ("un_mission", _("UN peacekeeping or political mission")),
            ("government", _("Government")),
        ],
    )

    def __str__(self) -> str:
        return self.short_name


class Site(models.Model):
    """Country → site (camp, settlement, host community) → zone → block."""

    class Level(models.TextChoices):
        COUNTRY = "country", _("Country")
        SITE = "site", _("Site")
        ZONE = "zone", _("Zone")
        BLOCK = "block", _("Block")

    CHILD_LEVEL = {"country": "site", "site": "zone", "zone": "block"}
    NAME_LANGUAGES = ("ar", "fr")

    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    kind = models.CharField(
        _("kind of site"),
        max_length=20,
        blank=True,
        choices=[
            ("camp", _("Camp")),
            ("settlement", _("Settlement")),
            ("host", _("Host community")),
        ],
    )
    name = models.CharField(_("name"), max_length=120)
    # Names as read in Arabic and French; empty falls back to `name`.
    name_ar = models.CharField(_("name in Arabic"), max_length=120, blank=True)
    name_fr = models.CharField(_("name in French"), max_length=120, blank=True)
    code = models.CharField(_("code"), max_length=20, unique=True)
    # Materialised path of ids ("/3/7/12/") so that scoping to a site and
    # everything below it is one indexed prefix query on any database.
    path = models.CharField(max_length=255, db_index=True, editable=False)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    # The organisation keeping a camp's registry: besides the organisation that
    # registered a household, only it may change the household (camps only).
    registry_owner = models.ForeignKey(
        "Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("registry kept by"),
    )

    class Meta:
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name_in(get_language() or "en")

    @staticmethod
    def paths_holding(path: str) -> list[str]:
        """The paths of the places holding `path`, from the top, `path` itself last
        ("/3/7/12/" → "/3/", "/3/7/", "/3/7/12/")."""
        ids = [i for i in path.strip("/").split("/") if i]
        return ["/" + "/".join(ids[:n]) + "/" for n in range(1, len(ids) + 1)]

    def name_in(self, language: str) -> str:
        """The site's name in `language` ("ar", "fr", …), falling back to `name`."""
        code = language.split("-")[0].lower()
        translated = getattr(self, f"name_{code}", "") if code in self.NAME_LANGUAGES else ""
        return str(translated or self.name)


class Membership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT)
    role = models.CharField(
        _("role"), max_length=30, choices=[(r.value, label) for r, label in ROLE_LABELS.items()]
    )
    sites = models.ManyToManyField(Site, blank=True, related_name="memberships")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"], name="one_membership_per_role"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation} ({self.role})"

    @property
    def role_enum(self) -> Role:
        return Role(self.role)


class UserPreference(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="preference"
    )
    name_script = models.CharField(
        _("show names in"),
        max_length=10,
        default="latin",
        choices=[("latin", _("Latin script")), ("original", _("Original script"))],
    )


class ApiToken(models.Model):
    """Bearer token for a machine client; only its SHA-256 is stored. It
    expires (settings.SALAMA_API_TOKEN_DAYS by default) and opens only the
    endpoints of its scopes."""

    class Scope(models.TextChoices):
        READ = "read", _("Read records")
        WRITE = "write", _("Create and change records")
        FIELD = "field", _("Field collection (OpenRosa)")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    scopes = models.JSONField(default=list)
    # Written at most once a minute per token (see api_auth.BearerToken).
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked = models.BooleanField(default=False)

    @staticmethod
    def digest_of(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()

    @staticmethod
    def new_raw_token() -> str:
        return "slm_" + secrets.token_urlsafe(32)


class IdempotencyKey(models.Model):
    """The first answer to a creating API call sent with an Idempotency-Key
    header, so that a retry with the same key, from any server process,
    gets that answer again instead of creating a second record. The answer
    holds personal data: encrypted, and deleted after
    settings.SALAMA_IDEMPOTENCY_HOURS by a scheduled job."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    # SHA-256 of method, path and body: the same key with another request is refused.
    fingerprint = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField()
    content_type = models.CharField(max_length=100)
    body = EncryptedTextField()
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="one_idempotency_key_per_user")
        ]
