"""Load benchmark of Salama's web server: on demand, loopback only, bounded.

    pip install -e ".[bench]"
    python bench/web/run.py sqlite                      # the demo: one process, SQLite
    python bench/web/run.py postgres --servers 3        # 3 `salama serve` on PostgreSQL

It prepares a deployment once (the demo's synthetic data: `salama demo --no-serve`
for SQLite; the same loader on PostgreSQL in database salama_bench_web), starts the
servers on 127.0.0.1, then runs two phases of --seconds each with --users locust
users: the trivial page alone (the ceiling), then the staff mix (locustfile.py).
Requests made while signing in are not counted. It prints a Markdown table row per
phase (requests/s, p50/p95/p99 in ms, errors) and stops the servers.
"""

import argparse
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import gevent
from locust.env import Environment
from locust.stats import StatsEntry

HERE = Path(__file__).resolve().parent
SALAMA = str(Path(sys.executable).with_name("salama"))
WORK = Path(os.getenv("BENCH_DIR", "/tmp/salama-bench-web"))  # noqa: S108 - a scratch folder
PG_URL = os.getenv("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/salama_bench_web")
FIELD_KEY = "7mJbk3yQ8nJ1b2m0rJ0u3Jw0mYlR4v9pX1nJ4S8q0bE="  # a throwaway Fernet key
LOAD_DEMO = (
    "from salama.core.demo import load_demo; from salama.core.models import Organisation\n"
    "if not Organisation.objects.exists():\n"
    "    logins = load_demo(residents={residents})\n"
    "    open('{logins}', 'w').write(''.join(f'{{u}}\\t{{p}}\\t{{r}}\\n' for u, p, r in logins))\n"
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "SALAMA_"))}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.update(extra)
    return env


def prepare_sqlite(residents: int) -> tuple[dict[str, str], Path]:
    folder = WORK / "sqlite"
    env = _env(SALAMA_DATA_DIR=str(folder))
    if not (folder / "demo-logins.txt").exists():
        subprocess.run(
            [SALAMA, "demo", "--no-serve", "--residents", str(residents)], env=env, check=True
        )
    return env, folder / "demo-logins.txt"


def prepare_postgres(residents: int) -> tuple[dict[str, str], Path]:
    folder = WORK / "postgres"
    folder.mkdir(parents=True, exist_ok=True)
    env = _env(
        DATABASE_URL=PG_URL,
        SALAMA_DATA_DIR=str(folder),
        SECRET_KEY="bench-only-secret-key-" + "x" * 40,
        SALAMA_FIELD_KEYS=FIELD_KEY,
        SALAMA_HTTPS="false",
        SALAMA_ENFORCE_2FA="false",  # as in the demo: the benchmark signs in with passwords
        ALLOWED_HOSTS="127.0.0.1,localhost",
    )
    name = PG_URL.rsplit("/", 1)[1]
    subprocess.run(
        ["psql", PG_URL.rsplit("/", 1)[0] + "/postgres", "-qc", f"CREATE DATABASE {name}"],
        capture_output=True,
    )  # fails harmlessly when it exists
    logins = folder / "demo-logins.txt"
    subprocess.run([SALAMA, "migrate", "-v0"], env=env, check=True)
    script = LOAD_DEMO.format(logins=logins, residents=residents)
    subprocess.run([SALAMA, "shell", "-c", script], env=env, check=True)
    if not (folder / "static" / "staticfiles.json").exists():  # once for every server
        subprocess.run([SALAMA, "collectstatic", "--noinput", "-v0"], env=env, check=True)
    return env, logins


def start_servers(kind: str, env: dict[str, str], count: int, threads: int) -> list[tuple]:
    servers = []
    for _ in range(count):
        port = free_port()
        if kind == "sqlite":  # the demo's own server: waitress, 8 threads, its worker
            command = [SALAMA, "demo", "--port", str(port)]
        else:
            command = [SALAMA, "serve", "--port", str(port), "--threads", str(threads)]
            command.append("--no-collectstatic")  # collected once by prepare_postgres
        process = subprocess.Popen(
            command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        servers.append((f"http://127.0.0.1:{port}", process))
    for base, process in servers:
        port = int(base.rsplit(":", 1)[1])
        deadline = time.monotonic() + 120
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"server on {base} did not start") from None
                time.sleep(0.5)
    return servers


