"""The outermost layer: metrics and an access log for every request, and a last-resort 500.

The access log names method, path (no query), status and time; never a body. An unexpected
exception is logged by type only (its message might quote the story) and answered as a 500
problem, and a request cancelled by a stopping server as a 503, so nothing logs a traceback.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from forewarn.server.metrics import Metrics
from forewarn.server.problems import PROBLEM_TYPE, Problem

#: Sent with every response.
SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
]


def route_label(scope: Scope) -> str:
    """The route template (``/v1/jobs/{job_id}``), so metrics have a bounded set of labels."""
    route: Any = scope.get("route")
    if route is not None and hasattr(route, "path"):
        return str(route.path)
    if str(scope.get("path", "")).startswith("/static/"):
        return "/static"
    return "unmatched"


class Observe:
    """ASGI middleware: count and time requests, log them without content, catch crashes."""

    def __init__(self, app: ASGIApp, metrics: Metrics, log: logging.Logger) -> None:
        self.app = app
        self.metrics = metrics
        self.log = log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500
        response_started = False

        async def send_wrapper(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                status, response_started = message["status"], True
                message["headers"] = list(message.get("headers", [])) + SECURITY_HEADERS
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        except asyncio.CancelledError:
            # Only uvicorn cancels a request: it is stopping and its grace period has passed.
            # The scan's worker is already killed; answer if we still can, without a traceback.
            if not response_started:
                stopping = Problem(503, "the server is shutting down", {"Retry-After": "5"})
                await send_problem(send_wrapper, stopping, scope["path"])
        except Exception as exc:
            self.log.error(
                "internal error: %s on %s %s", type(exc).__name__, scope["method"], scope["path"]
            )
            if not response_started:
                await send_problem(send_wrapper, Problem(500, "internal error"), scope["path"])
        finally:
            seconds = time.perf_counter() - started
            route = route_label(scope)
            self.metrics.requests.labels(scope["method"], route, str(status)).inc()
            self.metrics.latency.labels(scope["method"], route).observe(seconds)
            client = scope.get("client") or ("-", 0)
            self.log.info(
                '%s "%s %s" %d %.1f ms',
                client[0],
                scope["method"],
                str(scope["path"])[:200],
                status,
                seconds * 1000,
            )


async def send_problem(send: Send, problem: Problem, path: str) -> None:
    """Answer with ``problem`` straight over ASGI (for layers outside the app's handlers)."""
    body = json.dumps(problem.to_dict(path)).encode()
    extra = [(k.lower().encode(), v.encode()) for k, v in problem.headers.items()]
    await send(
        {
            "type": "http.response.start",
            "status": problem.status,
            "headers": [
                (b"content-type", PROBLEM_TYPE.encode()),
                (b"content-length", str(len(body)).encode()),
                *extra,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
