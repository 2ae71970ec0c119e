"""The bot's optional web server: feeds by secret (404 for anything else), /healthz, the report's files."""

from __future__ import annotations

from pathlib import Path

import aiohttp
import pytest

from bot.app.calendars import Calendars
from bot.runtime.health import Check
from bot.runtime.web import WebServer
from tests.app.conftest import MONDAY
from tests.app.fakes import Clock


@pytest.fixture
async def served(db, tmp_path: Path):
    (tmp_path / "report").mkdir()
    (tmp_path / "report" / "index.html").write_text("<h1>Fairness</h1>")
    (tmp_path / "secret.txt").write_text("not for the web")
    healthy = [Check(True, "database: reachable"), Check(False, "gateway: no heartbeat recorded yet")]

    async def health() -> list[Check]:
        return healthy

    server = WebServer(Calendars(db, Clock(MONDAY)), health, host="127.0.0.1", port=0, report_dir=tmp_path / "report")
    await server.start()
    yield server, healthy
    await server.stop()


async def test_unknown_secrets_and_paths_get_the_same_404_and_health_says_what_fails(served) -> None:
    server, healthy = served
    async with aiohttp.ClientSession() as http:
        for path in ("/calendar/" + "a" * 43 + ".ics", "/calendar/short.ics", "/calendar/x", "/nothing"):
            async with http.get(server.base_url + path) as response:
                assert response.status == 404, path
        async with http.get(server.base_url + "/healthz") as response:
            assert response.status == 503
            assert await response.text() == "ok   database: reachable\nFAIL gateway: no heartbeat recorded yet\n"
        healthy[1] = Check(True, "gateway: connected")
        async with http.get(server.base_url + "/healthz") as response:
            assert response.status == 200
        async with http.get(server.base_url + "/report/") as response:
            assert response.status == 200 and "Fairness" in await response.text()
        async with http.get(server.base_url + "/report/../secret.txt") as response:
            assert response.status == 404
        async with http.get(server.base_url + "/report/%2e%2e/secret.txt") as response:
            assert response.status == 404
