from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

# What a TLS-terminating proxy tells Salama: the client's scheme (without it,
# every request looks like plain HTTP and is redirected to HTTPS forever), its
# address (lockout and audit) and the host it asked for.
PROXY_HEADERS = {"x-forwarded-proto", "x-forwarded-for", "x-forwarded-host"}


def proxy_options() -> dict[str, Any]:
    """waitress's trusted-proxy settings from the environment: waitress drops
    X-Forwarded-* from any peer it does not trust, so they must name the proxy."""
    if not settings.SALAMA_TRUSTED_PROXY:
        return {}
    return {
        "trusted_proxy": settings.SALAMA_TRUSTED_PROXY,
        "trusted_proxy_headers": PROXY_HEADERS,
        "trusted_proxy_count": settings.SALAMA_TRUSTED_PROXY_COUNT,
        "clear_untrusted_proxy_headers": True,
    }


class Command(BaseCommand):
    help = (
        "Serve Salama with a production WSGI server (waitress). Runs `check --deploy` "
        "first (errors stop it; warnings are shown) and collects static files. "
        "Put HTTPS in front of it (SALAMA_BEHIND_PROXY, SALAMA_TRUSTED_PROXY)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)
        parser.add_argument(
            "--no-collectstatic",
            action="store_true",
            help="the static files are collected already (`salama collectstatic`): for "
            "several servers sharing one data folder, which collect once before they start",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("check", deploy=True, fail_level="ERROR")
        if not options["no_collectstatic"]:
            call_command("collectstatic", interactive=False, verbosity=0)
        from waitress import serve

        from salama.wsgi import application

        proxy = proxy_options()
        trusting = f" (trusting X-Forwarded-* from {proxy['trusted_proxy']})" if proxy else ""
        self.stdout.write(f"Serving on http://{options['host']}:{options['port']}/{trusting}")
        self.stdout.flush()
        serve(
            application,
            host=options["host"],
            port=options["port"],
            threads=options["threads"],
            **proxy,
        )
