"""The public fairness report as a static site: plain HTML and CSS with inline SVG charts, no
scripts, no tracking and nothing loaded from elsewhere, readable on a phone. Renders what
`bot.render.public_report` computed; templates are autoescaped, and the charts escape every text they draw.

Layout: `index.html` lists the organizations; each has `<slug>/index.html`.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import tempfile
from collections.abc import Sequence
from pathlib import Path

from jinja2 import Environment, select_autoescape
from markupsafe import Markup, escape

from bot.domain.files import PRIVATE_FILE, folder_mode, make_dirs
from bot.render.public_report import Person, PublicReport

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
@media (max-width: 36rem) {  /* a phone: each row becomes a small card of labelled figures */
  table, tbody, tr, td { display: block; width: 100%; }
  thead { display: none; }
  tr { border-bottom: 1px solid var(--rule); padding: .3rem 0; }
  td, td.n { border: 0; padding: .1rem 0; text-align: left; display: flex; justify-content: space-between; gap: 1rem; }
  td:first-child { font-weight: 600; }
  td.words { display: block; color: var(--ink); }
  td[data-label]::before { content: attr(data-label); color: var(--muted); }
}
.legend { list-style: none; padding: 0; margin: .25rem 0 0; display: flex; flex-wrap: wrap; gap: .25rem .9rem;
  font-size: .85rem; }
.swatch { display: inline-block; width: .8rem; height: .8rem; border-radius: .2rem; margin-right: .3rem;
  vertical-align: -.1rem; }
footer { margin: 2rem 0 1rem; color: var(--muted); font-size: .85rem; }
a { color: #15603f; }
"""

PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>{{ report.name }}: how we share our work</title>
<style>{{ style }}</style>
</head>
<body>
<main>
<p class="muted"><a href="../index.html">All organizations</a></p>
<h1>{{ report.name }}</h1>
<p>How this organization shares its work, week by week: who does how many hours, and whether the
unpleasant and the empowering work go round fairly. Each member's <b>fair share</b> is their part of
the week's work by the hours they offered: 100% is exactly fair.</p>
{% if report.goals %}
<h2>Our goals</h2>
<ul>{% for goal in report.goals %}<li>{{ goal }}</li>{% endfor %}</ul>
{% endif %}
{% if latest %}
<h2>The latest week ({{ latest.week }})</h2>
<div class="cards">
  <div class="card">
<b>{{ latest.members }}</b>members with work</div>
  <div class="card">
<b>{{ hours(latest.hours) }} h</b>of work shared</div>
  <div class="card wide">{{ sentence(latest.words) }}</div>
