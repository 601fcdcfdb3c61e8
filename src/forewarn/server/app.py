"""``forewarn serve``: the HTTP API for archives and the web page for readers, in one FastAPI app.

Scans run in a pool of worker processes (each builds its pipeline once), so the event loop
only reads bodies and answers; limits turn overload and bad input into problem-details errors.
A request asks for a worker only once its whole body is in and valid, and its scan stops when
its client goes away. Story text is never logged: the access log names method, path, status
and time only.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from enum import StrEnum
from importlib import resources
from typing import Annotated, Any

from fastapi import FastAPI, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect

from forewarn.modes import Mode
from forewarn.profile import (
    AvoidList,
    ProfileError,
    check_severity,
    load_profile,
    parse_avoid,
    resolve_category,
    save_profile,
)
from forewarn.render.html import SCRIPT, STYLE
from forewarn.server import inputs
from forewarn.server.bodies import UploadBuffer, read_body
from forewarn.server.disconnect import ClientGone, unless_gone
from forewarn.server.extension import ResultCache, overrides_stamp, parse_work, text_hash
from forewarn.server.guard import Guard
from forewarn.server.jobs import JobQueue
from forewarn.server.metrics import CONTENT_TYPE_LATEST, Metrics
from forewarn.server.middleware import Observe
from forewarn.server.openapi import AVOID_HELP, complete
from forewarn.server.pool import ScanPool
from forewarn.server.problems import Problem
from forewarn.server.settings import Settings
from forewarn.server.work import Output, ScanOutcome, ScanTask
from forewarn.taxonomy import load_taxonomy
from forewarn.version import __version__

log = logging.getLogger("forewarn.server")

#: The web page may load and run only what this server sends; no inline script, no CDN.
PAGE_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
#: An HTML fragment opened on its own runs nothing.
FRAGMENT_CSP = "default-src 'none'; style-src 'self'; frame-ancestors 'none'"
JOB_ID = r"^[0-9a-f]{32}$"
#: The web page's avoid-list: the server's profile, when the server listens on loopback.
PAGE_PROFILE = "/page/profile"

DESCRIPTION = """Content warnings for fiction, with the passages that justify them.

Send a story as a `text/plain` body, as JSON `{"text": ...}`, or as a `multipart/form-data`
upload in the field `file` (text, Markdown, HTML, AO3 HTML/EPUB downloads, any EPUB).
Errors are RFC 9457 problem details (`application/problem+json`). When every worker is busy
and the queue is full the answer is 429 with `Retry-After`; long works can go through
`/v1/jobs` instead. A body sent too slowly is refused with 408. When the server has a token,
requests need `Authorization: Bearer <token>` (401 otherwise). The web page is at `/`.

