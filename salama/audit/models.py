from django.db import models


class AuditEntry(models.Model):
    """One read, create, change, export or delete of a record. Append-only:
    database triggers refuse UPDATE and DELETE (see migration 0002)."""

    at = models.DateTimeField(db_index=True)
    user_id = models.IntegerField(null=True)
    username = models.CharField(max_length=150)
    action = models.CharField(max_length=20)
    purpose = models.CharField(max_length=40)
    model = models.CharField(max_length=60)
    record_id = models.CharField(max_length=64, db_index=True)
    # Names of the fields changed, never their values: the audit trail must
    # not become a second copy of personal data.
    changed_fields = models.JSONField(default=list)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["model", "record_id", "at"])]

    def content(self) -> dict[str, object]:
        return {
            "at": self.at.isoformat(),
            "user_id": self.user_id,
            "username": self.username,
            "action": self.action,
            "purpose": self.purpose,
            "model": self.model,
            "record_id": self.record_id,
            "changed_fields": list(self.changed_fields),
        }


class AuditHead(models.Model):
    """A single row locked while appending, so that concurrent writers chain
    their entries one after another."""

    last_hash = models.CharField(max_length=64)
