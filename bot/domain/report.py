"""The balance report stored with each week's rota (as JSON in `rota.report`), read back by `/rota`,
the post and the chart for as long as the week is kept.

It is the bot's own contract, not the solver's: a renamed solver field must not break past weeks.
`schema_version` says which shape a stored report has; `Report.from_json` reads every shape ever
stored. Version 1 (no `schema_version` key) was `asdict(Balance)` plus a few extras.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

from bot.domain.solver import Plan

SCHEMA_VERSION = 3  # 3 added each member's availability, fair share and ratios (older reports lack them)
NEUTRAL_AVERAGE = (5.5, 5.5)  # the midpoint of the 1–10 scales, when no work was rated


@dataclass(frozen=True)
class MemberFigures:
    member: str  # the solver key (see `bot.domain.solver_ids`)
    hours: float
    hours_share: float  # hours held / hours available
    average_desirability: float | None  # None: no work this week
    average_empowerment: float | None
    available: float | None = None  # hours available this week (None: a report before version 3)
    fair: tuple[float, float, float] | None = None  # their slice of the week's hours, unpleasant and empowering work
    ratio: tuple[float, float, float] | None = None  # hours, unpleasant, empowering work / fair share
    past: tuple[float, float, float] | None = None  # the same over the last weeks, as the solver carried it


@dataclass(frozen=True)
class Report:
    spread_sum: float
    members: tuple[MemberFigures, ...]
    desirability_range: tuple[float, float] | None
    empowerment_range: tuple[float, float] | None
    average: tuple[float, float]  # the organization's average (desirability, empowerment)
    method: str = ""
    seconds: float = 0.0
    overload: float = 0.0  # how far the work exceeds everyone's hours (0.1 = 10 % over)
    flagged: int = 0  # tasks with too few ratings, counted as neutral
    schema_version: int = SCHEMA_VERSION

    @classmethod
    def from_plan(cls, plan: Plan, flagged: int, past: dict[str, tuple[float, float, float]] | None = None) -> Report:
        """`past`: each member's (by solver key) ratios over the last weeks, which the solve balanced against."""
        past = past or {}
        available = plan.balance.available_hours
        # Every piece is held by someone, so the members' loads add up to the week's work.
        totals = (
            sum(m.hours for m in plan.balance.members),
            sum(m.unpleasantness for m in plan.balance.members),
            sum(m.empowerment for m in plan.balance.members),
        )
        rows = plan.balance.members
        hours = sum(m.hours for m in rows) or 1.0
        unpleasant = sum(m.unpleasantness for m in rows)
        empowering = sum(m.empowerment for m in rows)
        return cls(
            spread_sum=plan.balance.spread_sum,
            members=tuple(
                MemberFigures(
                    m.member,
                    m.hours,
                    m.hours_share,
                    m.average_desirability,
                    m.average_empowerment,
                    available=m.available,
                    fair=_fair(m.available / available if available else 0.0, totals),
                    ratio=(m.ratio[0], m.ratio[1], m.ratio[2]),
                    past=_triple(past.get(m.member)),
                )
                for m in rows
            ),
            desirability_range=plan.balance.desirability_range,
            empowerment_range=plan.balance.empowerment_range,
            average=(round(11 - unpleasant / hours, 2), round(empowering / hours, 2)),
            method=plan.method,
            seconds=plan.seconds,
            overload=plan.overload,
            flagged=flagged,
        )

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> Report:
        data = json.loads(text)
        version = data.get("schema_version", 1)
        if version > SCHEMA_VERSION:
            raise ValueError(f"report schema {version} is newer than this bot ({SCHEMA_VERSION})")
        return cls(
            spread_sum=float(data["spread_sum"]),
            members=tuple(_member(m) for m in data.get("members", [])),
            desirability_range=_pair(data.get("desirability_range")),
            empowerment_range=_pair(data.get("empowerment_range")),
            average=_pair(data.get("average")) or NEUTRAL_AVERAGE,
            method=data.get("method", ""),
            seconds=float(data.get("seconds", 0.0)),
            overload=float(data.get("overload") or 0.0),
            flagged=int(data.get("flagged") or 0),
        )

    @property
    def working(self) -> tuple[MemberFigures, ...]:
        """Members who hold any work this week."""
        return tuple(m for m in self.members if m.hours > 0)


def _member(data: dict[str, Any]) -> MemberFigures:
    # Version 1 stored every `MemberBalance` field (its `ratio` too); versions 1 and 2 lack the rest.
    return MemberFigures(
        member=data["member"],
        hours=float(data["hours"]),
        hours_share=float(data.get("hours_share", 0.0)),
        average_desirability=data.get("average_desirability"),
        average_empowerment=data.get("average_empowerment"),
        available=None if data.get("available") is None else float(data["available"]),
        fair=_triple(data.get("fair")),
        ratio=_triple(data.get("ratio")),
        past=_triple(data.get("past")),
    )


def _fair(part: float, totals: tuple[float, float, float]) -> tuple[float, float, float]:
    return (round(part * totals[0], 4), round(part * totals[1], 4), round(part * totals[2], 4))


def _triple(value: Any) -> tuple[float, float, float] | None:
    if not value or isinstance(value, dict) or len(value) != 3:
        return None
    return (float(value[0]), float(value[1]), float(value[2]))


def _pair(value: Any) -> tuple[float, float] | None:
    return None if not value else (float(value[0]), float(value[1]))
