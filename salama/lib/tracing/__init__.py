"""Rules of the missing-persons desk that need no database: urgency and the
response timers (A/73/171 para 37)."""
