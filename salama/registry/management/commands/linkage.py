"""`salama linkage dedup|link|search`: the linkage engine on CSV files."""

import csv
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from salama.lib.linkage import engine
from salama.lib.linkage.records import COLUMNS, RowError


def read_rows(path: Path) -> list[dict[str, str]]:
    return list(iter_rows(path))


def iter_rows(path: Path) -> Iterator[dict[str, str]]:
    """Rows of a UTF-8 CSV with a header, one at a time (a registry of a
    million need not sit in memory as text); only the known columns are kept."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            if not reader.fieldnames or "id" not in reader.fieldnames:
                raise CommandError(f"{path}: the header (row 1) must name an id column.")
            keep = [c for c in reader.fieldnames if c in COLUMNS]
            for line, row in enumerate(reader, start=2):
                if None in row:
                    raise CommandError(f"{path}: row {line} has more values than the header.")
                yield {c: row[c] or "" for c in keep}
    except OSError as exc:
        raise CommandError(f"{path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise CommandError(f"{path}: not UTF-8 text.") from None
    except csv.Error as exc:
        raise CommandError(f"{path}: malformed CSV ({exc}).") from None


class _Queued(Exception):
    def __init__(self, job_id: object) -> None:
        self.job_id = job_id


class Command(BaseCommand):
    help = "Find duplicates in one file, links between two, or people in a registry."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="operation", required=True)
        dedup = sub.add_parser("dedup", help="pairs of rows in INPUT that are one person")
        dedup.add_argument("input", type=Path)
        link = sub.add_parser("link", help="pairs (row of A, row of B) that are one person")
        link.add_argument("a", type=Path)
        link.add_argument("b", type=Path)
        for p in (dedup, link):
            p.add_argument("--out", type=Path, required=True)
            p.add_argument("--threshold", type=float, default=0.5)
            p.add_argument(
                "--em", action="store_true", help="estimate m by EM sessions (as Splink)"
            )
            p.add_argument(
                "--workers",
                type=int,
                default=1,
                help="processes that score the pairs (one per core is fastest)",
            )
        search = sub.add_parser("search", help="the best candidates in a registry for each query")
        search.add_argument("--registry", type=Path, required=True)
        search.add_argument("--queries", type=Path, required=True)
        search.add_argument("--top", type=int, default=10)
        search.add_argument("--out", type=Path, required=True)
        scan = sub.add_parser("scan", help="queue likely duplicates in the registry for review")
        scan.add_argument("--user", required=True, help="user name the scan runs as (its scope)")
        scan.add_argument("--threshold", type=float, default=0.9)
        reindex = sub.add_parser("reindex", help="rebuild every person's search keys")
        for p in (scan, reindex):
            p.add_argument(
                "--background",
                action="store_true",
                help="queue it for `salama worker` and return (progress on /jobs/)",
            )

    def handle(self, *args: Any, **options: Any) -> None:
        self._background = bool(options.get("background"))
        started = time.monotonic()
        bars: dict[str, tqdm] = {}

        def progress(stage: str, done: int, total: int) -> None:
            bar = bars.get(stage) or bars.setdefault(
                stage, tqdm(total=total, desc=stage, disable=None)
            )
            bar.total = total
            bar.n = done
            bar.refresh()

        try:
            summary = getattr(self, f"_{options['operation']}")(options, progress)
        except RowError as exc:
            raise CommandError(str(exc)) from None
        except _Queued as queued:
            self.stdout.write(
                f"Queued as job {queued.job_id}: follow it on /jobs/{queued.job_id}/."
            )
            return
        finally:
            for bar in bars.values():
                bar.close()
        self.stdout.write(f"{summary} in {time.monotonic() - started:.1f} s.")

    def _scan(self, options: dict[str, Any], progress: engine.Progress) -> str:
        from django.contrib.auth import get_user_model

        from salama.core import access as core_access
        from salama.core.roles import Perm
        from salama.registry.jobs import duplicate_scan

        self._check_threshold(options["threshold"])
        user = get_user_model().objects.filter(username=options["user"], is_active=True).first()
        if user is None or not core_access.has_perm(user, Perm.PERSON_MERGE):
            raise CommandError(
                f"{options['user']} is not an active user who may review duplicates."
            )
        done = self._run(
            duplicate_scan,
            {"user_id": user.pk, "threshold": options["threshold"]},
            progress,
            user=user,
            organisation=core_access.organisation_for(user, Perm.PERSON_MERGE),
        )
        return f"{done.result['new_pairs']} new pairs queued for review"

    def _reindex(self, options: dict[str, Any], progress: engine.Progress) -> str:
        from salama.registry.jobs import search_keys_rebuild

        done = self._run(search_keys_rebuild, {}, progress)
        return f"search keys rebuilt for {done.result['people']} people"

    def _run(
        self, handler: Any, kwargs: dict[str, Any], progress: engine.Progress, **who: Any
    ) -> Any:
        """The job in the foreground (the same handler a worker runs), or queued
        for a worker with --background."""
        from salama.jobs.api import Job, job_enqueue, run_job_now

        if self._background:
            queued = job_enqueue(handler, kwargs=kwargs, **who)
            raise _Queued(queued.pk)
        done = run_job_now(
            handler,
            kwargs=kwargs,
            on_progress=lambda d, t, _m: progress(handler.__name__, d, t),
            **who,
        )
        if done.status != Job.Status.SUCCEEDED:
            raise CommandError(
                f"{handler.__name__} failed ({done.error_type}: {done.error_message}); "
                f"see /jobs/{done.pk}/."
            )
        return done

    def _check_threshold(self, value: float) -> None:
        if not 0.0 <= value <= 1.0:
            raise CommandError("--threshold must be between 0 and 1.")

    def _dedup(self, options: dict[str, Any], progress: engine.Progress) -> str:
        self._check_threshold(options["threshold"])
        prep, result, _model = engine.dedup(
            iter_rows(options["input"]),
            threshold=options["threshold"],
            em=options["em"],
            workers=self._workers(options["workers"]),
            progress=progress,
        )
        self._write_pairs(options["out"], prep.ids, prep.ids, result)
        return (
            f"{len(prep)} records, {result.pairs_compared} pairs compared, "
            f"{len(result.left)} pairs at or above {options['threshold']}"
        )

    @staticmethod
    def _workers(workers: int) -> int:
        if workers < 1:
            raise CommandError("--workers must be at least 1.")
        return workers

    def _link(self, options: dict[str, Any], progress: engine.Progress) -> str:
        self._check_threshold(options["threshold"])
        left, right, result, _ = engine.link(
            iter_rows(options["a"]),
            iter_rows(options["b"]),
            threshold=options["threshold"],
            em=options["em"],
            workers=self._workers(options["workers"]),
            progress=progress,
        )
        self._write_pairs(options["out"], left.ids, right.ids, result)
        return (
            f"{len(left)} × {len(right)} records, {result.pairs_compared} pairs compared, "
            f"{len(result.left)} links at or above {options['threshold']}"
        )

    def _search(self, options: dict[str, Any], progress: engine.Progress) -> str:
        if options["top"] < 1:
            raise CommandError("--top must be at least 1.")
        queries = read_rows(options["queries"])
        searcher = engine.Searcher(iter_rows(options["registry"]))
        with options["out"].open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["query_id", "rank", "id", "probability"])
            for start in range(0, len(queries), 1000):
                chunk = queries[start : start + 1000]
                for query, hits in zip(chunk, searcher.search(chunk, options["top"]), strict=True):
                    for rank, (index, probability, _levels, _tf) in enumerate(hits, start=1):
                        writer.writerow(
                            [query["id"], rank, searcher.registry.ids[index], f"{probability:.6f}"]
                        )
                progress("search", min(start + 1000, len(queries)), len(queries))
        return f"{len(queries)} queries against {len(searcher.registry)} records"

    def _write_pairs(
        self, path: Path, left_ids: list[str], right_ids: list[str], result: engine.Result
    ) -> None:
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["id_l", "id_r", "probability"])
            order = (-result.probability).argsort(kind="stable")
            for k in order:
                writer.writerow(
                    [
                        left_ids[result.left[k]],
                        right_ids[result.right[k]],
                        f"{result.probability[k]:.6f}",
                    ]
                )
