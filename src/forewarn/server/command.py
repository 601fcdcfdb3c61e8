"""``forewarn serve``: start the API and web page on uvicorn (loopback unless told otherwise)."""

from __future__ import annotations

import dataclasses
import logging
import os
import sys

from forewarn.exits import ExitCode, fail
from forewarn.server.pairing import PairingError, pairing_token, token_path
from forewarn.server.settings import Settings


def pair_command() -> int:
    """Print the pairing token (made now if the server never started) for the extension."""
    try:
        token = os.environ.get("FOREWARN_SERVE_TOKEN", "").strip() or pairing_token()
    except PairingError as exc:
        fail(str(exc))
        return ExitCode.INPUT
    sys.stdout.write(token + "\n")
    where = "FOREWARN_SERVE_TOKEN" if os.environ.get("FOREWARN_SERVE_TOKEN") else token_path()
    sys.stderr.write(
        f"forewarn: the pairing token (from {where}): paste it into the forewarn extension's "
        "options, with this server's address\n"
    )
    return ExitCode.OK


def serve_command(host: str, port: int, allow_remote: bool = False, pair: bool = False) -> int:
    """Run the server until interrupted (or, with ``pair``, print the pairing token); 1 when
    it cannot start, 2 for bad settings."""
    if pair:
        return pair_command()
    try:
        import uvicorn

        from forewarn.server.app import create_app  # deferred: fastapi is the serve extra
        from forewarn.server.protocol import with_header_deadline  # deferred: uvicorn, too
    except ImportError as exc:
        fail(
            f"forewarn serve needs the serve extra ({exc.name} is missing): "
            "pip install 'forewarn[serve]'"
        )
        return ExitCode.INPUT
    try:
        settings = Settings.from_env(host=host, port=port, allow_remote=allow_remote)
    except ValueError as exc:
        fail(str(exc))
        return ExitCode.USAGE
    try:  # the extension's token: FOREWARN_SERVE_TOKEN, else the saved one (made on first start)
        settings = dataclasses.replace(settings, pairing_token=settings.token or pairing_token())
    except PairingError as exc:
        fail(str(exc))
        return ExitCode.INPUT
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
    return ExitCode.OK
