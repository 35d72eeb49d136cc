"""Keeping the database's query planner informed."""

from django.db import connection

# Rows sampled per index: approximate statistics in a fraction of a second
# even at a million people (SQLite 3.32+).
SQLITE_ANALYSIS_LIMIT = 1000


def refresh_planner_statistics() -> None:
    """After bulk writes (imports, key rebuilds), give SQLite the table
    statistics it never gathers by itself; without them its planner can pick
    an index that matches every row. PostgreSQL's autovacuum does this."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA analysis_limit={SQLITE_ANALYSIS_LIMIT}")
        cursor.execute("ANALYZE")
