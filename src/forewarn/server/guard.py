"""Who may ask: the Host header must name this server, and the API may require a bearer token.

A web page elsewhere can point its own host name at 127.0.0.1 (DNS rebinding) and so reach a
local server from the reader's browser; its requests still carry that foreign name in Host, so
they get 421. A loopback server answers to ``localhost``, ``127.0.0.1`` and ``[::1]``; any
server to the address it is bound to and to ``allowed_hosts``. A server bound to every address
(0.0.0.0 or ::) with no ``allowed_hosts`` takes any name. With a ``token``, everything but the
web page, its static files and /healthz needs ``Authorization: Bearer <token>`` (401 otherwise).

The browser extension's endpoints (``/v1/extension/…``) always need the pairing token: 401
without one, 403 with a wrong one, before any body is read. No web page elsewhere may use any
endpoint: a request whose ``Origin`` is neither this server's own nor a browser extension's, or
that a browser marks as a cross-site subresource fetch (``Sec-Fetch-Site``), gets 403; and no
answer carries ``Access-Control-Allow-Origin``, so a cross-origin page cannot read one either.
"""

from __future__ import annotations

import secrets

from starlette.types import ASGIApp, Receive, Scope, Send

from forewarn.server.middleware import send_problem
from forewarn.server.problems import Problem
from forewarn.server.settings import LOOPBACK_NAMES, Settings

#: Paths anyone may get with no token: the page a reader opens, its files, liveness.
OPEN_PATHS = ("/", "/healthz")
OPEN_PREFIXES = ("/static/",)
WILDCARDS = ("0.0.0.0", "::", "[::]")
#: Paths only the paired browser extension may use, and their methods (any other method is
#: left to the app, whose 405 does no work).
EXTENSION_PREFIX = "/v1/extension/"
EXTENSION_METHODS = {
    "/v1/extension/check": ("POST",),
    "/v1/extension/profile": ("GET", "PUT"),
    "/v1/extension/cache": ("DELETE",),
}
#: Origins of browser extensions (their pages and service workers).
EXTENSION_ORIGINS = ("chrome-extension://", "moz-extension://", "safari-web-extension://")


def host_names(settings: Settings) -> frozenset[str] | None:
    """The host names this server answers to (without ports); None when it takes any."""
    bound = settings.host.lower()
    bound = f"[{bound}]" if ":" in bound and not bound.startswith("[") else bound
    names = set(settings.allowed_hosts)
    if bound in WILDCARDS:
        return (frozenset(names) | set(LOOPBACK_NAMES)) if names else None
    names.add(bound)
    if settings.loopback:
        names.update(LOOPBACK_NAMES)
    return frozenset(names)


def _host_name(host: str) -> str:
    """``example.org:8000`` -> ``example.org``; ``[::1]:8000`` -> ``[::1]``."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[: host.find("]") + 1]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


class Guard:
    """ASGI middleware: 421 for a Host this server is not, 401 for a missing or wrong token."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.names = host_names(settings)
        self.token = f"Bearer {settings.token}".encode() if settings.token else b""
        self.pairing = (
            f"Bearer {settings.pairing_token}".encode() if settings.pairing_token else b""
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers", []))
        problem = self._refusal(scope["path"], headers, scope.get("method", "GET"))
        if problem is None:
            await self.app(scope, receive, send)
            return
        await send_problem(send, problem, scope["path"])

    def _refusal(self, path: str, headers: dict[bytes, bytes], method: str) -> Problem | None:
        host = _host_name(headers.get(b"host", b"").decode("latin-1"))
        if self.names is not None and host not in self.names:
            shown = host[:100] or "none"
            return Problem(
                421,
                f"this server does not answer to the host name {shown!r}; add it to "
                "FOREWARN_SERVE_ALLOWED_HOSTS if it should",
            )
        if (refused := _foreign(headers)) is not None:
            return refused
        if path.startswith(EXTENSION_PREFIX):
            if method not in EXTENSION_METHODS.get(path, (method,)):
                return None
            return self._paired(headers)
        if not self.token or path in OPEN_PATHS or path.startswith(OPEN_PREFIXES):
            return None
        if secrets.compare_digest(headers.get(b"authorization", b""), self.token):
            return None
        return Problem(
            401,
            "this server needs its token: send Authorization: Bearer <FOREWARN_SERVE_TOKEN>",
            headers={"WWW-Authenticate": 'Bearer realm="forewarn"'},
        )

    def _paired(self, headers: dict[bytes, bytes]) -> Problem | None:
        """None when the request carries the pairing token; 401 without any, 403 if wrong."""
        sent = headers.get(b"authorization", b"")
        if self.pairing and secrets.compare_digest(sent, self.pairing):
            return None
        if not sent:
            return Problem(
                401,
                "the extension's endpoints need the pairing token (forewarn serve --pair): send "
                "Authorization: Bearer <token>",
                headers={"WWW-Authenticate": 'Bearer realm="forewarn-extension"'},
            )
        return Problem(403, "wrong pairing token (see forewarn serve --pair)")


def _foreign(headers: dict[bytes, bytes]) -> Problem | None:
    """403 for a request a web page of another origin made; None for anyone else.

    Browsers send ``Origin`` on every cross-origin request and on same-origin POSTs; this
    server's own page (``http(s)://`` + its Host) and browser extensions may ask. A request
    with no Origin that a browser marks as a cross-site or same-site subresource fetch
    (``Sec-Fetch-Site``, not a navigation) is refused too. Command-line clients send neither.
    """
    origin = headers.get(b"origin", b"").decode("latin-1").strip().lower()
    if origin.startswith(EXTENSION_ORIGINS):
        return None
    host = headers.get(b"host", b"").decode("latin-1").strip().lower()
    if origin:
        if origin in (f"http://{host}", f"https://{host}"):
            return None
        return Problem(403, "requests from other web origins are refused")
    site = headers.get(b"sec-fetch-site", b"").lower()
    navigating = headers.get(b"sec-fetch-mode", b"").lower() == b"navigate"
    if site in (b"cross-site", b"same-site") and not navigating:
        return Problem(403, "requests from other web origins are refused")
    return None
