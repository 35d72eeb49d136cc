"""What one request of the staff mix costs, alone: queries, write statements and
time (median of --repeat), in this process with Django's test client.

    SALAMA_DATA_DIR=/tmp/salama-bench-web/sqlite ALLOWED_HOSTS=testserver \
        salama shell -c "import runpy; runpy.run_path('bench/web/writes.py', run_name='__main__')"

Machine-independent beside run.py's numbers: a write statement takes the database's
write lock (SQLite has one for the whole file), so writes per read are what makes
concurrent readers queue.
"""

import statistics
import time

from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from salama.registry.models import Person

REPEAT = 5
WRITES = ("INSERT", "UPDATE", "DELETE")


def measure(client: Client, method: str, path: str, data: dict | None = None) -> str:
    getattr(client, method)(path, data or {})  # warm: caches, first session save
    times, writes, queries = [], 0, 0
    for _ in range(REPEAT):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = getattr(client, method)(path, data or {})
            times.append(time.perf_counter() - started)
        queries = len(captured)
        writes = sum(1 for q in captured if q["sql"].lstrip().upper().startswith(WRITES))
        assert response.status_code == 200, (path, response.status_code)
    tables = sorted(
        {
            q["sql"].split('"')[1]
            for q in captured
            if q["sql"].lstrip().upper().startswith(WRITES) and '"' in q["sql"]
        }
    )
    return (
        f"| {method.upper()} {path.split('?')[0][:32]} | {queries} | {writes} "
        f"({', '.join(tables) or '-'}) | {statistics.median(times) * 1000:.0f} |"
    )


def main() -> None:
    user = get_user_model().objects.get(username="registrar")
    client = Client()
    client.force_login(user)
    person = Person.objects.filter(household__site__code__startswith="AMC").first()
    assert person is not None
    caseworker = Client()
    caseworker.force_login(get_user_model().objects.get(username="caseworker"))
    print("| request | queries | write statements (tables) | ms, one client |")
    print("|---|---|---|---|")
    print(measure(client, "get", "/"))
    print(measure(client, "get", f"/registry/persons/{person.pk}/"))
    print(measure(client, "post", "/registry/persons/search/", {"q": person.given_name}))
    print(measure(client, "get", "/api/v1/persons?page_size=20"))
    print(measure(caseworker, "get", f"/screening/person/{person.pk}/"))


if __name__ == "__main__":
    main()
