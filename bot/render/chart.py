"""The balance chart posted with each rota (and, with the member marked, in `/myjobs`): per member,
their hours, unpleasant work and empowering work as a share of their fair share (1.0 = fair), one
row each, sorted, so anyone can see at a glance who carries more or less and find themselves.

Drawn in a worker process (matplotlib is slow to import and to draw). Plain Python: no Discord."""

from __future__ import annotations

import io
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.i18n import SOURCE_LANGUAGE, gettext, ngettext, pgettext
from bot.i18n.formatting import percent

MAX_ROWS = 40  # more members than this: the extremes and the middle are shown, and the chart says so
EDGE_ROWS = 15  # shown at each end when there are too many
MIDDLE_ROWS = 10
X_MAX = 2.5  # ratios beyond are drawn at the edge with their value
SERIES = (  # (index in the ratios, label, colour, marker, nudge up or down so equal values stay visible)
    (1, "unpleasant work", "#c62828", "s", -0.14),
    (0, "hours", "#1565c0", "o", 0.0),
    (2, "empowering work", "#2e7d32", "D", 0.14),
)
Ratios = tuple[float, float, float]  # hours, unpleasant work, empowering work against the fair share


def _series(language: str) -> list[tuple[int, str, str, str, float]]:
    """`SERIES` with its labels in `language`, for the legend."""
    labels = {
        1: pgettext(language, "chart legend", "unpleasant work"),
        0: pgettext(language, "chart legend", "hours"),
        2: pgettext(language, "chart legend", "empowering work"),
    }
    return [(index, labels[index], colour, marker, nudge) for index, _, colour, marker, nudge in SERIES]


@dataclass(frozen=True)
class Gap:
    """Members left out between two shown rows."""

    count: int


def distinct(names: Mapping[str, str]) -> dict[str, str]:
    """Labels for the chart, one per member key: two members called "Sam" become "Sam" and "Sam 2"
    (in key order), so each row, and the one marked as yours, is one person."""
    seen: dict[str, int] = {}
    labels = {}
    for key in sorted(names, key=lambda k: (len(k), k)):  # "m9" before "m10": the older member first
        name = names[key]
        count = seen.get(name.lower(), 0) + 1
        seen[name.lower()] = count
        labels[key] = name if count == 1 else f"{name} {count}"
    return labels


def shown_rows(rows: Sequence[tuple[str, Ratios]], highlight: str | None) -> list[tuple[str, Ratios] | Gap]:
    """All rows when they fit; else the first and last `EDGE_ROWS`, `MIDDLE_ROWS` from the middle and
    the highlighted member wherever they are, with a `Gap` for each run left out."""
    if len(rows) <= MAX_ROWS:
        return list(rows)
    keep = set(range(EDGE_ROWS)) | set(range(len(rows) - EDGE_ROWS, len(rows)))
    middle = len(rows) // 2 - MIDDLE_ROWS // 2
    keep |= set(range(middle, middle + MIDDLE_ROWS))
    keep |= {i for i, (label, _) in enumerate(rows) if label == highlight}
    result: list[tuple[str, Ratios] | Gap] = []
    skipped = 0
    for index, row in enumerate(rows):
        if index in keep:
            if skipped:
                result.append(Gap(skipped))
                skipped = 0
            result.append(row)
        else:
            skipped += 1
    return result


def sorted_rows(points: Sequence[tuple[str, Ratios]]) -> list[tuple[str, Ratios]]:
    """Most unpleasant work (against the fair share) first, then most hours; names break ties."""
    return sorted(points, key=lambda p: (-p[1][1], -p[1][0], p[0].lower()))


def balance_chart(
    points: Sequence[tuple[str, Ratios]], title: str, highlight: str | None = None, language: str = SOURCE_LANGUAGE
) -> bytes:
    """PNG bytes. `points` are (name, ratios) per member; `highlight` is the name to mark (the member
    asking in `/myjobs`); the labels are in `language`."""
    import matplotlib

    matplotlib.use("Agg")

    # Names and titles are the members' and moderators' own words: drawn as typed, never as
    # mathtext (`$\\x$` would otherwise raise) nor TeX.
    with matplotlib.rc_context({"text.parse_math": False, "text.usetex": False}):
        return _draw(points, title, highlight, language)


