"""The documentation's mechanics: the benchmark writes its figures into the solver's page, the README
stays short and links every page, and each page's contents point at its own sections."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from bot.runtime.bench import README_END, README_START, Line, write_readme

ROOT = Path(__file__).resolve().parent.parent
PAGES = ("members", "moderators", "self-hosting", "scale", "planner", "solver", "development")


def anchor(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces as dashes."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_the_benchmark_rewrites_the_table_between_the_markers_of_the_solver_page(tmp_path: Path, capsys) -> None:
    page = tmp_path / "solver.md"
    shutil.copy(ROOT / "docs" / "solver.md", page)
    before = page.read_text()
    write_readme([Line("4 × 12", "0.300", "1.0 s", "", "optimum 0.300")], page)
    after = page.read_text()
    table = after[after.index(README_START) : after.index(README_END)]
    assert "| 4 × 12 | 0.300 | 1.0 s | – | optimum 0.300 |" in table and table.count("\n") == 4
    assert after[: after.index(README_START)] == before[: before.index(README_START)]
    assert after[after.index(README_END) :] == before[before.index(README_END) :]


def test_the_readme_is_short_and_links_every_page_and_picture() -> None:
    readme = (ROOT / "README.md").read_text()
    assert len(readme.splitlines()) <= 250
    for page in PAGES:
        assert f"(docs/{page}.md)" in readme, page
    for picture in ("docs/img/rota-post.png", "docs/img/chart.png"):
        assert f"({picture})" in readme and (ROOT / picture).stat().st_size > 10_000
    assert "make run" in readme and "make test" in readme and "the issue" not in readme
    headings = {anchor(h) for h in re.findall(r"^##+ (.+)$", readme, re.MULTILINE)}
    assert all(target in headings for target in re.findall(r"\]\(#([^)]+)\)", readme))
    for page, target in re.findall(r"\]\(docs/([\w-]+)\.md#([^)]+)\)", readme):
        other = (ROOT / "docs" / f"{page}.md").read_text()
        assert target in {anchor(h) for h in re.findall(r"^##+ (.+)$", other, re.MULTILINE)}, f"{page}.md#{target}"


def test_each_page_has_contents_that_lead_to_its_sections_and_its_links_exist() -> None:
    for name in PAGES:
        text = (ROOT / "docs" / f"{name}.md").read_text()
        assert "## Contents" in text, name
        headings = {anchor(h) for h in re.findall(r"^##+ (.+)$", text, re.MULTILINE)}
        for target in re.findall(r"\]\(#([^)]+)\)", text):
            assert target in headings, f"{name}.md: #{target}"
        for page, target in re.findall(r"\]\(([\w-]+)\.md(?:#([^)]+))?\)", text):
            other = (ROOT / "docs" / f"{page}.md").read_text()
            assert not target or target in {anchor(h) for h in re.findall(r"^##+ (.+)$", other, re.MULTILINE)}, (
                f"{name}.md → {page}.md#{target}"
            )
        assert "the issue" not in text, name
