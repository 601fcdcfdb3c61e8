"""``forewarn serve``: start the API and web page on uvicorn (loopback unless told otherwise)."""

from __future__ import annotations

import logging
import sys


def serve_command(host: str, port: int, allow_remote: bool = False) -> int:
    """Run the server until interrupted; 1 when it cannot start, 2 for bad settings."""
    try:
        import uvicorn

        from forewarn.server.app import create_app
        from forewarn.server.protocol import with_header_deadline
        from forewarn.server.settings import Settings
    except ImportError as exc:
        sys.stderr.write(
            f"forewarn: error: forewarn serve needs the serve extra ({exc.name} is missing): "
            "pip install 'forewarn[serve]'\n"
        )
        return 1
    try:
        settings = Settings.from_env(host=host, port=port, allow_remote=allow_remote)
    except ValueError as exc:
        sys.stderr.write(f"forewarn: error: {exc}\n")
        return 2
    if not settings.loopback:
        sys.stderr.write(
            f"forewarn: warning: listening on {host}, not loopback: other machines can reach "
            "this server"
            + ("" if settings.token else "; set FOREWARN_SERVE_TOKEN to require a token")
            + "\n"
        )
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    log = logging.getLogger("forewarn.server")
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        http=with_header_deadline(settings.body_seconds),
        limit_concurrency=settings.max_connections,
        access_log=False,  # our own access log leaves out query strings and bodies
        log_level="info",
        timeout_graceful_shutdown=5,
    )
    return 0
