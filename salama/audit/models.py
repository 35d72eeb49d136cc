from django.db import models


class AuditEntry(models.Model):
    """One read, create, change, export or delete of a record, or one list shown
    (`record_ids` names every record on it). Append-only: database triggers refuse
    UPDATE, DELETE, TRUNCATE and SQLite's INSERT OR REPLACE (migration 0003)."""

    # Which chain (AuditHead id) the entry belongs to, and its number in that chain:
    # 1, 2, 3, ... without gaps, so a missing number or tail is a removed entry.
    chain = models.SmallIntegerField(default=1)
    seq = models.BigIntegerField()
    # The audit key (salama.lib.auditchain.key_id) under which `hash` was made.
    key_id = models.CharField(max_length=16)

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
    # For a list read: the ids of every record shown (references, never names).
    record_ids = models.JSONField(default=list)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["model", "record_id", "at"])]
        constraints = [
            models.UniqueConstraint(fields=["chain", "seq"], name="audit_entry_chain_seq")
        ]

    def content(self) -> dict[str, object]:
        """What the hash covers besides the number, key and previous hash."""
        return {
            "at": self.at.isoformat(),
            "user_id": self.user_id,
            "username": self.username,
            "action": self.action,
            "purpose": self.purpose,
            "model": self.model,
            "record_id": self.record_id,
            "changed_fields": list(self.changed_fields),
            "record_ids": list(self.record_ids),
        }


class AuditHead(models.Model):
    """The head of one chain (its id is the chain's number), locked while appending
    so that the writers of that chain chain their entries one after another: the
    last entry's number and hash, and the key new entries are hashed with (switched
    by `salama audit rotate-key`)."""

    count = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64)
    key_id = models.CharField(max_length=16, default="")
