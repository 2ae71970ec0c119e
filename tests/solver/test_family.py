"""The family's organizations at set times: the shapes of real weeks, deterministic, always solvable."""

from __future__ import annotations

from pathlib import Path

from bot.domain.planner import parse_members, parse_tasks
from bot.domain.solver.family import organization, write
from bot.domain.solver.timed import parse_windows
from bot.runtime.bench import violations


def test_without_times_the_organization_is_what_it_was(tmp_path: Path) -> None:
    plain, zero = organization(34, 135, 11, away=2), organization(34, 135, 11, away=2, timed=0, windows=0)
    assert plain == zero
    assert not any(t.timed for t in plain.tasks) and all(m.windows is None for m in plain.members)
    write(tmp_path, plain)
    assert (tmp_path / "tasks.csv").read_text().splitlines()[0].endswith(",empowerment")


def test_times_and_windows_have_the_shapes_of_real_weeks(tmp_path: Path) -> None:
    org = organization(40, 160, 5, timed=0.4, windows=0.5)
    assert org == organization(40, 160, 5, timed=0.4, windows=0.5)  # deterministic
    timed = [t for t in org.tasks if t.timed]
    assert 0.3 * 160 <= len(timed) <= round(0.4 * 160)  # a few too big for the organization stay flexible
    by_kind = {t.name.split(",")[0]: t for t in timed}
    if "night watch" in by_kind:
        assert by_kind["night watch"].start in (22 * 60, 23 * 60)
    meetings = [t for t in timed if t.name.startswith(("chairing the assembly", "taking minutes", "childcare at"))]
    evenings = {(t.day, t.start) for t in meetings if t.hours < 8}
    assert len(evenings) < len(meetings)  # the chair, the minutes and the childcare clash
    with_windows = [m for m in org.members if m.windows is not None]
    active = [m for m in org.members if m.active]
    assert len(with_windows) == round(0.5 * len(active))
    # the files say the same, and the planner reads them back
    write(tmp_path, org)
    tasks, _ = parse_tasks((tmp_path / "tasks.csv").read_text())
    assert tasks == org.tasks
    members = parse_members((tmp_path / "members.csv").read_text(), week="2026-W50")
    assert [m.windows for m in members] == [m.windows for m in org.members]
    assert parse_windows("sat") is not None


def test_a_valid_plan_exists_and_the_solver_finds_one() -> None:
    from bot.domain.solver import Problem, solve

    for seed in (1, 2):
        org = organization(12, 40, seed, timed=0.5, windows=0.6)
        plan = solve(Problem(org.tasks, org.members), time_limit=1.0, seed=0)
        assert violations(org.tasks, org.members, plan.pieces) == []