def _draw(points: Sequence[tuple[str, Ratios]], title: str, highlight: str | None, language: str) -> bytes:
    from matplotlib import pyplot as plt
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    rows = shown_rows(sorted_rows(points), highlight)
    top = 1.05 + (0.25 if len(points) > MAX_ROWS else 0)  # inches above the plot: title, legend
    height = 1.95 + top + 0.34 * max(len(rows), 3)
    figure, axes = plt.subplots(figsize=(6.4, height), dpi=150)
    try:
        axes.axvspan(0.9, 1.1, color="#c8e6c9", alpha=0.6, zorder=1)
        axes.axvline(1.0, color="#222", linewidth=1.6, zorder=1)
        labels = []
        for y, row in enumerate(rows):
            if isinstance(row, Gap):
                labels.append(ngettext(language, "… {count} more …", "… {count} more …", row.count))
                axes.axhline(y, color="#bbb", linewidth=0.8, linestyle=":", zorder=0)
                continue
            name, ratios = row
            mine = name == highlight
            if mine:
                axes.axhspan(y - 0.5, y + 0.5, color="#fff59d", zorder=0.5)
            shown = [min(r, X_MAX) for r in ratios]
            axes.plot([min(shown), max(shown)], [y, y], color="#9e9e9e", linewidth=1.2, zorder=2)
            for index, _, colour, marker, nudge in SERIES:
                axes.scatter(shown[index], y + nudge, s=46 if not mine else 70, color=colour, marker=marker, zorder=3)
                if ratios[index] > X_MAX:
                    axes.annotate(
                        percent(ratios[index], language), (X_MAX, y + nudge), xytext=(-6, 0),
                        textcoords="offset points",
                        ha="right", va="center", fontsize=8, color=colour,
                    )  # fmt: skip
            short = name if len(name) <= 18 else name[:17] + "…"
            labels.append(gettext(language, "▶ {name} (you)", name=short) if mine else short)
        if not rows:  # a week stored before fair shares were kept
            empty = gettext(language, "No fair-share figures were kept for this week.")
            axes.text(0.5, 0.5, empty, ha="center", transform=axes.transAxes)
        axes.set_yticks(range(len(rows)), labels, fontsize=11 if len(rows) <= 25 else 9.5)
        for tick, row in zip(axes.get_yticklabels(), rows, strict=True):
            if isinstance(row, Gap):
                tick.set_color("#777")
                tick.set_fontstyle("italic")
            elif row[0] == highlight:
                tick.set_fontweight("bold")
        axes.set_ylim(len(rows) - 0.5, -0.5)  # first row on top
        highest = max((r for _, ratios in points for r in ratios), default=1.0)
        right = min(X_MAX, max(1.5, math.ceil(highest * 2) / 2))  # 150% at least, in steps of 50%
        axes.set_xlim(0, right + 0.05)
        ticks = [t / 2 for t in range(int(right * 2) + 1)]
        fair = gettext(language, "{pct}\nfair", pct=percent(1.0, language))
        axes.set_xticks(ticks, [percent(t, language) if t != 1.0 else fair for t in ticks], fontsize=10)
        axes.set_xlabel(gettext(language, "each member's work as a % of their fair share"), fontsize=10)
        axes.grid(axis="x", alpha=0.25)
        axes.spines[["top", "right"]].set_visible(False)
        handles: list[Line2D | Patch] = [
            Line2D([], [], color=colour, marker=marker, linestyle="", markersize=7, label=label)
            for _, label, colour, marker, _ in _series(language)
        ]
        if highlight is not None:
            handles.append(Patch(color="#fff59d", label=pgettext(language, "chart legend", "you")))
        figure.legend(
            handles=handles, loc="upper center", ncol=len(handles), fontsize=10, frameon=False,
            bbox_to_anchor=(0.5, 1 - (top - 0.43) / height), handletextpad=0.2, columnspacing=1.0,
        )  # fmt: skip
        lines = [
            title,
            gettext(
                language, "most unpleasant work on top · green band: within {pct} of fair", pct=percent(0.1, language)
            ),
        ]
        if len(points) > MAX_ROWS:
            lines.append(
                ngettext(
                    language,
                    "{count} member: those at the top, the middle and the bottom",
                    "{count} members: those at the top, the middle and the bottom",
                    len(points),
                )
            )
        figure.suptitle("\n".join(lines), fontsize=12, y=1 - 0.08 / height, va="top")
        figure.subplots_adjust(left=0.31, right=0.97, top=1 - top / height, bottom=0.95 / height)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
        return buffer.getvalue()
    finally:
        plt.close(figure)
