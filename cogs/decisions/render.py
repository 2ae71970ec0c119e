"""How proposals look in Discord: the preview, the post, the result, the reminder, `/decisions`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from fractions import Fraction

import discord

from bot.app.decisions import BallotCast, DecisionLog, DelegationLine, Delegations, Preview
from bot.app.ports import Electorate, ProposalPost, ProposalReminder, ProposalResult
from bot.domain.decisions import weight_text
from cogs.common import clip, literal

COLOUR = discord.Colour.blurple()


def when(moment: datetime) -> str:
    return f"{discord.utils.format_dt(moment, 'F')} ({discord.utils.format_dt(moment, 'R')})"


def amount(weight: Fraction, weighted: bool) -> str:
    return f"{weight_text(weight)} h" if weighted else weight_text(weight)


def electorate_text(e: Electorate) -> str:
    names = ", ".join(f"{literal(n)} ({amount(w, True)})" if e.weighted else literal(n) for n, w in e.top)
    more = e.count - len(e.top)
    listed = names + (f" and {more} more" if more > 0 else "")
    return f"**Who decides**: {e.rule_text}.\n{e.summary()}: {listed}."


def rules_text(quorum: int, threshold: int, weighted: bool, options: bool) -> str:
    over = "of the weight (their hours)" if weighted else "of them"
    cast = "of the weight cast" if weighted else "of the votes cast"
    if options:
        share = f"the leading option needs {threshold}% {cast} on options"
    else:
        share = f"yes needs {threshold}% {cast} for and against"
    return f"**To decide**: {quorum}% {over} must vote (abstaining counts as voting); {share} (abstentions left out)."


def servers_text(count: int) -> str:
    return "1 server" if count == 1 else f"{count} servers"


def choices_text(choices: Sequence[str]) -> str:
    return " · ".join(f"**{literal(c)}**" for c in choices)


def preview_embed(preview: Preview) -> discord.Embed:
    draft = preview.draft
    embed = discord.Embed(title=clip(f"Open this proposal? {draft.title}", 256), colour=COLOUR)
    lines = [
        clip(draft.text, 1500) if draft.text else "",
        electorate_text(preview.electorate),
        rules_text(
            preview.quorum_pct, preview.threshold_pct, preview.electorate.weighted, preview.choices[:2] != ("yes", "no")
        ),
        f"Choices: {choices_text(preview.choices)}",
        f"Closes {when(preview.closes_at)}, or earlier once everyone has voted.",
        ("Secret: only totals are shown." if draft.secret else "Open: everyone sees who voted what.")
        + f" Posted on {servers_text(preview.servers)} of **{literal(preview.org_name)}**; it pings nobody.",
    ]
    embed.description = clip("\n\n".join(line for line in lines if line), 4096)
    return embed


def post_embed(post: ProposalPost) -> discord.Embed:
    embed = discord.Embed(title=clip(f"Proposal #{post.proposal_id}: {post.title}", 256), colour=COLOUR)
    options = tuple(post.choices[:2]) != ("yes", "no")
    lines = [
        clip(literal(post.text), 1800) if post.text else "",
        f"Proposed by <@{post.proposer_id}> in **{literal(post.org_name)}**.",
        electorate_text(post.electorate),
        rules_text(post.quorum_pct, post.threshold_pct, post.electorate.weighted, options),
        f"Closes {when(post.closes_at)}, or earlier once everyone has voted.",
    ]
    embed.description = clip("\n\n".join(line for line in lines if line), 4096)
    secrecy = "Votes are secret: only totals are shown." if post.secret else "Votes are open: the result names them."
    footer = f"{secrecy} Vote with the buttons or /vote proposal:{post.proposal_id}; change it until the close."
    embed.set_footer(text=footer + (f"\n{post.marker}" if post.marker else ""))
    return embed


def result_text(result: ProposalResult) -> str:
    """The result post: what was decided, by whom, the totals by weight and the turnout."""
    title = literal(clip(result.title, 100))
    if result.status == "withdrawn":
        why = f" Reason: {literal(result.reason)}" if result.reason else ""
        return f"Proposal #{result.proposal_id} **{title}** was withdrawn.{why}"
    yes_no = tuple(c for c, _ in result.totals) == ("yes", "no", "abstain")
    if result.status == "passed" and yes_no:
        head = f"Proposal #{result.proposal_id} **{title}** passed."
    elif result.status == "passed":
        head = f"Proposal #{result.proposal_id} **{title}**: decided **{literal(result.decided or '')}**."
    else:
        head = f"Proposal #{result.proposal_id} **{title}** did not pass: {result.why_not}."
    lines = [head]
    if result.decided_by:
        lines.append(f"Decided by {result.decided_by}" + ("." if result.weighted else ", one vote each."))
    totals = " · ".join(f"{literal(c)} {amount(w, result.weighted)}" for c, w in result.totals)
    lines.append(f"{'Totals by hours' if result.weighted else 'Votes'}: {totals}.")
    members = f"{result.voters} of {result.electors} members voted"
    if result.delegated:
        members += f", {result.delegated} of them by delegation"
    of_what = f" of the {amount(result.eligible, True)} that decide" if result.weighted else ""
    lines.append(f"Turnout: {result.turnout:.0%}{of_what} ({members}); {result.quorum_pct}% was needed.")
    if result.ballots:
        votes = ", ".join(f"{literal(n)}: {literal(c)}" + (" (delegated)" if d else "") for n, c, d in result.ballots)
        lines.append(clip(f"How each voted: {votes}", 1200))
    lines.append("The organization's log of decisions: `/decisions`.")
    return "\n".join(lines)


def reminder_text(reminder: ProposalReminder) -> str:
    return (
        f"🗳️ Proposal #{reminder.proposal_id} **{literal(clip(reminder.title, 100))}** in "
        f"**{literal(reminder.org_name)}** closes {when(reminder.closes_at)} and you have not voted. Vote with the "
        f"buttons on its post or `/vote proposal:{reminder.proposal_id} choice:`."
    )


def cast_text(cast: BallotCast) -> str:
    changed = f" (was {literal(cast.previous)})" if cast.previous and cast.previous != cast.choice else ""
    secret = "Only you can see it" if cast.secret else "The vote is open: the result shows it"
    return (
        f"Your vote on #{cast.proposal_id} **{literal(clip(cast.title, 100))}**: **{literal(cast.choice)}**{changed}. "
        f"{secret}; you can change it until {discord.utils.format_dt(cast.closes_at, 'f')}."
    )


def delegation_line(line: DelegationLine, *, to: bool) -> str:
    who = f"<@{line.user_id}>"
    until = f" until {discord.utils.format_dt(line.until, 'D')}" if line.until else ""
    return f"{'to' if to else 'from'} {who}: {line.scope}{until}"


def delegations_embed(found: Delegations) -> discord.Embed:
    given = "\n".join(delegation_line(d, to=True) for d in found.given) or "none"
    received = "\n".join(delegation_line(d, to=False) for d in found.received) or "none"
    cast = (
        "\n".join(
            f"#{c.proposal_id} {literal(clip(c.title, 60))}: **{literal(c.choice)}** by <@{c.delegate_user_id}>"
            + (" (you can still vote yourself)" if c.open else "")
            for c in found.cast_for_you
        )
        or "none"
    )
    embed = discord.Embed(title="Your delegations", colour=COLOUR)
    embed.add_field(name="You gave your vote", value=clip(given, 1024), inline=False)
    embed.add_field(name="Members who gave you theirs", value=clip(received, 1024), inline=False)
    embed.add_field(name="Votes cast for you", value=clip(cast, 1024), inline=False)
    embed.set_footer(
        text="A vote of your own always counts instead, until the close. Votes you carry are never shown to you."
    )
    return embed


def log_embed(found: DecisionLog, search: str | None) -> discord.Embed:
    lines = []
    for item in found.open:
        p = item.proposal
        mine = f"; your vote: {literal(item.mine)}" if item.mine else ""
        lines.append(
            f"**#{p.id}** {literal(clip(p.title, 80))} · open, {item.voters} of {item.electors} voted, closes "
            f"{discord.utils.format_dt(p.closes_at, 'R')}{mine}"
        )
    for entry in found.decided:
        lines.append(
            f"**#{entry.proposal_id}** {literal(clip(entry.title, 80))} · {literal(entry.outcome)} · "
            f"{discord.utils.format_dt(entry.decided_at, 'd')}"
        )
    title = f"Decisions matching “{clip(search, 50)}”" if search else "Proposals and decisions"
    empty = "Nothing matches." if search else "None yet: anyone in the rota can `/propose`."
    return discord.Embed(title=title, description=clip("\n".join(lines) or empty, 4096), colour=COLOUR)
