"""The public fairness report as a static site: plain HTML and CSS with inline SVG charts, no
scripts, no tracking and nothing loaded from elsewhere, readable on a phone. Renders what
`bot.render.public_report` computed; templates are autoescaped, and the charts escape every text they draw.

Layout: `index.html` lists the organizations; each has `<slug>/index.html`, written in the
organization's language (`PublicReport.language`): its texts from the catalog (the templates in
`bot/render/templates` through Jinja's i18n extension, the charts' through `bot.i18n`), its numbers,
percentages and dates the language's way (`bot.i18n.formatting`).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import tempfile
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

from bot import i18n
from bot.domain.files import PRIVATE_FILE, folder_mode, make_dirs
from bot.i18n import formatting
from bot.render.public_report import Person, PublicReport, anonymous_label

WIDTH, HEIGHT = 360, 210
LEFT, RIGHT, TOP, BOTTOM = 40, 350, 14, 176
COLOURS = ("#1b7f5a", "#c0392b", "#2f5fb3", "#b7791f", "#7d3c98", "#117a8b", "#8a6d3b", "#5d6d7e")

STYLE = """
:root { color-scheme: light; --ink: #1d2a24; --muted: #5b6b63; --band: #cfe8dc; --line: #1b7f5a; --rule: #dfe6e2; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink);
  background: #fbfcfb; }
main { max-width: 46rem; margin: 0 auto; padding: 1rem; }
h1 { font-size: 1.6rem; line-height: 1.2; margin: .5rem 0; overflow-wrap: anywhere; }
h2 { font-size: 1.2rem; margin: 2rem 0 .5rem; border-bottom: 1px solid var(--rule); padding-bottom: .25rem; }
p, li { overflow-wrap: anywhere; }
.muted { color: var(--muted); font-size: .9rem; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(9.5rem, 1fr)); gap: .5rem; }
.card { background: #fff; border: 1px solid var(--rule); border-radius: .5rem; padding: .6rem .75rem; }
.card b { display: block; font-size: 1.3rem; }
.card.wide { grid-column: 1 / -1; }
figure { margin: 1rem 0; background: #fff; border: 1px solid var(--rule); border-radius: .5rem; padding: .5rem; }
figcaption { font-size: .9rem; color: var(--muted); margin-top: .25rem; }
svg { display: block; width: 100%; max-width: 36rem; height: auto; margin: 0 auto; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
th, td { text-align: left; padding: .3rem .4rem; border-bottom: 1px solid var(--rule); vertical-align: top; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
thead th { vertical-align: bottom; }
th.c { text-align: center; border-bottom: 1px solid var(--rule); }
td.week { white-space: nowrap; }
@media (max-width: 36rem) {  /* a phone: each row becomes a small card of labelled figures */
  table, tbody, tr, td { display: block; width: 100%; }
  thead { display: none; }
  tr { border-bottom: 1px solid var(--rule); padding: .3rem 0; }
  td, td.n { border: 0; padding: .1rem 0; text-align: left; display: flex; justify-content: space-between; gap: 1rem; }
  td:first-child { font-weight: 600; }
  td.words { display: block; color: var(--ink); }
  td.n { white-space: normal; }  /* a long label (German, Spanish) wraps; the figure keeps its line */
  td[data-label]::before { content: attr(data-label); color: var(--muted); flex: 1 1 auto; min-width: 0; }
}
.legend { list-style: none; padding: 0; margin: .25rem 0 0; display: flex; flex-wrap: wrap; gap: .25rem .9rem;
  font-size: .85rem; }
.swatch { display: inline-block; width: .8rem; height: .8rem; border-radius: .2rem; margin-right: .3rem;
  vertical-align: -.1rem; }
footer { margin: 2rem 0 1rem; color: var(--muted); font-size: .85rem; }
a { color: #15603f; }
"""

TEMPLATES = Path(__file__).parent / "templates"


def _template_gettext(language: str) -> Callable[..., Markup]:
    """The templates' `_`: the text in `language`, its `{placeholders}` filled with escaped values.
    The catalog's text is the project's own (it may hold markup such as `<b>`); what fills it is not."""

    def translate(message: str, /, **params: object) -> Markup:
        return Markup(i18n.gettext(language, message, **_escaped(params)))

    return translate


def _template_ngettext(language: str) -> Callable[..., Markup]:
    def translate(singular: str, plural: str, count: float, /, **params: object) -> Markup:
        return Markup(i18n.ngettext(language, singular, plural, count, **_escaped(params)))

    return translate


def _escaped(params: dict[str, object]) -> dict[str, Markup]:
    return {name: escape(value) for name, value in params.items()}


@cache
def _environment(language: str) -> Environment:
    """The templates with the catalog of `language` and its ways of writing numbers and dates.

    Jinja's i18n extension gives the templates `_`, `gettext` and `ngettext` (and is what Babel's Jinja
    extractor reads); they are the project's functions, so a template's text has named placeholders in
    braces like the code's, and the catalogs' gate checks them the same way."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        keep_trailing_newline=True,
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]  # added by the i18n extension
        _template_gettext(language), _template_ngettext(language), newstyle=False
    )
    env.globals.update(
        language=language,
        number=lambda value: formatting.number(value, language),
        hours=lambda h: formatting.number(h, language) if abs(h) < 1e6 else formatting.number(h, language, places=0),
        percent=lambda share, i: "–" if share is None else formatting.percent(share[i], language),
        date=lambda day: formatting.short_date(day, language),
        long_date=lambda day: formatting.long_date(day, language),
        sentence=lambda words: (words[:1].upper() + words[1:] + ".") if words else "",
    )
    return env


def slug(name: str, org_id: int) -> str:
    """A folder name for the organization: its name in plain letters, and its id (names may repeat)."""
    text = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:40] or "organization"
    return f"{text}-{org_id}"


def _x(index: int, count: int) -> float:
    return (LEFT + RIGHT) / 2 if count <= 1 else LEFT + index * (RIGHT - LEFT) / (count - 1)


def _y(value: float, low: float, high: float) -> float:
    span = (high - low) or 1.0
    return BOTTOM - (min(max(value, low), high) - low) * (BOTTOM - TOP) / span


Label = Callable[[float], str]  # a tick's label: "4", "100 %"


def _plain(value: float) -> str:
    return f"{value:g}"


def _frame(
    title: str, weeks: Sequence[str], low: float, high: float, ticks: Sequence[float], label: Label
) -> list[str]:
    parts = [
        f'<svg viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(title)}" '
        'xmlns="http://www.w3.org/2000/svg" font-family="system-ui, sans-serif" font-size="11">',
        f"<title>{escape(title)}</title>",
    ]
    for tick in ticks:
        y = _y(tick, low, high)
        parts.append(f'<line x1="{LEFT}" x2="{RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#dfe6e2"/>')
        text = "0" if tick == 0 else escape(label(tick))
        parts.append(f'<text x="{LEFT - 4}" y="{y + 4:.1f}" text-anchor="end" fill="#5b6b63">{text}</text>')
    if weeks:
        shown = sorted({0, len(weeks) - 1, (len(weeks) - 1) // 2})
        for index in shown:
            anchor = (
                "start"
                if index == 0 and len(weeks) > 1
                else "end"
                if index == len(weeks) - 1 and len(weeks) > 1
                else "middle"
            )
            parts.append(
                f'<text x="{_x(index, len(weeks)):.1f}" y="{HEIGHT - 16}" text-anchor="{anchor}" fill="#5b6b63">'
                f"{escape(weeks[index])}</text>"
            )
    return parts


def band_chart(
    title: str,
    weeks: Sequence[str],
    bands: Sequence[tuple[float, float] | None],
    line: Sequence[float | None],
    low: float,
    high: float,
    ticks: Sequence[float],
    label: Label = _plain,
) -> Markup:
    """A band (lowest to highest member) per week with a line (the fair share) through it."""
    parts = _frame(title, weeks, low, high, ticks, label)
    n = len(weeks)
    present = [(i, b) for i, b in enumerate(bands) if b is not None]
    if present:
        upper = [f"{_x(i, n):.1f},{_y(b[1], low, high):.1f}" for i, b in present]
        lower = [f"{_x(i, n):.1f},{_y(b[0], low, high):.1f}" for i, b in reversed(present)]
        if len(present) == 1:
            i, b = present[0]
            x = _x(i, n)
            parts.append(
                f'<rect x="{x - 8:.1f}" y="{_y(b[1], low, high):.1f}" width="16" '
                f'height="{max(_y(b[0], low, high) - _y(b[1], low, high), 1.5):.1f}" fill="#cfe8dc"/>'
            )
        else:
            parts.append(f'<polygon points="{" ".join(upper + lower)}" fill="#cfe8dc" stroke="#9fcdb6"/>')
    points = [(i, v) for i, v in enumerate(line) if v is not None]
    if len(points) > 1:
        path = " ".join(f"{_x(i, n):.1f},{_y(v, low, high):.1f}" for i, v in points)
        parts.append(f'<polyline points="{path}" fill="none" stroke="#1b7f5a" stroke-width="2"/>')
    for i, v in points:
        parts.append(f'<circle cx="{_x(i, n):.1f}" cy="{_y(v, low, high):.1f}" r="2.5" fill="#1b7f5a"/>')
    parts.append("</svg>")
    return Markup("".join(parts))


def lines_chart(
    title: str,
    weeks: Sequence[str],
    series: Sequence[tuple[str, Sequence[tuple[str, float]]]],
    colours: Sequence[str],
    label: Label = _plain,
    reference: float = 1.0,
) -> Markup:
    """One line per series over the weeks (a series may start later than the first week), with a
    reference line (100% of the fair share)."""
    values = [v for _, points in series for _, v in points]
    high = _top(values)
    parts = _frame(title, weeks, 0.0, high, [0.0, reference, high], label)
    y = _y(reference, 0.0, high)
    parts.append(f'<line x1="{LEFT}" x2="{RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#5b6b63" stroke-width="1.2"/>')
    index = {week: i for i, week in enumerate(weeks)}
    n = len(weeks)
    for (name, points), colour in zip(series, colours, strict=False):
        coords = [f"{_x(index[w], n):.1f},{_y(v, 0.0, high):.1f}" for w, v in points if w in index]
        if len(coords) > 1:
            parts.append(
                f'<polyline points="{" ".join(coords)}" fill="none" stroke="{colour}" stroke-width="1.8">'
                f"<title>{escape(name)}</title></polyline>"
            )
        for coord in coords[-1:]:
            cx, cy = coord.split(",")
            parts.append(f'<circle cx="{cx}" cy="{cy}" r="2.5" fill="{colour}"/>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _top(values: Sequence[float], least: float = 2.0) -> float:
    """The chart's top: at least `least` (200% of the fair share), up to the next half."""
    return max([least, *[float(int(v * 2) + 1) / 2 for v in values]])


def charts(report: PublicReport) -> dict[str, Markup]:
    """The page's pictures, their titles and tick labels in the report's language."""
    language = report.language
    weeks = [w.week for w in report.weeks]

    def number(value: float) -> str:
        return formatting.number(value, language)

    def percent(value: float) -> str:
        return formatting.percent(value, language)

    made = {
        "desirability": band_chart(
            i18n.gettext(language, "How pleasant each member's work was, week by week (1 to 10)"),
            weeks,
            [w.desirability for w in report.weeks],
            [w.average[0] if w.desirability else None for w in report.weeks],
            1,
            10,
            [1, 4, 7, 10],
            number,
        ),
        "empowerment": band_chart(
            i18n.gettext(language, "How empowering each member's work was, week by week (1 to 10)"),
            weeks,
            [w.empowerment for w in report.weeks],
            [w.average[1] if w.empowerment else None for w in report.weeks],
            1,
            10,
            [1, 4, 7, 10],
            number,
        ),
    }
    titles = (
        i18n.gettext(language, "Hours: lowest and highest member, % of their fair share, week by week"),
        i18n.gettext(language, "Unpleasant work: lowest and highest member, % of their fair share, week by week"),
        i18n.gettext(language, "Empowering work: lowest and highest member, % of their fair share, week by week"),
    )
    for index, key in enumerate(("hours", "unpleasant", "empowering")):
        bands = [w.shares[index] for w in report.weeks]
        top = _top([b[1] for b in bands if b])
        made[key] = band_chart(
            titles[index], weeks, bands, [1.0 if b else None for b in bands], 0, top, [0, 1, top], percent
        )
    rotation = [(p.label, list(p.running)) for p in report.people]
    made["rotation"] = lines_chart(
        i18n.gettext(language, "Each member's unpleasant work so far, % of their fair share so far"),
        weeks,
        rotation,
        [COLOURS[i % len(COLOURS)] for i in range(len(rotation))],
        percent,
    )
    return made


def render_page(report: PublicReport) -> str:
    """The organization's page, in its language (`report.language`)."""
    legend: list[tuple[Person, str]] = [(p, COLOURS[i % len(COLOURS)]) for i, p in enumerate(report.people)]
    return (
        _environment(report.language)
        .get_template("report.html")
        .render(
            report=report,
            latest=report.latest,
            charts=charts(report),
            legend=legend,
            first_label=anonymous_label(0, report.language),
            second_label=anonymous_label(1, report.language),
            style=Markup(STYLE),
        )
    )


def render_index(entries: Sequence[tuple[str, str]], language: str = i18n.SOURCE_LANGUAGE) -> str:
    """`entries`: (organization name, relative link)."""
    return _environment(language).get_template("index.html").render(entries=entries, style=Markup(STYLE))


MANIFEST = ".parecon-rota-report.json"  # in the report's folder: the pages this bot wrote, by organization


def _write(path: Path, text: str, mode: int) -> None:
    """Write atomically: a web server never serves half a page."""
    make_dirs(path.parent, folder_mode(mode))
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")  # created 0600
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(text)
    os.chmod(temporary, mode)
    os.replace(temporary, path)


def _read_manifest(out: Path) -> dict[str, str]:
    """Organization id -> the page written for it (relative to `out`); nothing else in `out` is ours."""
    try:
        pages = json.loads((out / MANIFEST).read_text(encoding="utf-8")).get("pages", {})
    except (OSError, ValueError, AttributeError):
        return {}
    return {str(k): str(v) for k, v in pages.items()} if isinstance(pages, dict) else {}


def write_site(
    out: Path,
    reports: Sequence[tuple[int, PublicReport]],
    listed: Sequence[tuple[int, str]],
    withdrawn: Sequence[int] = (),
    mode: int = PRIVATE_FILE,
    index_language: str = i18n.SOURCE_LANGUAGE,
) -> list[Path]:
    """Write each report's page and the index of `listed` (id, name: every organization publishing).
    The pages of `withdrawn` organizations (no longer publishing) and of earlier names are removed,
    so nothing stays public that should not; only pages this bot wrote (its manifest in `out` lists
    them) are ever removed. Files get `mode` (owner-only unless REPORT_FILE_MODE says otherwise).
    Each page is in its organization's language; the index in `index_language`. Returns the pages
    written."""
    written = []
    manifest = _read_manifest(out)
    for org_id, report in reports:
        page = out / slug(report.name, org_id) / "index.html"
        _remove_page(out, manifest, org_id, keep=page)
        _write(page, render_page(report), mode)
        manifest[str(org_id)] = page.relative_to(out).as_posix()
        _write(out / MANIFEST, json.dumps({"pages": manifest}, indent=1, sort_keys=True), mode)
        written.append(page)
    for org_id in withdrawn:
        _remove_page(out, manifest, org_id, keep=None)
    entries = [(name, f"{slug(name, org_id)}/index.html") for org_id, name in listed]
    _write(out / "index.html", render_index(entries, index_language), mode)
    _write(out / MANIFEST, json.dumps({"pages": manifest}, indent=1, sort_keys=True), mode)
    written.append(out / "index.html")
    return written


def _remove_page(out: Path, manifest: dict[str, str], org_id: int, keep: Path | None) -> None:
    """The page this bot wrote for the organization, unless it is `keep` (and its folder, if empty)."""
    recorded = manifest.get(str(org_id))
    if recorded is None:
        return
    page = out / recorded
    if page == keep:
        return
    manifest.pop(str(org_id))
    if page.resolve().is_relative_to(out.resolve()) and page.is_file():
        page.unlink()
        with contextlib.suppress(OSError):
            page.parent.rmdir()
