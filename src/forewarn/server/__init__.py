"""``forewarn serve``: the HTTP API and the web page (needs the ``serve`` extra)."""

from forewarn.server.app import create_app
from forewarn.server.settings import Settings

__all__ = ["Settings", "create_app"]
