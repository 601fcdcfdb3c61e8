"""The parts of the OpenAPI document FastAPI cannot infer: bodies, responses and their schemas.

The report and verdict schemas are the shipped JSON Schemas (schema/*.json), hoisted into
``components/schemas`` so the API promises exactly what the CLI writes.
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources
from typing import Any

from forewarn.server.problems import PROBLEM_TYPE
from forewarn.taxonomy import SEVERITIES, load_taxonomy

REF = "#/components/schemas/"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": REF + name}


def _hoist(file: str, prefix: str) -> dict[str, Any]:
    """A shipped JSON Schema as components: the root is ``prefix``, each $def ``prefix + Name``."""
    raw = resources.files("forewarn").joinpath(f"schema/{file}").read_text(encoding="utf-8")
    defs = json.loads(raw).get("$defs", {})
    names = {d: prefix + "".join(p.capitalize() for p in d.split("_")) for d in defs}
    for d, name in names.items():
        raw = raw.replace(f'"#/$defs/{d}"', f'"{REF}{name}"')
    schema = json.loads(raw)
    defs = schema.pop("$defs", {})
    for key in ("$schema", "$id"):
        schema.pop(key, None)
    return {prefix: schema, **{names[d]: body for d, body in defs.items()}}


PROBLEM = {
    "type": "object",
    "description": "An error, as RFC 9457 problem details. `detail` says what was wrong in one "
    "line; it names the upload but never quotes the story.",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "description": "Always about:blank: the status says it all."},
        "title": {"type": "string", "description": "The HTTP status phrase."},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string"},
        "instance": {"type": "string", "description": "The request path."},
        "retry_after": {"type": "integer", "minimum": 1, "description": "429/503: seconds."},
        "limit": {"type": "integer", "description": "413: the upload limit in bytes."},
        "errors": {
            "type": "array",
            "description": "422 for bad parameters: each one's location and what was wrong.",
            "items": {
                "type": "object",
                "required": ["loc", "msg"],
                "properties": {
                    "loc": {"type": "array", "items": {"type": ["string", "integer"]}},
                    "msg": {"type": "string"},
                },
            },
        },
    },
}

#: A pasted story: any text with something besides whitespace in it (a blank one is a 422).
STORY_STRING = {
    "type": "string",
    "pattern": r"\S",
    "description": "The story, as plain text (not blank).",
}

STORY_TEXT = {
    "type": "object",
    "description": "A pasted story. Its source name in the report is `<text>`.",
    "required": ["text"],
    "additionalProperties": False,
    "properties": {
        "text": STORY_STRING,
        "title": {"type": ["string", "null"], "description": "Shown as the report's title."},
    },
}

STORY_UPLOAD = {
    "type": "object",
    "required": ["file"],
    "additionalProperties": False,
    "properties": {
        "file": {
            "type": "string",
            "format": "binary",
            "contentMediaType": "application/octet-stream",
            "description": "A story file: text, Markdown, HTML, an AO3 HTML or EPUB download, "
            "or any EPUB. The format is told by content; the file name names the source.",
        }
    },
}

CATEGORY = {
    "type": "object",
    "required": ["id", "name", "parent", "description", "also_avoids", "aliases", "ao3_tags"],
    "properties": {
        "id": {"type": "string"},
        "name": {"type": "string"},
        "parent": {"type": ["string", "null"]},
        "description": {"type": "string"},
        "also_avoids": {"type": "array", "items": {"type": "string"}},
        "aliases": {
            "type": "object",
            "description": "Names of this category in published label sets.",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
        "ao3_tags": {
            "type": "object",
            "description": "Severity -> the AO3 tag to suggest.",
            "additionalProperties": {"type": "string"},
        },
        "ao3_warning": {
            "type": ["object", "null"],
            "additionalProperties": {"type": "string"},
        },
    },
}

TAXONOMY = {
    "type": "object",
    "required": ["version", "categories"],
    "properties": {
        "version": {"type": "string"},
        "categories": {"type": "array", "items": _ref("Category")},
    },
}

JOB = {
    "type": "object",
    "required": ["id", "status", "created", "started", "finished", "result", "error"],
    "properties": {
        "id": {"type": "string", "pattern": "^[0-9a-f]{32}$"},
        "status": {"enum": ["queued", "running", "done", "failed"]},
        "created": {"type": "string", "format": "date-time"},
        "started": {"type": ["string", "null"], "format": "date-time"},
        "finished": {"type": ["string", "null"], "format": "date-time"},
        "result": {"oneOf": [_ref("Report"), {"type": "null"}], "description": "When done."},
        "error": {"oneOf": [_ref("Problem"), {"type": "null"}], "description": "When failed."},
    },
}

HEALTH = {
    "type": "object",
    "required": [
        "status",
        "version",
        "workers",
        "workers_ready",
        "in_flight",
        "queue_depth",
        "jobs",
    ],
    "properties": {
        "status": {"const": "ok"},
        "version": {"type": "string"},
        "workers": {"type": "integer", "minimum": 1},
        "workers_ready": {
            "type": "integer",
            "minimum": 0,
            "description": "Workers with their models loaded; below `workers` while a "
            "replacement for a crashed, overrun or oversized one starts.",
        },
        "in_flight": {"type": "integer", "minimum": 0},
        "queue_depth": {"type": "integer", "minimum": 0},
        "jobs": {
            "type": "object",
            "additionalProperties": {"type": "integer", "minimum": 0},
        },
    },
}


@cache
def components() -> dict[str, Any]:
    """Every schema the API names, for ``components/schemas``."""
    return {
        **_hoist("report.schema.json", "Report"),
        **_hoist("check.schema.json", "Check"),
        "Problem": PROBLEM,
        "StoryText": STORY_TEXT,
        "StoryUpload": STORY_UPLOAD,
        "Category": CATEGORY,
        "Taxonomy": TAXONOMY,
        "Job": JOB,
        "Health": HEALTH,
        "ExtensionWork": EXTENSION_WORK,
        "ExtensionAnswer": EXTENSION_ANSWER,
        "Profile": PROFILE,
        "ProfileBody": PROFILE_BODY,
    }


STORY_BODY = {
    "required": True,
    "description": "The story: a plain-text body, JSON, or a multipart upload of a file.",
    "content": {
        "text/plain": {"schema": STORY_STRING},
        "application/json": {"schema": _ref("StoryText")},
        "multipart/form-data": {"schema": _ref("StoryUpload")},
    },
}

_RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before retrying.",
        "schema": {"type": "integer", "minimum": 1},
    }
}


def problem(description: str, retry: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "description": description,
        "content": {PROBLEM_TYPE: {"schema": _ref("Problem")}},
    }
    if retry:
        out["headers"] = _RETRY_AFTER
    return out


def _json(description: str, schema: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _ref(schema)}}}


#: Answers any request may get before it reaches its operation (server/guard.py).
_GUARD = {
    "401": problem("The server has a token and the request did not carry it."),
    "403": problem("The request came from a web page of another origin (refused)."),
    "421": problem("The Host header names a host this server does not answer to."),
}

#: Answers of the browser extension's endpoints before they are reached: the pairing token.
_PAIRED = {
    "401": problem("No pairing token (`forewarn serve --pair` shows it)."),
    "403": problem("A wrong pairing token, or a request from a web page of another origin."),
    "421": _GUARD["421"],
}

_TEXTS = {"type": "array", "items": {"type": "string"}}

EXTENSION_WORK = {
    "type": "object",
    "description": "An AO3 work as the extension read it from the page the reader has open. "
    "Only the chapters' paragraphs are scanned; the rest is metadata and the author's tags.",
    "required": ["chapters"],
    "additionalProperties": False,
    "properties": {
        **{k: {"type": ["string", "null"]} for k in ("id", "url", "title", "summary", "rating")},
        "language": {"type": ["string", "null"]},
        **{
            k: _TEXTS
            for k in (
                "authors",
                "notes",
                "end_notes",
                "archive_warnings",
                "categories",
                "fandoms",
                "relationships",
                "characters",
                "additional_tags",
            )
        },
        "chapters": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "number": {"type": "integer", "minimum": 1, "description": "AO3's position"},
                    "title": {"type": ["string", "null"]},
                    "summary": {"type": ["string", "null"]},
                    "notes": _TEXTS,
                    "end_notes": _TEXTS,
                    "paragraphs": _TEXTS,
                },
            },
        },
    },
}

EXTENSION_ANSWER = {
    "type": "object",
    "description": "The verdict against the avoid-list, per AO3 chapter (numbers as AO3's; "
    "`fold` ranges index the paragraphs sent), what was found, the tag audit and the report "
    "(quotes only with `spoilers`).",
    "required": ["version", "summary", "safe", "checked", "chapters", "hits", "tags", "report"],
    "properties": {
        "version": {"type": "string"},
        "summary": {"type": "string"},
        "caveat": {"type": "string"},
        "safe": {"type": "boolean"},
        "checked": {"type": "boolean"},
        "text_hash": {"type": "string"},
        "cached": {"type": "boolean"},
        "chapters": {"type": "array", "items": {"type": "object"}},
        "hits": {"type": "array", "items": {"type": "object"}},
        "tags": {"type": "object"},
        "report": {"type": "object"},
    },
}

PROFILE_SUMMARIES = {
    "get": "The reader's avoid-list (the server's profile)",
    "put": "Save the reader's avoid-list to the server's profile",
}

PROFILE_BODY = {
    "type": "object",
    "required": ["avoid"],
    "additionalProperties": False,
    "properties": {
        "avoid": {
            "description": "`{category: severity}`, or the `--avoid` syntax; empty clears it.",
            "oneOf": [
                {"type": "string"},
                {"type": "object", "additionalProperties": {"type": "string"}},
            ],
        }
    },
}

PROFILE = {
    "type": "object",
    "required": ["avoid", "spec", "avoiding", "categories"],
    "properties": {
        "avoid": {"type": "object", "additionalProperties": {"enum": list(SEVERITIES)}},
        "spec": {"type": "string", "description": "The avoid-list as `--avoid` takes it."},
        "avoiding": {"type": "string"},
        "categories": {"type": "array", "items": {"type": "object"}},
    },
}

_INPUT_ERRORS = {
    **_GUARD,
    "408": problem("The body came too slowly (see FOREWARN_SERVE_BODY_SECONDS)."),
    "413": problem("The body is larger than the upload limit."),
    "415": problem("Not text/plain, JSON or multipart; or a file of an unsupported format."),
    "422": problem(
        "Malformed input or parameters, or a story that cannot be read; `detail` says why."
    ),
    "429": problem(
        "Every worker is busy and the queue is full, or too many uploads are being read at "
        "once: retry later.",
        retry=True,
    ),
    "500": problem("An internal error (a bug)."),
    "503": problem("A scanner process stopped and was restarted: retry.", retry=True),
}

RESPONSES: dict[tuple[str, str], dict[str, Any]] = {
    ("post", "/v1/scan"): {
        "200": {
            "description": "The report (the `forewarn scan --format json` schema); with "
            "`format=html`, the HTML report fragment the web page shows.",
            "content": {
                "application/json": {"schema": _ref("Report")},
                "text/html": {"schema": {"type": "string"}},
            },
        },
        **_INPUT_ERRORS,
    },
    ("post", "/v1/check"): {
        "200": _json("The verdict (the `forewarn check --format json` schema).", "Check"),
        **_INPUT_ERRORS,
    },
    ("post", "/v1/jobs"): {
        "202": {
            **_json("Queued: poll the Location until the job is done or failed.", "Job"),
            "headers": {
                "Location": {"description": "The job's URL.", "schema": {"type": "string"}}
            },
        },
        **{k: v for k, v in _INPUT_ERRORS.items() if k not in ("500", "503")},
        "429": problem(
            "Too many jobs queued or running, or uploads being read: retry later.", retry=True
        ),
    },
    ("get", "/v1/jobs/{job_id}"): {
        "200": _json("The job's status; `result` holds the report once it is done.", "Job"),
        **_GUARD,
        "404": problem("No such job (or it finished long ago and was forgotten)."),
        "422": problem("The id is not a job id."),
    },
    ("get", "/v1/taxonomy"): {
        "200": _json("The content categories forewarn knows.", "Taxonomy"),
        **_GUARD,
    },
    ("get", "/healthz"): {
        "200": _json("The server is up; its pool and queue.", "Health"),
        "421": _GUARD["421"],
    },
    ("post", "/v1/extension/check"): {
        "200": _json("The work's verdict, chapters, findings and tag audit.", "ExtensionAnswer"),
        **{k: v for k, v in _INPUT_ERRORS.items() if k not in _GUARD},
        **_PAIRED,
    },
    ("get", "/v1/extension/profile"): {
        "200": _json("The reader's avoid-list (the server's profile).", "Profile"),
        "500": problem("The saved profile cannot be read."),
        **_PAIRED,
    },
    ("put", "/v1/extension/profile"): {
        "200": _json("The avoid-list as saved.", "Profile"),
        "408": _INPUT_ERRORS["408"],
        "413": _INPUT_ERRORS["413"],
        "415": problem("Not JSON."),
        "422": problem("An unknown category or severity; `detail` suggests close ones."),
        "429": _INPUT_ERRORS["429"],
        "500": problem("The profile cannot be saved."),
        **_PAIRED,
    },
    ("delete", "/v1/extension/cache"): {
        "204": {"description": "Every cached answer is forgotten."},
        **_PAIRED,
    },
    ("get", "/metrics"): {
        "200": {
            "description": "Prometheus metrics in the text exposition format.",
            "content": {"text/plain": {"schema": {"type": "string"}}},
        },
        **_GUARD,
    },
}

#: The severities an avoid rule may name, for parameter docs.
AVOID_HELP = (
    "What to avoid, comma-separated: a category id, name or alias (GET /v1/taxonomy), "
    f"optionally `:SEVERITY` ({', '.join(SEVERITIES)} or any) to avoid it only from that "
    "severity up. A parent category covers its children. Example: `suicide,violence:graphic`. "
    "The schema lists the ids; names and aliases are accepted too, in any case."
)


@cache
def avoid_schema() -> dict[str, Any]:
    """The avoid-list as the comma-separated array it is on the wire: ``id[:severity]`` items."""
    ids = sorted(category.id for category in load_taxonomy())
    assert all(re.fullmatch(r"[a-z0-9-]+", i) for i in ids), "ids must need no regex escapes"
    severities = "|".join([*SEVERITIES, "any"])
    return {
        "type": "array",
        "minItems": 1,
        "items": {"type": "string", "pattern": f"^(?:{'|'.join(ids)})(?::(?:{severities}))?$"},
        "examples": [["suicide", "self-harm"], ["violence:graphic"]],
    }


def _document_avoid(operation: dict[str, Any]) -> None:
    for parameter in operation.get("parameters", []):
        if parameter["name"] == "avoid":
            parameter.update(schema=avoid_schema(), style="form", explode=False)


def complete(openapi: dict[str, Any]) -> dict[str, Any]:
    """Fill FastAPI's generated document with our bodies, responses and component schemas."""
    for path, operations in openapi.get("paths", {}).items():
        for method, operation in operations.items():
            key = (method, path)
            if key in RESPONSES:
                operation["responses"] = RESPONSES[key]
            if path in ("/v1/scan", "/v1/check", "/v1/jobs") and method == "post":
                operation["requestBody"] = STORY_BODY
            if key == ("post", "/v1/check"):
                _document_avoid(operation)
            if key == ("post", "/v1/extension/check"):
                operation["requestBody"] = {
                    "required": True,
                    "content": {"application/json": {"schema": _ref("ExtensionWork")}},
                }
    openapi.setdefault("paths", {})["/v1/extension/profile"] = {
        method: {
            "summary": summary,
            "operationId": f"{method}_extension_profile",
            "responses": RESPONSES[(method, "/v1/extension/profile")],
        }
        for method, summary in PROFILE_SUMMARIES.items()
    }
    openapi["paths"]["/v1/extension/profile"]["put"]["requestBody"] = {
        "required": True,
        "content": {"application/json": {"schema": _ref("ProfileBody")}},
    }
    schemas = openapi.setdefault("components", {}).setdefault("schemas", {})
    for generated in ("HTTPValidationError", "ValidationError"):
        schemas.pop(generated, None)
    schemas.update(components())
    return openapi