</div>
<h2>Week by week</h2>
{% if report.has_shares %}
<figure>{{ charts.unpleasant }}<figcaption>Unpleasant work: the band runs from the member with the least to the one
with the most, as a % of their fair share. A narrow band around 100% is fair.</figcaption></figure>
<figure>{{ charts.empowering }}<figcaption>Empowering work (skills, information, say over decisions), the same
way.</figcaption></figure>
<figure>{{ charts.hours }}<figcaption>Hours, the same way: 100% is each member's fair part of the week's hours.
</figcaption></figure>
{% else %}
<figure>{{ charts.desirability }}<figcaption>How pleasant each member's work was on average (1–10): the band runs
from the member with the least pleasant work to the one with the most; the line is the organization's average.
A narrow band is fair.</figcaption></figure>
<figure>{{ charts.empowerment }}<figcaption>How empowering each member's work was (skills, information, say over
decisions), the same way.</figcaption></figure>
{% endif %}
{% if report.people %}
<h2>Over time: does it even out?</h2>
{% if report.has_shares %}
<figure>{{ charts.rotation }}<figcaption>For each member, the unpleasant work they have done so far as a % of their
fair share so far. Rotation should bring every line back towards 100%.</figcaption>
<ul class="legend">{% for person, colour in legend %}<li><span class="swatch" style="background:{{ colour }}"></span>
{{ person.label }}</li>{% endfor %}</ul>
</figure>
{% endif %}
<div class="scroll"><table>
<thead><tr><th>Member</th>
<th class="n">Weeks</th>
<th class="n">Hours</th>
{% if report.has_shares %}<th class="n">Hours</th>
<th class="n">Unpleasant work</th>
<th class="n">Empowering work</th>{% endif %}</tr></thead>
<tbody>{% for person in report.people %}
<tr>
<td>{{ person.label }}</td>
<td class="n" data-label="Weeks with work">{{ person.weeks }}</td>
<td class="n" data-label="Hours">{{ hours(person.hours) }}</td>
{% if report.has_shares %}<td class="n" data-label="Hours, % of fair share">{{ percent(person.share, 0) }}</td>
<td class="n" data-label="Unpleasant work, % of fair share">{{ percent(person.share, 1) }}</td>
<td class="n" data-label="Empowering work, % of fair share">{{ percent(person.share, 2) }}</td>{% endif %}</tr>
{% endfor %}</tbody></table></div>
<p class="muted">Members are shown as "Member A", "Member B"… (most hours first) unless they chose to be named.
{% if report.has_shares %}The % columns are over all the weeks: 100% is exactly their fair share.{% endif %}</p>
{% endif %}
<h2>The weeks</h2>
<div class="scroll"><table>
<thead><tr><th>Week</th>
<th class="n">Members with work</th>
<th class="n">Hours</th>
<th>How fair</th></tr></thead>
<tbody>{% for week in report.weeks|reverse %}
<tr>
<td>{{ week.week }}</td>
<td class="n" data-label="Members with work">{{ week.members }}</td>
<td class="n" data-label="Hours">{{ hours(week.hours) }}</td>
<td class="words">{{ sentence(week.words) }}</td></tr>
{% endfor %}</tbody></table></div>
{% else %}
<p>No week has been published yet.</p>
{% endif %}
{% if report.events %}
<h2>Merges and departures</h2>
<ul>{% for event in report.events %}<li>{{ event.day.isoformat() }}: {{ event.text }}</li>{% endfor %}</ul>
{% endif %}
<footer>Written {{ report.generated.isoformat() }} by parecon-rota. This page has no scripts, no cookies and no
tracking, and loads nothing from anywhere else.</footer>
</main>
</body>
</html>
"""

INDEX = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>How we share our work</title>
<style>{{ style }}</style>
</head>
<body>
<main>
<h1>How we share our work</h1>
<p>Public reports of organizations that divide their work into balanced job complexes.</p>
<ul>{% for name, link in entries %}<li><a href="{{ link }}">{{ name }}</a></li>{% endfor %}</ul>
{% if not entries %}<p>No organization publishes its report yet.</p>{% endif %}
<footer>No scripts, no cookies, no tracking.</footer>
</main>
</body>
</html>
"""

_env = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
_env.globals.update(
    hours=lambda h: f"{h:g}" if abs(h) < 1e6 else f"{h:.0f}",
    signed=lambda v: f"{v:+.2f}",
    span=lambda r: "–" if r is None else f"{r[0]:.1f}–{r[1]:.1f}",
    percent=lambda share, i: "–" if share is None else f"{share[i]:.0%}",
    sentence=lambda words: (words[:1].upper() + words[1:] + ".") if words else "",
)


def slug(name: str, org_id: int) -> str:
    """A folder name for the organization: its name in plain letters, and its id (names may repeat)."""
    text = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:40] or "organization"
    return f"{text}-{org_id}"


def _x(index: int, count: int) -> float:
    return (LEFT + RIGHT) / 2 if count <= 1 else LEFT + index * (RIGHT - LEFT) / (count - 1)


def _y(value: float, low: float, high: float) -> float:
    span = (high - low) or 1.0
    return BOTTOM - (min(max(value, low), high) - low) * (BOTTOM - TOP) / span


