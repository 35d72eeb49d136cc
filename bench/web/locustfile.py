"""The staff a camp office puts on Salama at once, as locust users.

Each user signs in with one of the demo logins (its own session), then repeats a
mix of what desk staff do: search by name, open a person's page, register a
household (the API, as the desk's own form does through the same action), open
a person's screening page, and read a page of the API's person list. A trivial
page (the sign-in form, no database query) measures the same server's ceiling.

Servers are given as a list of base URLs (BENCH_SERVERS, comma-separated); user
number i talks to server i mod n, as a load balancer would spread sessions.
Used by bench/web/run.py; also runs under the locust command itself:
    BENCH_SERVERS=http://127.0.0.1:8000 BENCH_LOGINS=/path/demo-logins.txt \
        locust -f bench/web/locustfile.py --headless -u 20 -r 20 -t 60s StaffUser
"""

import itertools
import os
import random
import re
from pathlib import Path

from locust import HttpUser, between, constant, events, task  # noqa: F401 (events: run.py)

SERVERS = [s for s in os.getenv("BENCH_SERVERS", "http://127.0.0.1:8000").split(",") if s]
_numbers = itertools.count()
_signed_in = 0


def signed_in_count() -> int:
    return _signed_in


def _logins() -> dict[str, str]:
    path = Path(os.getenv("BENCH_LOGINS", "demo-logins.txt"))
    return dict(line.split("\t")[:2] for line in path.read_text(encoding="utf-8").splitlines())


def _wait_time():  # type: ignore[no-untyped-def]
    low = float(os.getenv("BENCH_THINK_MIN", "0"))
    high = float(os.getenv("BENCH_THINK_MAX", "0"))
    return between(low, high) if high > 0 else constant(0)


CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class _OnServer(HttpUser):
    abstract = True
    host = SERVERS[0]
    wait_time = _wait_time()

    def on_start(self) -> None:
        self.number = next(_numbers)
        self.client.base_url = SERVERS[self.number % len(SERVERS)]


class TrivialUser(_OnServer):
    """The ceiling: the sign-in form, which reads no table."""

    @task
    def trivial(self) -> None:
        self.client.get("/accounts/login/", name="trivial page (sign-in form)")


class StaffUser(_OnServer):
    """Registration officers (4 in 5) and caseworkers (1 in 5)."""

    def on_start(self) -> None:
        global _signed_in
        super().on_start()
        logins = _logins()
        self.role = "caseworker" if self.number % 5 == 4 else "registrar"
        page = self.client.get("/accounts/login/", name="sign in")
        token = CSRF_FIELD.search(page.text)
        self.client.post(
            "/accounts/login/",
            {
                "username": self.role,
                "password": logins[self.role],
                "csrfmiddlewaretoken": token.group(1) if token else "",
            },
            headers={"Referer": self.client.base_url + "/accounts/login/"},
            name="sign in",
        )
        listed = self.client.get("/api/v1/persons?page_size=100", name="sign in").json()
        self.people = [p for p in listed["items"] if p.get("given_name")]
        households = self.client.get("/api/v1/households?page_size=50", name="sign in").json()
        self.sites = sorted({h["site_code"] for h in households["items"]})
        _signed_in += 1

    def _csrf(self) -> dict[str, str]:
        return {
            "X-CSRFToken": self.client.cookies.get("csrftoken", ""),
            "Referer": self.client.base_url + "/",
        }

    @task(4)
    def search(self) -> None:
        person = random.choice(self.people)
        self.client.post(
            "/registry/persons/search/",
            {"q": f"{person['given_name']} {person.get('family_name', '')}".strip()},
            headers=self._csrf(),
            name="search by name",
        )

    @task(4)
    def person_page(self) -> None:
        person = random.choice(self.people)
        self.client.get(f"/registry/persons/{person['id']}/", name="person page")

    @task(2)
    def api_list(self) -> None:
        self.client.get(
            f"/api/v1/persons?page_size=20&page={random.randint(1, 20)}", name="API list"
        )

    @task(1)
    def register_household(self) -> None:
        if self.role != "registrar" or not self.sites:
            return self.screening_page()
        n = next(_numbers)
        self.client.post(
            "/api/v1/households",
            json={
                "site_code": random.choice(self.sites),
                "members": [
                    {
                        "given_name": f"Bench{n}",
                        "family_name": "Loadtest",
                        "sex": random.choice("FM"),
                        "stated_age": random.randint(18, 70),
                        "relationship": "head",
                    },
                    {
                        "given_name": f"Child{n}",
                        "family_name": "Loadtest",
                        "sex": random.choice("FM"),
                        "stated_age": random.randint(1, 15),
                        "relationship": "child",
                    },
                ],
            },
            headers=self._csrf(),
            name="register a household",
        )

    @task(2)
    def screening_page(self) -> None:
        if self.role != "caseworker":
            return self.person_page()
        person = random.choice(self.people)
        self.client.get(f"/screening/person/{person['id']}/", name="screening page")
