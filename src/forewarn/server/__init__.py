"""``forewarn serve``: the HTTP API and the web page (needs the ``serve`` extra).

``forewarn.server.app.create_app(Settings)`` builds the app; the worker processes import only
``forewarn.server.work``, so they never load the web framework.
"""
