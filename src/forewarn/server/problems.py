"""Errors as RFC 9457 problem details: ``application/problem+json`` with a one-line ``detail``."""

from __future__ import annotations

from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from starlette.responses import JSONResponse

PROBLEM_TYPE = "application/problem+json"


class Problem(Exception):
    """An error answer: HTTP ``status``, a one-line ``detail`` (never story text), extra members."""

    def __init__(
        self,
        status: int,
        detail: str,
        headers: Mapping[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.headers = dict(headers or {})
        self.extra = extra

    def to_dict(self, instance: str | None = None) -> dict[str, Any]:
        """The problem document: type, title, status, detail, instance and extension members."""
        body: dict[str, Any] = {
            "type": "about:blank",
            "title": HTTPStatus(self.status).phrase,
            "status": self.status,
            "detail": self.detail,
        }
        if instance:
            body["instance"] = instance
        body.update(self.extra)
        return body

    def response(self, instance: str | None = None) -> JSONResponse:
        return JSONResponse(
            self.to_dict(instance),
            status_code=self.status,
            headers=self.headers,
            media_type=PROBLEM_TYPE,
        )
