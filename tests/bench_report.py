"""How long building and rendering one organization's public report takes (it is rewritten after
every publication): 52 weeks x N members, random figures. `python -m tests.bench_report 100`."""

import random
import sys
import time
from datetime import date

from bot.domain.report import MemberFigures, Report
from bot.render.public_report import WeekInput, build
from bot.render.site import render_page

n = int(sys.argv[1]) if len(sys.argv) > 1 else 100
rng = random.Random(1)
weeks = []
for w in range(1, 53):
    members = tuple(
        MemberFigures(
            f"m{i}", 10.0, 1.0, 5.5, 5.5, 10.0, (10.0, 40.0, 50.0), tuple(rng.uniform(0.7, 1.3) for _ in range(3))
        )
        for i in range(n)
    )
    weeks.append(
        WeekInput(f"2026-W{w:02d}", Report(0.5, members, (2, 9), (2, 9), (5.5, 5.5)), {i: 10.0 for i in range(n)})
    )
start = time.perf_counter()
report = build("Org", ["Goal"], weeks, {i: None for i in range(n)}, [], date(2026, 12, 31))
html = render_page(report)
print(f"{n} members x 52 weeks: {time.perf_counter() - start:.2f} s, page {len(html) / 1024:.0f} KiB")
