"""Rules of the public report page (/missing/), in plain Python: what a
reporter is told about their report, what an uploaded photo is, and how a
client and a form's age are judged for the spam and rate limits.

A reporter is told one of three things and never anything about the person
found: a located person decides whether the reporter may learn of it (an
adult may choose not to be found)."""

import ipaddress

# What a reporter reads on the status page.
LOOKING = "looking"  # we are looking into your report
NEWS = "news"  # the desk has news for you: come to the desk or wait for a call
CLOSED = "closed"  # the desk has closed this report: come to the desk

_CLOSED_STATES = frozenset({"closed", "referred", "deceased", "detained"})


def public_state(status: str, disclosure: str) -> str:
    """The reporter's view of a case's status. A located person who has not
    agreed that the reporter be told is, to the reporter, still being looked
    for; reunified means the reporter already met them."""
    if status in _CLOSED_STATES:
        return CLOSED
    if status == "reunified" or (status == "located" and disclosure == "agreed"):
        return NEWS
    return LOOKING


# Magic numbers of the photo formats taken (the client's content type is not trusted).
def photo_type(head: bytes) -> str | None:
    """The content type of an image from its first bytes, or None when it is
    not a JPEG, PNG or WebP image."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def client_network(address: str) -> str:
    """The address a client is counted by: an IPv4 address as it is, an IPv6
    address by its /64 network (one household's router hands out a whole
    /64), anything unreadable as itself."""
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return address.strip()
    if ip.version == 6:
        mapped = ip.ipv4_mapped  # type: ignore[union-attr]
        if mapped is not None:
            return str(mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


# A signed form's age, in seconds, as judged when it is sent.
FRESH = "ok"
TOO_FAST = "fast"
TOO_OLD = "old"


def form_age_verdict(age: float, minimum: float, maximum: float) -> str:
    """A person needs a few seconds to fill the form; a form open for hours
    is sent again after a fresh look. A clock step backwards counts as fast."""
    if age < minimum:
        return TOO_FAST
    if age > maximum:
        return TOO_OLD
    return FRESH
