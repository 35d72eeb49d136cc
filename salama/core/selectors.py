from typing import Any

from salama.core import access
from salama.core.roles import Perm


def home_summary(user: Any) -> dict[str, Any]:
    """Counts the user may see on the home page: nothing from out of scope."""
    from salama.registry.selectors import registry_counts

    return {
        "organisations": access.organisations(user),
        "registry": registry_counts(user) if access.has_perm(user, Perm.PERSON_VIEW) else None,
    }
