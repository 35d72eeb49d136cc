"""Real OpenRosa clients against Salama served by waitress (the production
server, which de-chunks request bodies), on a free port."""

import os
import shutil
import threading
from collections.abc import Iterator

import pytest

from salama.screening.actions import field_credential_set

FIELD_PASSWORD = "field devices only 4821"


def require(tool: str) -> str:
    found = shutil.which(tool)
    if found:
        return found
    if os.environ.get("CI"):
        pytest.fail(f"{tool} is missing; CI must have it")
    pytest.skip(f"{tool} is not installed")


@pytest.fixture
def waitress_url(world, flushable_audit) -> Iterator[str]:
    from django.core.wsgi import get_wsgi_application
    from django.db import connections
    from waitress.server import create_server

    django_app = get_wsgi_application()

    def app(environ, start_response):  # type: ignore[no-untyped-def]
        # Each server thread closes its connections, so that the test database
        # can be dropped afterwards (PostgreSQL keeps them for CONN_MAX_AGE).
        try:
            return django_app(environ, start_response)
        finally:
            connections.close_all()

    server = create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}/openrosa"  # type: ignore[union-attr]
    server.close()


@pytest.fixture
def field_user(world):
    user = world.user("caseworker")
    field_credential_set(user=user, password=FIELD_PASSWORD)
    return user
