"""Keeping the database's query planner informed."""

from django.db import connection

# Rows sampled per index: approximate statistics in a fraction of a second
# even at a million people (SQLite 3.32+).
SQLITE_ANALYSIS_LIMIT = 1000


def refresh_planner_statistics() -> None:
    """After bulk writes (imports, key rebuilds, the demo's data), give the
    planner table statistics. SQLite never gathers them by itself; without them
    its planner can pick an index that matches every row. PostgreSQL's
    autovacuum gathers them only once a table has changed by a tenth, a minute
    or more later, and not at all where it is switched off: until then its
    planner takes every table for nearly empty (a page of the person list then
    sorted every person of the site)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"PRAGMA analysis_limit={SQLITE_ANALYSIS_LIMIT}")
            cursor.execute("ANALYZE")
        elif connection.vendor == "postgresql":
            cursor.execute("ANALYZE")  # sampled: bounded time whatever the size
