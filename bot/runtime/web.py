"""The bot's optional web server (`WEB_PORT`; off unless set), in the bot's own process with
`aiohttp.web`: the calendar feeds (`/calendar/<secret>.ics`), `GET /healthz` (the checks of
`parecon-rota health`) and, when `REPORT_DIR` is set, the public fairness report under `/report/`.

A secret that is unknown or revoked gets the same 404 as any other unknown path: nothing says
whether it ever existed."""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from pathlib import Path

from aiohttp import web

from bot.app.calendars import Calendars
from bot.runtime.health import Check

log = logging.getLogger(__name__)

SECRET = re.compile(r"^[A-Za-z0-9_-]{20,100}$")
NOT_FOUND = "Not found.\n"


class WebServer:
    def __init__(
        self,
        calendars: Calendars,
        health: Callable[[], Awaitable[list[Check]]],
        *,
        host: str,
        port: int,
        base_url: str | None = None,
        report_dir: Path | None = None,
    ) -> None:
        self.calendars, self.health = calendars, health
        self.host, self.port, self.configured_base = host, port, base_url
        self.report_dir = report_dir
        self.runner: web.AppRunner | None = None

    @property
    def base_url(self) -> str:
        """Where links point: WEB_BASE_URL (behind a reverse proxy), else this server itself."""
        return (self.configured_base or f"http://{self.host}:{self.port}").rstrip("/")

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/calendar/{name}", self.calendar)
        app.router.add_get("/healthz", self.healthz)
        if self.report_dir is not None:
            app.router.add_get("/report", self.report_root)
            app.router.add_get("/report/{path:.*}", self.report)
        return app

    async def start(self) -> None:
        self.runner = web.AppRunner(self.app(), access_log=None)  # the log would hold the secrets
        await self.runner.setup()
        site = web.TCPSite(self.runner, self.host, self.port)
        await site.start()
        if self.port == 0:  # a free port was picked (tests)
            self.port = self.runner.addresses[0][1]
        log.info("web server on %s:%s (links: %s)", self.host, self.port, self.base_url)

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()
            self.runner = None

    async def calendar(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        secret = name.removesuffix(".ics")
        if not name.endswith(".ics") or not SECRET.match(secret):
            return web.Response(status=404, text=NOT_FOUND)
        content = await self.calendars.feed(secret)
        if content is None:
            return web.Response(status=404, text=NOT_FOUND)
        return web.Response(
            body=content,
            content_type="text/calendar",
            charset="utf-8",
            headers={"Cache-Control": "private, max-age=300", "Referrer-Policy": "no-referrer"},
        )

    async def healthz(self, _request: web.Request) -> web.Response:
        try:
            checks = await self.health()
        except Exception as error:  # the check itself failed: unhealthy, and say so
            checks = [Check(False, f"health check failed: {type(error).__name__}")]
        healthy = all(c.ok for c in checks)
        body = "\n".join(c.line() for c in checks) + "\n"
        return web.Response(status=200 if healthy else 503, text=body)

    async def report_root(self, request: web.Request) -> web.StreamResponse:
        raise web.HTTPFound("/report/")

    async def report(self, request: web.Request) -> web.StreamResponse:
        """The public report's files as written (`bot.render.site`), nothing outside its folder."""
        assert self.report_dir is not None
        wanted = request.match_info["path"] or "index.html"
        root = self.report_dir.resolve()
        path = (root / wanted).resolve()
        if path.is_dir():
            path = path / "index.html"
        if not path.is_relative_to(root) or not path.is_file():
            return web.Response(status=404, text=NOT_FOUND)
        return web.FileResponse(path)
