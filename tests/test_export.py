"""Registry export: its own permission, scoped, audited."""

import csv
import io

from salama.audit.models import AuditEntry
from tests.conftest import signed_in


def read_csv(response):
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_protection_officer_exports_their_sites_only(world, amc_person, hop_person):
    response = signed_in(world.user("protection")).get("/registry/export.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = read_csv(response)
    assert rows[0][:3] == ["registration_number", "household", "given_name"]
    assert [r[0] for r in rows[1:]] == [amc_person.registration_number]
    entry = AuditEntry.objects.get(action="export")
    assert entry.username == "protection" and "given_name" in entry.changed_fields


def test_roles_without_the_export_permission_are_refused(world, amc_person):
    for name in ("registrar", "caseworker", "tracer", "analyst"):
        assert signed_in(world.user(name)).get("/registry/export.csv").status_code == 403
    assert not AuditEntry.objects.filter(action="export").exists()


def test_highly_sensitive_fields_never_leave_in_an_export(world):
    from tests.conftest import person_fields, register

    register(world, world.amc_block, person_fields(specific_needs=["SV-SS"]))
    rows = read_csv(signed_in(world.user("admin")).get("/registry/export.csv"))
    assert "specific_needs" not in rows[0] and "mask_name" not in rows[0]
    assert "languages" in rows[0] and "SV-SS" not in str(rows)
