"""How merge votes look in Discord: the vote message, the result, the status list.

The vote message, the reminder and the result are in the language of the organization whose channel
they go to; a private answer (a vote cast, `/merge status`) in the reader's (`language`)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import discord

from bot.app.decisions import choice_word
from bot.app.merges import ProposalStatus, VoteCast
from bot.app.ports import SideFacts, VoteClosed, VoteEnd, VotePostContent, VoteReminder, VoteWithdrawn
from bot.domain.votes import Side
from bot.i18n import SOURCE_LANGUAGE, gettext, ngettext, pgettext
from bot.i18n.formatting import format_list, number, percent
from cogs.common import clip, literal
from cogs.decisions.render import when  # `when`: the client shows it in its language

if TYPE_CHECKING:
    from bot.app.ports import OrgFacts, ProposalFacts


def hours(value: float | Decimal, language: str) -> str:
    """Hours the language's way: `1.5` in English, `1,5` in German and Spanish (the ` h` is the sentence's)."""
    return number(value, language)


def goals_text(goals: Sequence[str], language: str) -> str:
    return "; ".join(goals) or gettext(language, "none listed")


def footer_text(proposal_id: int, marker: str, language: str) -> str:
    footer = gettext(
        language,
        "Votes are secret: only totals are shown. Vote with the buttons or /vote proposal:{id}.",
        id=proposal_id,
    )
    return footer + (f"\n{marker}" if marker else "")


def vote_embed(content: VotePostContent) -> discord.Embed:
    """The vote message, in the language of the organization whose members vote on that server."""
    if content.proposal.kind == "leave":
        return leave_embed(content)
    proposal, here, there = content.proposal, content.here, content.there
    language = here.org.language
    title = gettext(language, "Merge vote #{id}: join {org}?", id=proposal.id, org=literal(there.org.name))
    embed = discord.Embed(title=clip(title, 256), colour=discord.Colour.gold())
    intro = gettext(
        language,
        "**{name}** would be a new organization on equal terms: both task lists, both memberships and both sets of "
        "goals, one weekly rota over everyone, posted on both servers.",
        name=literal(proposal.name),
    )
    other = ngettext(
        language,
        "**{org}**: {count} member, {hours} h of tasks a week. Goals: {goals}",
        "**{org}**: {count} members, {hours} h of tasks a week. Goals: {goals}",
        there.members,
        org=literal(there.org.name),
        hours=hours(there.task_hours, language),
        goals=goals_text(there.goals, language),
    )
    embed.description = clip(
        "\n\n".join([intro, other, rules_text(proposal, here, there, language)]),
        4096,
    )
    dry = proposal_dry_run(proposal)
    if pooled := pooled_text(dry.get("pooled"), language):
        embed.add_field(name=gettext(language, "The pooled tasks"), value=clip(pooled, 1024), inline=False)
    for side in (here, there):
        summary = dry.get(str(side.org.id))
        if summary:
            embed.add_field(
                name=clip(gettext(language, "Dry run for {org}'s members", org=literal(side.org.name)), 256),
                value=clip(dry_text(summary, language), 1024),
                inline=False,
            )
    embed.set_footer(text=footer_text(proposal.id, content.marker, language))
    return embed


def proposal_dry_run(proposal: ProposalFacts) -> dict[str, Any]:
    return json.loads(proposal.dry_run)


def dry_text(summary: dict[str, Any], language: str = SOURCE_LANGUAGE) -> str:
    def show(part: dict[str, Any] | None) -> str:
        if not part:
            return gettext(language, "no tasks")
        if part["desirability"] is None:
            return gettext(language, "{hours} h", hours=hours(part["hours"], language))
        return gettext(
            language,
            "{hours} h, desirability {desirability}, empowerment {empowerment}",
            hours=hours(part["hours"], language),
            desirability=number(part["desirability"], language, places=1),
            empowerment=number(part["empowerment"], language, places=1),
        )

    return "\n".join(
        [
            gettext(language, "per member now: {figures}", figures=show(summary["before"])),
            gettext(language, "per member merged: {figures}", figures=show(summary["after"])),
        ]
    )


def pooled_text(pooled: dict[str, Any] | None, language: str = SOURCE_LANGUAGE) -> str:
    """What the dry run says about the pooled task list: the tasks renamed, how much is unrated."""
    if not pooled:
        return ""  # a vote opened before the dry run said it
    lines = []
    if renamed := pooled.get("renamed"):
        by_name: dict[str, list[str]] = {}
        for old, new in renamed:
            by_name.setdefault(old.lower(), []).append(new)
        pairs = [format_list([f"**{literal(n)}**" for n in names], language) for names in by_name.values()]
        lines.append(
            gettext(
                language,
                "Both sides have a task of the same name, so each gets its origin: {tasks}.",
                tasks="; ".join(pairs),
            )
        )
    total, unrated = pooled.get("hours") or 0, pooled.get("unrated_hours") or 0
    if unrated:
        lines.append(
            ngettext(
                language,
                "{unrated} h of the {hours} h of pooled work a week ({count} task) is not rated yet: it counts as a "
                "neutral {neutral} (neither pleasant nor unpleasant) in the figures below until members rate it with "
                "`/rate`.",
                "{unrated} h of the {hours} h of pooled work a week ({count} tasks) is not rated yet: it counts as a "
                "neutral {neutral} (neither pleasant nor unpleasant) in the figures below until members rate it with "
                "`/rate`.",
                pooled.get("unrated_tasks", 0),
                unrated=hours(unrated, language),
                hours=hours(total, language),
                neutral=number(5.5, language),
            )
        )
    else:
        lines.append(gettext(language, "Every pooled task is rated, so the figures below use members' own ratings."))
    return "\n".join(lines)


def rules_text(proposal: ProposalFacts, here: SideFacts, there: SideFacts, language: str = SOURCE_LANGUAGE) -> str:
    def rule(org: OrgFacts, quorum: int, threshold: int, electorate: int) -> str:
        return ngettext(
            language,
            "**{org}**: {quorum}% of its {count} member must vote, {threshold}% yes of yes+no to pass",
            "**{org}**: {quorum}% of its {count} members must vote, {threshold}% yes of yes+no to pass",
            electorate,
            org=literal(org.name),
            quorum=quorum,
            threshold=threshold,
        )

    first, second = (here, there) if here.org.id == proposal.proposer_org_id else (there, here)
    return "\n".join(
        [
            gettext(language, "Both sides must pass:"),
            rule(first.org, proposal.proposer_quorum, proposal.proposer_threshold, proposal.proposer_electorate),
            rule(second.org, proposal.other_quorum, proposal.other_threshold, proposal.other_electorate),
            gettext(
                language,
                "Voting closes {when}, or earlier once the outcome cannot change.",
                when=when(proposal.closes_at),
            ),
        ]
    )


def leave_embed(content: VotePostContent) -> discord.Embed:
    """The vote of one side of a federation on leaving it (posted on that side's servers, in the
    federation's language)."""
    proposal, federation, side = content.proposal, content.here, content.there
    language = federation.org.language
    names = {"side": literal(side.org.name), "federation": literal(federation.org.name)}
    title = gettext(language, "Vote #{id}: should {side} leave {federation}?", id=proposal.id, **names)
    embed = discord.Embed(title=clip(title, 256), colour=discord.Colour.gold())
    what = ngettext(
        language,
        "If the members who came from **{side}** vote to leave, **{side}** becomes its own organization again, with "
        "this server's rota channel, the tasks and goals it brought ({hours} h of tasks a week; goals: {goals}), its "
        "{count} member with their ratings, and its history: past rotas stay readable on both sides. The rest of "
        "**{federation}** carries on as it is. Someone who was in both organizations before the merge stays in both.",
        "If the members who came from **{side}** vote to leave, **{side}** becomes its own organization again, with "
        "this server's rota channel, the tasks and goals it brought ({hours} h of tasks a week; goals: {goals}), its "
        "{count} members with their ratings, and its history: past rotas stay readable on both sides. The rest of "
        "**{federation}** carries on as it is. Someone who was in both organizations before the merge stays in both.",
        side.members,
        hours=hours(side.task_hours, language),
        goals=goals_text(side.goals, language),
        **names,
    )
    who = ngettext(
        language,
        "Only the members who came from **{side}** vote: {quorum}% of its {count} member must vote, and {threshold}% "
        "yes of yes+no to pass. Voting closes {when}, or earlier once everyone has voted.",
        "Only the members who came from **{side}** vote: {quorum}% of its {count} members must vote, and {threshold}% "
        "yes of yes+no to pass. Voting closes {when}, or earlier once everyone has voted.",
        proposal.proposer_electorate,
        side=names["side"],
        quorum=proposal.proposer_quorum,
        threshold=proposal.proposer_threshold,
        when=when(proposal.closes_at),
    )
    embed.description = clip(f"{what}\n\n{who}", 4096)
    embed.set_footer(text=footer_text(proposal.id, content.marker, language))
    return embed


def side_line(name: str, side: Side, language: str) -> str:
    """One side's tally and verdict: `**North**: 2 yes, 1 no, 0 abstain of 3 (100% turnout): passed`."""
    params = {
        "name": literal(name),
        "yes": side.yes,
        "no": side.no,
        "abstain": side.abstain,
        "electorate": side.electorate,
        "turnout": percent(side.turnout, language),
    }
    if side.passes():
        return gettext(
            language,
            "**{name}**: {yes} yes, {no} no, {abstain} abstain of {electorate} ({turnout} turnout): passed",
            **params,
        )
    if not side.quorum_met():
        return gettext(
            language,
            "**{name}**: {yes} yes, {no} no, {abstain} abstain of {electorate} ({turnout} turnout): failed: quorum "
            "not met ({turnout} voted, {quorum}% needed)",
            quorum=side.quorum_pct,
            **params,
        )
    share = side.yes / (side.yes + side.no) if side.yes + side.no else 0.0
    return gettext(
        language,
        "**{name}**: {yes} yes, {no} no, {abstain} abstain of {electorate} ({turnout} turnout): failed: threshold "
        "not met ({share} yes, {threshold}% needed)",
        share=percent(share, language),
        threshold=side.threshold_pct,
        **params,
    )


def leave_result_text(closed: VoteClosed, language: str = SOURCE_LANGUAGE) -> str:
    (federation, side), (votes, _) = closed.names, closed.sides
    names = {"side": literal(side), "federation": literal(federation)}
    if closed.merged_name:
        tail = gettext(
            language,
            "**{side}** has left **{federation}** and is its own organization again, with its tasks, goals and "
            "members. **{federation}** carries on with everyone else. Past rotas stay readable on both sides; a member "
            "of both stays in both.",
            **names,
        )
    else:
        tail = gettext(language, "**{side}** stays in **{federation}**; nothing changes.", **names)
    head = gettext(language, "Vote #{id} on leaving is closed.", id=closed.proposal.id)
    return "\n".join([head, side_line(side, votes, language), tail])


def result_text(closed: VoteClosed, language: str = SOURCE_LANGUAGE) -> str:
    if closed.proposal.kind == "leave":
        return leave_result_text(closed, language)
    head = gettext(language, "Merge vote #{id} is closed.", id=closed.proposal.id)
    if closed.merged_name:
        tail = gettext(
            language,
            "Both sides passed: **{name}** now pools both task lists, memberships and goals. Members: please `/rate` "
            "the tasks that are new to you; until you do, the members who know them rate them.",
            name=literal(closed.merged_name),
        )
    else:
        tail = gettext(language, "The merge does not happen; both organizations carry on as before.")
    (first, second), (a, b) = closed.names, closed.sides
    return "\n".join([head, side_line(first, a, language), side_line(second, b, language), tail])


def end_text(end: VoteEnd, language: str = SOURCE_LANGUAGE) -> str:
    if isinstance(end, VoteWithdrawn):
        return gettext(
            language,
            "Merge vote #{id} was withdrawn by a moderator of **{org}**. Nothing changes.",
            id=end.proposal_id,
            org=literal(end.by_org),
        )
    return result_text(end, language)


def vote_cast_text(cast: VoteCast, language: str = SOURCE_LANGUAGE) -> str:
    params = {
        "id": cast.proposal_id,
        "org": literal(cast.org_name),
        "choice": choice_word(cast.choice, language),
        "until": discord.utils.format_dt(cast.closes_at, "f"),
    }
    if cast.previous and cast.previous != cast.choice:
        return gettext(
            language,
            "Your vote on #{id} for **{org}**: **{choice}** (was {previous}). Only you can see it; you can change it "
            "until {until}.",
            previous=choice_word(cast.previous, language),
            **params,
        )
    return gettext(
        language,
        "Your vote on #{id} for **{org}**: **{choice}**. Only you can see it; you can change it until {until}.",
        **params,
    )


def status_label(status: str, language: str) -> str:
    """A vote's state in `/merge status`."""
    if status == "open":
        return pgettext(language, "merge vote status", "open")
    if status == "passed":
        return pgettext(language, "merge vote status", "passed")
    if status == "failed":
        return pgettext(language, "merge vote status", "failed")
    if status == "cancelled":
        return pgettext(language, "merge vote status", "cancelled")
    return status


def status_embed(found: list[ProposalStatus], language: str = SOURCE_LANGUAGE) -> discord.Embed:
    lines = []
    for item in found:
        proposal, (a, b) = item.proposal, item.sides
        first, second = (literal(n) for n in item.names)
        state = status_label(proposal.status, language)
        if proposal.kind == "leave":  # only the leaving side votes
            head = gettext(
                language,
                "**#{id}** {side} leaving {federation}: **{status}**",
                id=proposal.id,
                side=literal(second),
                federation=literal(first),
                status=state,
            )
            if proposal.status == "cancelled":
                lines.append(head)
                continue
            if proposal.status == "open":
                detail = gettext(language, "{cast}/{electorate} voted", cast=a.cast, electorate=a.electorate)
            else:
                detail = gettext(
                    language, "{yes}/{no}/{abstain} (yes/no/abstain)", yes=a.yes, no=a.no, abstain=a.abstain
                )
            lines.append(f"{head}\n{second}: {detail}")
            continue
        head = gettext(
            language,
            "**#{id}** {first} + {second} → {name}: **{status}**",
            id=proposal.id,
            first=first,
            second=second,
            name=literal(proposal.name),
            status=state,
        )
        if proposal.status == "open":
            turnout = gettext(
                language,
                "{first} {first_cast}/{first_electorate} voted, {second} {second_cast}/{second_electorate} voted; "
                "closes {when}",
                first=first,
                first_cast=a.cast,
                first_electorate=a.electorate,
                second=second,
                second_cast=b.cast,
                second_electorate=b.electorate,
                when=discord.utils.format_dt(proposal.closes_at, "R"),
            )
            if item.mine:
                turnout = gettext(
                    language,
                    "{turnout}; your vote: {choice}",
                    turnout=turnout,
                    choice=choice_word(item.mine, language),
                )
            lines.append(f"{head}\n{turnout}")
        elif proposal.status in ("passed", "failed"):
            lines.append(
                gettext(
                    language,
                    "{head}\n{first}: {a_yes}/{a_no}/{a_abstain} (yes/no/abstain); {second}: "
                    "{b_yes}/{b_no}/{b_abstain}",
                    head=head,
                    first=first,
                    a_yes=a.yes,
                    a_no=a.no,
                    a_abstain=a.abstain,
                    second=second,
                    b_yes=b.yes,
                    b_no=b.no,
                    b_abstain=b.abstain,
                )
            )
        else:
            lines.append(head)
    return discord.Embed(
        title=gettext(language, "Merge votes"),
        description=clip("\n\n".join(lines) or gettext(language, "None yet."), 4096),
    )


def vote_reminder_text(reminder: VoteReminder, language: str = SOURCE_LANGUAGE) -> str:
    """The mention of those who have not voted yet, in the language of the channel's organization."""
    closes = f"{discord.utils.format_dt(reminder.closes_at, 'f')} ({discord.utils.format_dt(reminder.closes_at, 'R')})"
    return (
        gettext(
            language,
            "🗳️ The merge vote #{id} on **{name}** closes {when}. Vote with the buttons on its message (`/merge status` "
            "shows it). You have not voted yet:",
            id=reminder.proposal_id,
            name=literal(clip(reminder.name, 100)),
            when=closes,
        )
        + "\n"
    )
