"""The balance chart posted with each rota: every member's average desirability and empowerment
against the organization's average, so anyone can see the balance at a glance."""

from __future__ import annotations

import io
from collections.abc import Sequence


def balance_chart(points: Sequence[tuple[str, float, float]], average: tuple[float, float], title: str) -> bytes:
    """PNG bytes. `points` are (label, average desirability, average empowerment) per member."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    figure, axes = plt.subplots(figsize=(7, 5), dpi=100)
    try:
        xs = [p[1] for p in points]
        ys = [p[2] for p in points]
        axes.scatter(xs, ys, s=36, color="#2e7d32", alpha=0.8, label="members")
        axes.axvline(average[0], color="#555", linestyle="--", linewidth=1)
        axes.axhline(average[1], color="#555", linestyle="--", linewidth=1, label="organization average")
        if len(points) <= 30:
            for label, x, y in points:
                axes.annotate(label[:14], (x, y), textcoords="offset points", xytext=(4, 4), fontsize=7)
        axes.set_xlim(1, 10)
        axes.set_ylim(1, 10)
        axes.set_xlabel("average desirability of my work (1 dreadful – 10 delightful)")
        axes.set_ylabel("average empowerment (1 none – 10 a great deal)")
        axes.set_title(title)
        axes.legend(loc="lower right", fontsize=8)
        axes.grid(alpha=0.2)
        buffer = io.BytesIO()
        figure.tight_layout()
        figure.savefig(buffer, format="png")
        return buffer.getvalue()
    finally:
        plt.close(figure)