`/v1/extension/…` serve the browser extension and always need its pairing token
(`forewarn serve --pair`) as `Authorization: Bearer <token>`: 401 without it, 403 with a wrong
one. No endpoint answers a request from another web origin (403, and never an
`Access-Control-Allow-Origin`)."""


class Format(StrEnum):
    json = "json"
    html = "html"


ModeQuery = Annotated[
    Mode,
    Query(
        description="fast: matches judged with static embeddings; thorough: every passage "
        "judged too, for more evidence of each warning found (slower)."
    ),
]
SpoilerFreeQuery = Annotated[
    bool,
    Query(description="Leave out the evidence quotes (warnings keep severity and counts)."),
]


def _static() -> Any:
    return resources.files("forewarn.server").joinpath("static")


def create_app(settings: Settings | None = None) -> FastAPI:
    """The app; its worker pool starts (and warms up) when the server starts it."""
    settings = settings or Settings.from_env()
    metrics = Metrics()
    buffer = UploadBuffer(settings.upload_buffer_bytes)
    state: dict[str, Any] = {}

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        pool = ScanPool(settings, metrics.scanned, metrics.worker_replaced)
        state["pool"], state["jobs"] = pool, JobQueue(settings, pool)
        await pool.warm_up()
        log.info(
            "forewarn %s serving with %d scan workers, queue %d, uploads up to %d bytes",
            __version__,
            settings.max_concurrent_scans,
            settings.max_queue,
            settings.max_upload_bytes,
        )
        yield
        state["jobs"].close()
        pool.close()

    app = FastAPI(
        title="forewarn",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,  # the hosted documentation UIs load scripts from a CDN
        redoc_url=None,
    )
    app.add_middleware(Guard, settings=settings)
    app.add_middleware(Observe, metrics=metrics, log=log)
    _handlers(app)

    def pool() -> ScanPool:
        return state["pool"]  # type: ignore[no-any-return]

    def jobs() -> JobQueue:
        return state["jobs"]  # type: ignore[no-any-return]

    async def story_task(request: Request, **options: Any) -> ScanTask:
        story = await inputs.read_story(request, settings, buffer)
        return ScanTask(
            data=story.data,
            source=story.source,
            kind="file" if story.kind == "file" else "text",
            title=story.title,
            max_bytes=settings.max_upload_bytes,
            max_seconds=settings.scan_seconds,
            **options,
        )

    async def run(request: Request, **options: Any) -> ScanOutcome:
        """Read and check one request's story, then admit and scan it; a Problem for anything
        but success, ClientGone (and the scan stopped) if the client leaves first."""
        task = await story_task(request, **options)
        with pool().admit():
            outcome = await unless_gone(request, pool().run(task))
        if outcome.status != 200:
            raise Problem(outcome.status, str(outcome.body))
        return outcome

    @app.post("/v1/scan", summary="Scan a story: warnings with their evidence")
    async def scan(
        request: Request,
        mode: ModeQuery = Mode.default,
        spoiler_free: SpoilerFreeQuery = False,
        format: Annotated[
            Format, Query(description="json: the report; html: the web page's report fragment.")
        ] = Format.json,
    ) -> Response:
        output: Output = "html" if format is Format.html else "json"
        outcome = await run(request, mode=mode.value, output=output, spoiler_free=spoiler_free)
        if isinstance(outcome.body, str):
            return HTMLResponse(outcome.body, headers={"Content-Security-Policy": FRAGMENT_CSP})
        return JSONResponse(outcome.body)

    @app.post("/v1/check", summary="Check a story against an avoid-list: verdict, safe chapters")
    async def check(
        request: Request,
        avoid: Annotated[str, Query(description=AVOID_HELP, examples=["suicide,self-harm"])],
        mode: ModeQuery = Mode.default,
        spoilers: Annotated[
            bool, Query(description="Also list the passages (quotes) behind each hit.")
        ] = False,
    ) -> JSONResponse:
        try:
            rules = parse_avoid(avoid).rules
        except ProfileError as exc:
            raise Problem(422, f"avoid: {exc}") from None
        outcome = await run(
            request, mode=mode.value, output="check", avoid=rules, spoilers=spoilers
        )
        return JSONResponse(outcome.body)

    @app.post("/v1/jobs", status_code=202, summary="Queue a scan of a long work")
    async def submit_job(
        request: Request, mode: ModeQuery = Mode.default, spoiler_free: SpoilerFreeQuery = False
    ) -> JSONResponse:
        inputs.media_type(request)
        jobs().ensure_room()
        task = await story_task(request, mode=mode.value, spoiler_free=spoiler_free)
        job = jobs().submit(task)
        return JSONResponse(
            job.to_dict(), status_code=202, headers={"Location": f"/v1/jobs/{job.id}"}
        )

    @app.get("/v1/jobs/{job_id}", summary="A job's status, and its report once done")
    async def get_job(
        job_id: Annotated[str, Path(pattern=JOB_ID, description="The id POST /v1/jobs gave.")],
    ) -> JSONResponse:
        job = jobs().get(job_id)
        if job is None:
            raise Problem(404, f"no job {job_id} (finished jobs are kept for a while only)")
        return JSONResponse(job.to_dict())

    @app.get("/v1/taxonomy", summary="The content categories and their aliases")
    async def taxonomy() -> JSONResponse:
        return JSONResponse(load_taxonomy().to_dict())

    @app.get("/healthz", summary="Liveness, with the pool's load")
    async def healthz() -> JSONResponse:
        p = pool()
        return JSONResponse(
            {
                "status": "ok",
                "version": __version__,
                "workers": p.workers,
                "workers_ready": p.ready,
                "in_flight": p.in_flight,
                "queue_depth": p.queue_depth,
                "jobs": jobs().counts(),
            }
        )

    @app.get("/metrics", summary="Prometheus metrics")
    async def prometheus() -> Response:
        p = pool()
        metrics.queue_depth.set(p.queue_depth)
        metrics.in_flight.set(p.in_flight)
        metrics.workers.set(p.workers)
        for status, count in jobs().counts().items():
            metrics.jobs.labels(status).set(count)
        return Response(metrics.render(), media_type=CONTENT_TYPE_LATEST)

    _extension_routes(app, settings, buffer, pool)
    _page_routes(app, settings, buffer)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = complete(
                get_openapi(
                    title=app.title,
                    version=app.version,
                    description=app.description,
                    routes=app.routes,
                )
            )
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app


def _avoid_body(body: bytes) -> AvoidList:
    """``{"avoid": {"suicide": "implied"}}`` or ``{"avoid": "suicide,violence:graphic"}``."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise Problem(422, f"malformed JSON body ({exc})") from None
    if not isinstance(data, dict) or set(data) != {"avoid"}:
        raise Problem(422, 'send {"avoid": {"category": "severity", ...}} or {"avoid": "..."}')
    rules = data["avoid"]
    try:
        if isinstance(rules, str):
            return parse_avoid(rules) if rules.strip() else AvoidList()
        if isinstance(rules, dict) and all(isinstance(v, str) for v in rules.values()):
            return AvoidList({resolve_category(c): check_severity(v) for c, v in rules.items()})
    except ProfileError as exc:
        raise Problem(422, f"avoid: {exc}") from None
    raise Problem(422, '"avoid" must be a string or an object of category: severity')


