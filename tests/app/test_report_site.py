"""The public fairness report: opt-in per organization, members anonymous unless they opt in, no
external requests; and in a real headless browser (Debian's chromium): it renders without console
errors and fits a phone and a desktop."""

from __future__ import annotations

import json
import shutil
from html.parser import HTMLParser

import pytest

from bot.app import report
from bot.app.organizations import add_goal, change_settings
from bot.app.publication import Publication
from bot.domain.errors import BadInput
from bot.render.public_report import anonymous_label
from storage.db import Database
from tests.app.conftest import GUILD, MONDAY, make_org

TASKS = [("Dishes", 3, 2, 1), ("Baking", 4, 7, 6), ("Accounts", 2.5, 5, 9), ("Cleaning", 3, 2, 2)]
SECRET = "Zed Secretname"
MOD = 900


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.refs: list[str] = []
        self.tags: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.refs += [value or "" for name, value in attrs if name in ("href", "src", "srcset", "action", "poster")]


async def published_org(db: Database, publication: Publication) -> int:
    org = await make_org(db, ["ana", SECRET, "cleo", "dev"], TASKS)
    await add_goal(db, GUILD, MOD, "Share the <b>dull</b> work & the fun")
    for week in ("2026-W47", "2026-W48", "2026-W49"):
        await publication.publish(org.id, week)
    await report.show_me(db, GUILD, org.members["ana"].user_id, True)
    return org.id


async def test_off_by_default_then_only_opted_in_names_and_nothing_external(db, publication, tmp_path) -> None:
    org_id = await published_org(db, publication)
    written = await report.write(db, tmp_path, MONDAY)
    assert written.organizations == [] and (tmp_path / "index.html").exists()
    with pytest.raises(BadInput, match="publish-report on"):
        await report.write(db, tmp_path, MONDAY, org_id)
    await report.set_publishing(db, GUILD, MOD, True)
    written = await report.write(db, tmp_path, MONDAY)
    page = next(p for p in written.pages if p.name == "index.html" and p.parent != tmp_path)
    html = page.read_text()
    assert "ana" in html and SECRET not in html and "cleo" not in html and "dev<" not in html
    assert "Member A" in html and "Member C" in html and "Member D" not in html  # three anonymous, ana named
    assert "Share the &lt;b&gt;dull&lt;/b&gt; work &amp; the fun" in html  # escaped, not markup
    for week in ("2026-W47", "2026-W48", "2026-W49"):
        assert week in html
    for text in (html, (tmp_path / "index.html").read_text()):
        links = Links()
        links.feed(text)
        assert "script" not in links.tags and "iframe" not in links.tags and "link" not in links.tags
        assert all("//" not in ref and ":" not in ref for ref in links.refs), links.refs  # relative links only
    await report.set_publishing(db, GUILD, MOD, False)
    await report.write(db, tmp_path, MONDAY)
    assert not page.exists() and f"{org_id}/index.html" not in (tmp_path / "index.html").read_text()


async def test_the_report_is_rewritten_after_a_publication_when_a_folder_is_set(
    db, publication, tmp_path, caplog
) -> None:
    org = await make_org(db, ["ana", "ben"], TASKS[:2])
    await report.set_publishing(db, GUILD, MOD, True)
    spawned = []
    publication.on_published = spawned.append
    await publication.publish(org.id, "2026-W49")
    await publication.publish(org.id, "2026-W49")  # already published: not again
    assert spawned == [org.id]
    await report.regenerate(db, tmp_path, org.id, MONDAY)
    [page] = list(tmp_path.glob("*/index.html"))
    assert "2026-W49" in page.read_text()
    await report.regenerate(db, tmp_path / "index.html" / "x", org.id, MONDAY)  # unwritable: logged, not raised
    assert (
        f"writing the public report of organization {org.id} to {tmp_path / 'index.html' / 'x'} failed" in caplog.text
    )


