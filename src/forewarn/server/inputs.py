"""A request body to a story: plain text, JSON ``{"text", "title"}`` or a multipart file upload.

The body is read within its bounds (server/bodies.py); an unsupported media type or file format
is a 415 and a body that cannot be read a 422, all before the request asks for a worker.
"""

from __future__ import annotations

import json
import posixpath
import re
from dataclasses import dataclass

from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.requests import Request
from starlette.types import Message

from forewarn.errors import InputError
from forewarn.readers import sniff
from forewarn.server.bodies import UploadBuffer, read_body
from forewarn.server.problems import Problem
from forewarn.server.settings import Settings

#: Request media types a story may come in, as named in the OpenAPI document.
MEDIA_TYPES = ("text/plain", "application/json", "multipart/form-data")
#: The source name of a pasted story (a JSON or plain-text body).
TEXT_SOURCE = "<text>"
_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class Story:
    """The bytes of a story and how to read them: ``kind`` "text" is UTF-8, "file" is sniffed."""

    data: bytes
    source: str
    kind: str
    title: str | None = None


def media_type(request: Request) -> str:
    """The request's media type, lower-case and without parameters; 415 if not supported."""
    raw = request.headers.get("content-type", "")
    kind = raw.split(";", 1)[0].strip().lower()
    if kind not in MEDIA_TYPES:
        shown = kind or "none"
        raise Problem(
            415,
            f"unsupported Content-Type {shown!r}: send text/plain, application/json "
            '{"text": ...} or a multipart/form-data upload in the field "file"',
        )
    return kind


def _charset(request: Request) -> str:
    params = request.headers.get("content-type", "").split(";")[1:]
    for param in params:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            return value.strip().strip('"').lower() or "utf-8"
    return "utf-8"


def _plain(request: Request, body: bytes) -> Story:
    charset = _charset(request)
    try:
        text = body.decode(charset)
    except LookupError:
        raise Problem(415, f"unsupported charset {charset!r}; send UTF-8 text") from None
    except UnicodeDecodeError as exc:
        raise Problem(422, f"the body is not valid {charset} text ({exc.reason})") from None
    return Story(_pasted(text), TEXT_SOURCE, "text")


def _pasted(text: str) -> bytes:
    """A pasted story's bytes; 422 at once when it is blank (a queued job would only fail)."""
    if not text.strip():
        raise Problem(422, f"{TEXT_SOURCE}: empty text")
    return _utf8(text)


def _utf8(text: str) -> bytes:
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates from a JSON \ud800 escape
        raise Problem(422, "the text holds invalid characters (unpaired surrogates)") from None


def _json(body: bytes) -> Story:
    try:
        data = json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise Problem(422, f"malformed JSON body ({exc})") from None
    if not isinstance(data, dict):
        raise Problem(422, 'the JSON body must be an object: {"text": "..."}')
    unknown = sorted(set(data) - {"text", "title"})
    if unknown:
        raise Problem(422, f"unknown field(s) in the JSON body: {', '.join(unknown)}")
    text, title = data.get("text"), data.get("title")
    if not isinstance(text, str):
        raise Problem(422, 'the JSON body needs "text", the story as a string')
    if title is not None and not isinstance(title, str):
        raise Problem(422, '"title" must be a string')
    return Story(_pasted(text), TEXT_SOURCE, "text", _utf8(title).decode() if title else None)


def upload_name(filename: str | None) -> str:
    """A safe source name from an uploaded file's name: no folders, no control characters."""
    name = posixpath.basename((filename or "").replace("\\", "/"))
    name = _UNSAFE_NAME.sub("", name).strip()[:200]
    return name or "upload"


async def _multipart(request: Request, body: bytes) -> Story:
    async def replay() -> Message:
        return {"type": "http.request", "body": body, "more_body": False}

    try:
        form = await Request(request.scope, replay).form(max_files=1, max_fields=4)
    except MultiPartException as exc:
        raise Problem(422, f"malformed multipart body ({exc.message})") from None
    except HTTPException as exc:  # Starlette's own 400 for a MultiPartException inside an app
        raise Problem(422, f"malformed multipart body ({exc.detail})") from None
    try:
        unknown = sorted(set(form.keys()) - {"file"})
        if unknown:
            raise Problem(422, f"unknown form field(s): {', '.join(unknown)}; send only 'file'")
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise Problem(422, "the multipart body needs the story file in the field 'file'")
        return Story(await upload.read(), upload_name(upload.filename), "file")
    finally:
        await form.close()


def _known_format(story: Story) -> Story:
    """``story`` if its file format is one forewarn reads (by content); a 415 Problem if not."""
    try:
        sniff(story.data, story.source)
    except InputError as exc:
        raise Problem(415, str(exc)) from None
    return story


async def read_story(request: Request, settings: Settings, buffer: UploadBuffer) -> Story:
    """The story in ``request``'s body; Problem 408, 413, 415, 422 or 429 when it cannot be had."""
    kind = media_type(request)
    with buffer.holding() as take:
        body = await read_body(request, settings, take)
        if kind == "text/plain":
            return _plain(request, body)
        if kind == "application/json":
            return _json(body)
        return _known_format(await _multipart(request, body))