def _profile_dict(avoid: AvoidList) -> dict[str, Any]:
    return {
        "avoid": avoid.to_dict(),
        "spec": ",".join(f"{cid}:{sev}" for cid, sev in avoid.rules.items()),
        "avoiding": avoid.describe(),
        "categories": [{"id": c.id, "name": c.name, "parent": c.parent} for c in load_taxonomy()],
    }


def _saved_profile() -> AvoidList:
    try:
        return load_profile()
    except ProfileError as exc:
        raise Problem(500, f"the server's avoid-list cannot be read: {exc}") from None


def _profile_endpoint(
    settings: Settings, buffer: UploadBuffer
) -> Callable[[Request], Awaitable[JSONResponse]]:
    """GET the server's profile (the one ``forewarn profile`` keeps) or PUT a new one."""

    async def profile(request: Request) -> JSONResponse:
        if request.method == "GET":
            return JSONResponse(_profile_dict(_saved_profile()))
        if inputs.media_type(request) != "application/json":
            raise Problem(415, 'send the avoid-list as application/json {"avoid": ...}')
        with buffer.holding() as take:
            avoid = _avoid_body(await read_body(request, settings, take))
        try:
            save_profile(avoid)
        except OSError as exc:
            raise Problem(500, f"the profile cannot be saved ({exc.strerror})") from None
        return JSONResponse(_profile_dict(avoid))

    return profile