async def test_the_report_is_in_the_organizations_language_and_the_index_in_the_one_they_share(
    db, publication, tmp_path
) -> None:
    org_id = await published_org(db, publication)
    other = await make_org(db, ["eva"], TASKS[:1], guild_id=GUILD + 1, code="OTHER234", first_user=50)
    with pytest.raises(BadInput) as refused:
        await report.write(db, tmp_path, MONDAY, org_id)
    assert "`/mod org bericht-veröffentlichen an`" in refused.value.text("de")  # the command's German name
    await change_settings(db, GUILD, MOD, language="de")
    await report.set_publishing(db, GUILD, MOD, True)
    written = await report.write(db, tmp_path, MONDAY)
    html = next(p for p in written.pages if p.parent != tmp_path).read_text()
    assert '<html lang="de">' in html and "Die jüngste Woche (2026-W49)" in html and "Mitglied A" in html
    assert "Erstellt am Montag, 30. November 2026" in html and "The latest week" not in html
    assert "Wie wir unsere Arbeit teilen" in (tmp_path / "index.html").read_text()  # the one language spoken
    await report.set_publishing(db, GUILD + 1, MOD, True)  # an English-speaking organization publishes too
    written = await report.write(db, tmp_path, MONDAY)
    assert {other.id, org_id} <= {int(p.parent.name.rsplit("-", 1)[1]) for p in written.pages if p.parent != tmp_path}
    index = (tmp_path / "index.html").read_text()
    assert '<html lang="en">' in index and "How we share our work" in index  # several: English


CHROMIUM, DRIVER = shutil.which("chromium"), shutil.which("chromedriver")


@pytest.mark.slow
@pytest.mark.skipif(
    CHROMIUM is None or DRIVER is None,
    reason="needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver; .ci/run does)",
)
@pytest.mark.parametrize("language", ["en", "de"])  # German: the longest labels
async def test_in_a_real_browser_it_renders_without_errors_on_a_phone_and_a_desktop(
    db, publication, tmp_path, language
) -> None:
    pytest.importorskip("selenium")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    await published_org(db, publication)
    await change_settings(db, GUILD, MOD, language=language)
    await report.set_publishing(db, GUILD, MOD, True)
    written = await report.write(db, tmp_path / "site", MONDAY)
    page = next(p for p in written.pages if p.parent != tmp_path / "site")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM or ""
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    try:
        for name, width, mobile in (("phone", 375, True), ("desktop", 1280, False)):
            driver.execute_cdp_cmd(
                "Emulation.setDeviceMetricsOverride",
                {"width": width, "height": 800, "deviceScaleFactor": 1, "mobile": mobile},
            )
            driver.get(page.as_uri())
            seen = driver.execute_script(
                "return {scroll: document.documentElement.scrollWidth, inner: window.innerWidth,"
                " height: document.documentElement.scrollHeight, text: document.body.innerText,"
                " svgs: [...document.querySelectorAll('svg')].map(s => s.getBoundingClientRect().right),"
                " title: document.title, clipped: [...document.querySelectorAll('.scroll')]"
                ".filter(e => e.scrollWidth > e.clientWidth).length}"
            )
            assert seen["title"].startswith(f"Org {GUILD}")
            assert seen["scroll"] <= seen["inner"] == width, f"{name}: the page is wider than the screen"
            assert seen["clipped"] == 0, f"{name}: a table is wider than the screen"
            assert len(seen["svgs"]) == 4 and max(seen["svgs"]) <= width
            member_a = anonymous_label(0, language)
            assert member_a in seen["text"] and SECRET not in seen["text"] and "cleo" not in seen["text"]
            errors = [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
            assert errors == [], errors
            requests = [
                json.loads(entry["message"])["message"]["params"]["request"]["url"]
                for entry in driver.get_log("performance")
                if json.loads(entry["message"])["message"]["method"] == "Network.requestWillBeSent"
            ]
            assert requests and all(url.startswith("file://") for url in requests), requests
            driver.execute_cdp_cmd(
                "Emulation.setDeviceMetricsOverride",
                {"width": width, "height": min(seen["height"], 6000), "deviceScaleFactor": 1, "mobile": mobile},
            )
            shot = tmp_path / f"report-{language}-{name}.png"
            assert driver.save_screenshot(str(shot)) and shot.stat().st_size > 10_000
            print(f"screenshot: {shot}")
    finally:
        driver.quit()
