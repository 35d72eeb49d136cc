"""Log records that keep where an error happened, never what was typed.

An exception's message can carry a value from the request ("unknown value
'Zqx'", an integrity error naming a registration number); a traceback logged
for a 500 would then put personal data in the logs (PROTECTION.md 24). The
filter replaces the formatted traceback with one whose frames are kept and
whose messages are withheld; the exception's type says what went wrong."""

import logging
import traceback

WITHHELD = "(message withheld: it may hold what was typed)"


def traceback_without_values(error: BaseException) -> str:
    """The traceback Python would print, every exception's message withheld,
    causes first as Python prints them."""
    chain: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or (
            None if current.__suppress_context__ else current.__context__
        )
    parts = [
        "Traceback (most recent call last):\n"
        + "".join(traceback.format_tb(exc.__traceback__))
        + f"{type(exc).__module__}.{type(exc).__qualname__}: {WITHHELD}"
        for exc in reversed(chain)
    ]
    return "\n\nThen, while handling it:\n\n".join(parts)


class WithholdValues(logging.Filter):
    """Attached to the handlers and to django.request (see settings.LOGGING)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = traceback_without_values(record.exc_info[1])
        return True