def run_phase(user_class: type, users: int, seconds: float) -> StatsEntry:
    from bench.web import locustfile

    env = Environment(user_classes=[user_class], events=locustfile.events)
    runner = env.create_local_runner()
    runner.start(users, spawn_rate=min(users, 10))
    if user_class is locustfile.StaffUser:
        deadline = time.monotonic() + 300
        while locustfile.signed_in_count() < users and time.monotonic() < deadline:
            gevent.sleep(0.5)
        locustfile._signed_in = 0
    else:
        gevent.sleep(users / 10 + 1)
    env.stats.reset_all()
    started = time.monotonic()
    gevent.sleep(seconds)
    elapsed = time.monotonic() - started
    total = env.stats.total
    rows = [e for e in sorted(env.stats.entries.values(), key=lambda e: e.name) if e.num_requests]
    runner.quit()
    return (total, elapsed), [(e, elapsed) for e in rows], env.stats.errors


def row(label: str, measured: tuple[StatsEntry, float]) -> str:
    entry, elapsed = measured
    return (
        f"| {label} | {entry.num_requests} | {entry.num_requests / elapsed:.1f} | "
        f"{entry.get_response_time_percentile(0.5):.0f} | "
        f"{entry.get_response_time_percentile(0.95):.0f} | "
        f"{entry.get_response_time_percentile(0.99):.0f} | {entry.num_failures} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database", choices=["sqlite", "postgres"])
    parser.add_argument("--servers", type=int, default=1, help="server processes (postgres)")
    parser.add_argument("--threads", type=int, default=8, help="waitress threads per server")
    parser.add_argument("--users", type=int, default=None, help="20 on SQLite, 50 on PostgreSQL")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--residents", type=int, default=2000)
    parser.add_argument("--prepare-only", action="store_true", help="set up the data, exit")
    args = parser.parse_args()
    users = args.users or (20 if args.database == "sqlite" else 50)
    if args.database == "sqlite":
        env, logins = prepare_sqlite(args.residents)
        args.servers = 1
    else:
        env, logins = prepare_postgres(args.residents)
    if args.prepare_only:
        return
    servers = start_servers(args.database, env, args.servers, args.threads)
    os.environ["BENCH_SERVERS"] = ",".join(base for base, _ in servers)
    os.environ["BENCH_LOGINS"] = str(logins)
    sys.path.insert(0, str(HERE.parent.parent))
    from bench.web import locustfile

    try:
        trivial, _rows, _errors = run_phase(locustfile.TrivialUser, users, args.seconds)
        mix, rows, errors = run_phase(locustfile.StaffUser, users, args.seconds)
    finally:
        for _base, process in servers:
            process.terminate()
        for _base, process in servers:
            process.wait(timeout=30)
    print(
        f"\n{args.database}, {args.servers} server process(es) x {args.threads} threads, "
        f"{users} users, {args.seconds:.0f} s per phase\n"
    )
    print("| phase | requests | requests/s | p50 ms | p95 ms | p99 ms | errors |")
    print("|---|---|---|---|---|---|---|")
    print(row("trivial page (ceiling)", trivial))
    print(row("staff mix, all requests", mix))
    for entry, elapsed in rows:
        print(row(f"  {entry.name}", (entry, elapsed)))
    ratio = (mix[0].num_requests / mix[1]) / max(trivial[0].num_requests / trivial[1], 0.001)
    print(f"\nmix / ceiling throughput: {ratio:.2f}")
    for error in errors.values():
        print(f"error: {error.occurrences} x {error.method} {error.name}: {error.error}"[:300])


if __name__ == "__main__":
    main()