def _extension_routes(
    app: FastAPI, settings: Settings, buffer: UploadBuffer, pool: Callable[[], ScanPool]
) -> None:
    """What the browser extension uses (Guard requires the pairing token on all of them)."""
    cache = ResultCache()

    @app.post(
        "/v1/extension/check",
        summary="Check an AO3 work sent as structured chapters (browser extension)",
    )
    async def extension_check(
        request: Request,
        mode: ModeQuery = Mode.default,
        spoilers: Annotated[
            bool, Query(description="Also send the passages (quotes) behind each finding.")
        ] = False,
        avoid: Annotated[
            str | None, Query(description="An avoid-list; default: the server's profile.")
        ] = None,
    ) -> JSONResponse:
        if inputs.media_type(request) != "application/json":
            raise Problem(415, "send the work as application/json")
        with buffer.holding() as take:
            work = parse_work(await read_body(request, settings, take))
        try:
            rules = parse_avoid(avoid).rules if avoid else _saved_profile().rules
        except ProfileError as exc:
            raise Problem(422, f"avoid: {exc}") from None
        digest = text_hash(work)
        key = (digest, mode.value, tuple(rules.items()), spoilers, overrides_stamp())
        if (cached := cache.get(key)) is not None:
            return JSONResponse({**cached, "text_hash": digest, "cached": True})
        task = ScanTask(
            data=b"",
            source="ao3-page",
            kind="text",
            mode=mode.value,
            output="extension",
            avoid=rules,
            spoilers=spoilers,
            max_bytes=settings.max_upload_bytes,
            max_seconds=settings.scan_seconds,
            work=work,
        )
        with pool().admit():
            outcome = await unless_gone(request, pool().run(task))
        if outcome.status != 200 or not isinstance(outcome.body, dict):
            raise Problem(outcome.status, str(outcome.body))
        cache.put(key, outcome.body)
        return JSONResponse({**outcome.body, "text_hash": digest, "cached": False})

    profile = _profile_endpoint(settings, buffer)
    # A plain route, so that one path answers both methods (405's Allow lists both); its two
    # operations are documented by openapi.complete.
    app.router.add_route(
        "/v1/extension/profile", profile, methods=["GET", "PUT"], include_in_schema=False
    )

    @app.delete(
        "/v1/extension/cache", status_code=204, summary="Forget every cached extension answer"
    )
    async def forget() -> Response:
        cache.clear()
        return Response(status_code=204)


def _page_routes(app: FastAPI, settings: Settings, buffer: UploadBuffer) -> None:
    """The web page: index.html, its script and style, the HTML report's own CSS and JS, and
    (on loopback only) the reader's avoid-list, shared with ``forewarn profile``."""
    static = _static()

    async def page_profile(request: Request) -> JSONResponse:
        # Served on loopback, the reader of the page is the user whose profile this is; a
        # server other machines can reach keeps its owner's profile to itself (404), and the
        # page then remembers the avoid-list in the browser instead.
        if not settings.loopback:
            raise Problem(404, "the avoid-list is shared with the profile on loopback only")
        return await profile(request)

    profile = _profile_endpoint(settings, buffer)
    # The page's own endpoint, like the page itself left out of the API's document.
    app.router.add_route(
        PAGE_PROFILE, page_profile, methods=["GET", "PUT"], include_in_schema=False
    )

    @app.get("/", include_in_schema=False)
    async def page() -> HTMLResponse:
        html = static.joinpath("index.html").read_text(encoding="utf-8")
        return HTMLResponse(html, headers={"Content-Security-Policy": PAGE_CSP})

    # The report's style and toggle script, exactly as the HTML renderer inlines them.
    @app.get("/static/report.css", include_in_schema=False)
    async def report_css() -> Response:
        return Response(STYLE, media_type="text/css")

    @app.get("/static/report.js", include_in_schema=False)
    async def report_js() -> Response:
        return Response(SCRIPT, media_type="text/javascript")

    app.mount("/static", StaticFiles(directory=str(static)), name="static")


def _handlers(app: FastAPI) -> None:
    """Every error as problem details: ours, FastAPI's parameter checks, Starlette's 404/405."""

    @app.exception_handler(Problem)
    async def problem(request: Request, exc: Problem) -> Response:
        return exc.response(request.url.path)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        errors = [
            {"loc": [str(p) if not isinstance(p, int) else p for p in e["loc"]], "msg": e["msg"]}
            for e in exc.errors()
        ]
        detail = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'][1:]) or e['loc'][0]}: {e['msg']}" for e in errors
        )
        return Problem(422, detail or "invalid request", errors=errors).response(request.url.path)

    @app.exception_handler(ClientGone)
    @app.exception_handler(ClientDisconnect)
    async def gone(request: Request, exc: Exception) -> Response:
        return Response(status_code=499)  # nobody reads it: logged as nginx logs a client gone

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        return Problem(exc.status_code, str(exc.detail), headers=exc.headers).response(
            request.url.path
        )