def _frame(title: str, weeks: Sequence[str], low: float, high: float, ticks: Sequence[float], fmt: str) -> list[str]:
    parts = [
        f'<svg viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(title)}" '
        'xmlns="http://www.w3.org/2000/svg" font-family="system-ui, sans-serif" font-size="11">',
        f"<title>{escape(title)}</title>",
    ]
    for tick in ticks:
        y = _y(tick, low, high)
        parts.append(f'<line x1="{LEFT}" x2="{RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#dfe6e2"/>')
        label = "0" if tick == 0 else fmt.format(tick)
        parts.append(f'<text x="{LEFT - 4}" y="{y + 4:.1f}" text-anchor="end" fill="#5b6b63">{label}</text>')
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
    fmt: str = "{:g}",
) -> Markup:
    """A band (lowest to highest member) per week with a line (the fair share) through it."""
    parts = _frame(title, weeks, low, high, ticks, fmt)
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
    fmt: str = "{:g}",
    reference: float = 1.0,
) -> Markup:
    """One line per series over the weeks (a series may start later than the first week), with a
    reference line (100% of the fair share)."""
    values = [v for _, points in series for _, v in points]
    high = _top(values)
    parts = _frame(title, weeks, 0.0, high, [0.0, reference, high], fmt)
    y = _y(reference, 0.0, high)
    parts.append(f'<line x1="{LEFT}" x2="{RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#5b6b63" stroke-width="1.2"/>')
    index = {week: i for i, week in enumerate(weeks)}
    n = len(weeks)
    for (label, points), colour in zip(series, colours, strict=False):
        coords = [f"{_x(index[w], n):.1f},{_y(v, 0.0, high):.1f}" for w, v in points if w in index]
        if len(coords) > 1:
            parts.append(
                f'<polyline points="{" ".join(coords)}" fill="none" stroke="{colour}" stroke-width="1.8">'
                f"<title>{escape(label)}</title></polyline>"
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
    weeks = [w.week for w in report.weeks]
    made = {
        "desirability": band_chart(
            "How pleasant each member's work was, week by week (1 to 10)",
            weeks,
            [w.desirability for w in report.weeks],
            [w.average[0] if w.desirability else None for w in report.weeks],
            1,
            10,
            [1, 4, 7, 10],
        ),
        "empowerment": band_chart(
            "How empowering each member's work was, week by week (1 to 10)",
            weeks,
            [w.empowerment for w in report.weeks],
            [w.average[1] if w.empowerment else None for w in report.weeks],
            1,
            10,
            [1, 4, 7, 10],
        ),
    }
    titles = ("Hours", "Unpleasant work", "Empowering work")
    for index, key in enumerate(("hours", "unpleasant", "empowering")):
        bands = [w.shares[index] for w in report.weeks]
        top = _top([b[1] for b in bands if b])
        made[key] = band_chart(
            f"{titles[index]}: lowest and highest member, % of their fair share, week by week",
            weeks,
            bands,
            [1.0 if b else None for b in bands],
            0,
            top,
            [0, 1, top],
            "{:.0%}",
        )
    rotation = [(p.label, list(p.running)) for p in report.people]
    made["rotation"] = lines_chart(
        "Each member's unpleasant work so far, % of their fair share so far",
        weeks,
        rotation,
        [COLOURS[i % len(COLOURS)] for i in range(len(rotation))],
        "{:.0%}",
    )
    return made


def render_page(report: PublicReport) -> str:
    legend: list[tuple[Person, str]] = [(p, COLOURS[i % len(COLOURS)]) for i, p in enumerate(report.people)]
    return _env.from_string(PAGE).render(
        report=report, latest=report.latest, charts=charts(report), legend=legend, style=Markup(STYLE)
    )


def render_index(entries: Sequence[tuple[str, str]]) -> str:
    """`entries`: (organization name, relative link)."""
    return _env.from_string(INDEX).render(entries=entries, style=Markup(STYLE))


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
) -> list[Path]:
    """Write each report's page and the index of `listed` (id, name: every organization publishing).
    The pages of `withdrawn` organizations (no longer publishing) and of earlier names are removed,
    so nothing stays public that should not; only pages this bot wrote (its manifest in `out` lists
    them) are ever removed. Files get `mode` (owner-only unless REPORT_FILE_MODE says otherwise).
    Returns the pages written."""
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
    _write(out / "index.html", render_index(entries), mode)
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
