"""How merge votes look in Discord: the vote message, the result, the status list."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import discord

from bot.app.merges import ProposalStatus, VoteCast
from bot.app.ports import SideFacts, VoteClosed, VoteEnd, VotePostContent, VoteReminder, VoteWithdrawn
from bot.domain.solver.model import hours_text
from bot.domain.votes import Side
from cogs.common import clip, literal

if TYPE_CHECKING:
    from bot.app.ports import OrgFacts, ProposalFacts


def vote_embed(content: VotePostContent) -> discord.Embed:
    if content.proposal.kind == "leave":
        return leave_embed(content)
    proposal, here, there = content.proposal, content.here, content.there
    embed = discord.Embed(
        title=clip(f"Merge vote #{proposal.id}: join {literal(there.org.name)}?", 256), colour=discord.Colour.gold()
    )
    embed.description = clip(
        f"**{literal(proposal.name)}** would be a new organization on equal terms: both task lists, both "
        f"memberships and both sets of goals, one weekly rota over everyone, posted on both servers.\n\n"
        f"**{literal(there.org.name)}**: {there.members} members, {hours_text(there.task_hours)} h of tasks a week. "
        "Goals: " + ("; ".join(there.goals) or "none listed") + "\n\n" + rules_text(proposal, here, there),
        4096,
    )
    dry = proposal_dry_run(proposal)
    if pooled := pooled_text(dry.get("pooled")):
        embed.add_field(name="The pooled tasks", value=clip(pooled, 1024), inline=False)
    for side in (here, there):
        summary = dry.get(str(side.org.id))
        if summary:
            embed.add_field(
                name=clip(f"Dry run for {literal(side.org.name)}'s members", 256),
                value=clip(dry_text(summary), 1024),
                inline=False,
            )
    embed.set_footer(
        text=f"Votes are secret: only totals are shown. Vote with the buttons or /vote proposal:{proposal.id}."
        + (f"\n{content.marker}" if content.marker else "")
    )
    return embed


def proposal_dry_run(proposal: ProposalFacts) -> dict[str, Any]:
    return json.loads(proposal.dry_run)


def dry_text(summary: dict[str, Any]) -> str:
    def show(part: dict[str, Any] | None) -> str:
        if not part:
            return "no tasks"
        if part["desirability"] is None:
            return f"{hours_text(part['hours'])} h"
        return (
            f"{hours_text(part['hours'])} h, desirability {part['desirability']:.1f}, "
            f"empowerment {part['empowerment']:.1f}"
        )

    return f"per member now: {show(summary['before'])}\nper member merged: {show(summary['after'])}"


def pooled_text(pooled: dict[str, Any] | None) -> str:
    """What the dry run says about the pooled task list: the tasks renamed, how much is unrated."""
    if not pooled:
        return ""  # a vote opened before the dry run said it
    lines = []
    if renamed := pooled.get("renamed"):
        by_name: dict[str, list[str]] = {}
        for old, new in renamed:
            by_name.setdefault(old.lower(), []).append(new)
        pairs = [" and ".join(f"**{literal(n)}**" for n in names) for names in by_name.values()]
        lines.append("Both sides have a task of the same name, so each gets its origin: " + "; ".join(pairs) + ".")
    hours, unrated = pooled.get("hours") or 0, pooled.get("unrated_hours") or 0
    if unrated:
        lines.append(
            f"{hours_text(unrated)} h of the {hours_text(hours)} h of pooled work a week "
            f"({pooled.get('unrated_tasks', 0)} task(s)) is not rated yet: it counts as a neutral 5.5 "
            "(neither pleasant nor unpleasant) in the figures below until members rate it with `/rate`."
        )
    else:
        lines.append("Every pooled task is rated, so the figures below use members' own ratings.")
    return "\n".join(lines)


def rules_text(proposal: ProposalFacts, here: SideFacts, there: SideFacts) -> str:
    def rule(org: OrgFacts, quorum: int, threshold: int, electorate: int) -> str:
        return (
            f"**{literal(org.name)}**: {quorum}% of its {electorate} members must vote, "
            f"{threshold}% yes of yes+no to pass"
        )

    first, second = (here, there) if here.org.id == proposal.proposer_org_id else (there, here)
    return "\n".join(
        [
            "Both sides must pass:",
            rule(first.org, proposal.proposer_quorum, proposal.proposer_threshold, proposal.proposer_electorate),
            rule(second.org, proposal.other_quorum, proposal.other_threshold, proposal.other_electorate),
            f"Voting closes {discord.utils.format_dt(proposal.closes_at, 'F')} "
            f"({discord.utils.format_dt(proposal.closes_at, 'R')}), or earlier once the outcome cannot change.",
        ]
    )


def leave_embed(content: VotePostContent) -> discord.Embed:
    """The vote of one side of a federation on leaving it (posted on that side's servers)."""
    proposal, federation, side = content.proposal, content.here, content.there
    embed = discord.Embed(
        title=clip(f"Vote #{proposal.id}: should {literal(side.org.name)} leave {literal(federation.org.name)}?", 256),
        colour=discord.Colour.gold(),
    )
    embed.description = clip(
        f"If the members who came from **{literal(side.org.name)}** vote to leave, "
        f"**{literal(side.org.name)}** becomes its own "
        f"organization again, with this server's rota channel, the tasks and goals it brought "
        f"({hours_text(side.task_hours)} h of tasks a week; goals: {'; '.join(side.goals) or 'none listed'}), "
        f"its {side.members} members with their ratings, and its history: past rotas stay readable on both sides. "
        f"The rest of **{literal(federation.org.name)}** carries on as it is. "
        "Someone who was in both organizations before "
        "the merge stays in both.\n\n"
        f"Only the members who came from **{literal(side.org.name)}** vote: {proposal.proposer_quorum}% of its "
        f"{proposal.proposer_electorate} members must vote, and {proposal.proposer_threshold}% yes of yes+no "
        "to pass. "
        f"Voting closes {discord.utils.format_dt(proposal.closes_at, 'F')} "
        f"({discord.utils.format_dt(proposal.closes_at, 'R')}), or earlier once everyone has voted.",
        4096,
    )
    embed.set_footer(
        text=f"Votes are secret: only totals are shown. Vote with the buttons or /vote proposal:{proposal.id}."
        + (f"\n{content.marker}" if content.marker else "")
    )
    return embed


def leave_result_text(closed: VoteClosed) -> str:
    (federation, side), (votes, _) = closed.names, closed.sides
    verdict = "passed" if votes.passes() else f"failed: {votes.why_not()}"
    counts = (
        f"**{literal(side)}**: {votes.yes} yes, {votes.no} no, {votes.abstain} abstain of {votes.electorate} "
        f"({votes.turnout:.0%} turnout): {verdict}"
    )
    if closed.merged_name:
        tail = (
            f"**{literal(side)}** has left **{literal(federation)}** and is its own organization "
            "again, with its tasks, goals and "
            f"members. **{literal(federation)}** carries on with everyone else. "
            "Past rotas stay readable on both sides; "
            "a member of both stays in both."
        )
    else:
        tail = f"**{literal(side)}** stays in **{literal(federation)}**; nothing changes."
    return "\n".join([f"Vote #{closed.proposal.id} on leaving is closed.", counts, tail])


def result_text(closed: VoteClosed) -> str:
    if closed.proposal.kind == "leave":
        return leave_result_text(closed)

    def line(name: str, side: Side) -> str:
        verdict = "passed" if side.passes() else f"failed: {side.why_not()}"
        return (
            f"**{literal(name)}**: {side.yes} yes, {side.no} no, {side.abstain} abstain of {side.electorate} "
            f"({side.turnout:.0%} turnout): {verdict}"
        )

    head = f"Merge vote #{closed.proposal.id} is closed."
    if closed.merged_name:
        tail = (
            f"Both sides passed: **{literal(closed.merged_name)}** now pools both task lists, "
            "memberships and goals. Members: "
            "please `/rate` the tasks that are new to you; until you do, the members who know them rate them."
        )
    else:
        tail = "The merge does not happen; both organizations carry on as before."
    (first, second), (a, b) = closed.names, closed.sides
    return "\n".join([head, line(first, a), line(second, b), tail])


def end_text(end: VoteEnd) -> str:
    if isinstance(end, VoteWithdrawn):
        return (
            f"Merge vote #{end.proposal_id} was withdrawn by a moderator of **{literal(end.by_org)}**. Nothing changes."
        )
    return result_text(end)


def vote_cast_text(cast: VoteCast) -> str:
    changed = f" (was {cast.previous})" if cast.previous and cast.previous != cast.choice else ""
    return (
        f"Your vote on #{cast.proposal_id} for **{literal(cast.org_name)}**: **{cast.choice}**{changed}. "
        "Only you can see it; "
        f"you can change it until {discord.utils.format_dt(cast.closes_at, 'f')}."
    )


def status_embed(found: list[ProposalStatus]) -> discord.Embed:
    lines = []
    for item in found:
        proposal, (a, b) = item.proposal, item.sides
        first, second = (literal(n) for n in item.names)
        head = f"**#{proposal.id}** {first} + {second} → {literal(proposal.name)}: **{proposal.status}**"
        if proposal.kind == "leave":  # only the leaving side votes
            head = f"**#{proposal.id}** {literal(second)} leaving {literal(first)}: **{proposal.status}**"
            detail = (
                f"{a.cast}/{a.electorate} voted"
                if proposal.status == "open"
                else f"{a.yes}/{a.no}/{a.abstain} (yes/no/abstain)"
            )
            lines.append(f"{head}\n{second}: {detail}" if proposal.status != "cancelled" else head)
            continue
        if proposal.status == "open":
            turnout = (
                f"{first} {a.cast}/{a.electorate} voted, {second} {b.cast}/{b.electorate} "
                f"voted; closes {discord.utils.format_dt(proposal.closes_at, 'R')}"
            )
            yours = f"; your vote: {item.mine}" if item.mine else ""
            lines.append(f"{head}\n{turnout}{yours}")
        elif proposal.status in ("passed", "failed"):
            lines.append(
                f"{head}\n{first}: {a.yes}/{a.no}/{a.abstain} (yes/no/abstain); {second}: {b.yes}/{b.no}/{b.abstain}"
            )
        else:
            lines.append(head)
    return discord.Embed(title="Merge votes", description=clip("\n\n".join(lines) or "None yet.", 4096))


def vote_reminder_text(reminder: VoteReminder) -> str:
    closes = f"{discord.utils.format_dt(reminder.closes_at, 'f')} ({discord.utils.format_dt(reminder.closes_at, 'R')})"
    return (
        f"🗳️ The merge vote #{reminder.proposal_id} on **{literal(clip(reminder.name, 100))}** closes {closes}. "
        "Vote with the buttons on its message (`/merge status` shows it). You have not voted yet:\n"
    )
