"""GET /api/v1/services: the service directory (not personal data)."""

from ninja import Router

router = Router(tags=["services"])
