"""How proposals look in Discord: the preview, the post, the result, the reminder, `/decisions`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from fractions import Fraction

import discord

from bot.app.decisions import (
    BallotCast,
    DecisionLog,
    DelegationLine,
    Delegations,
    Preview,
    choice_word,
    outcome_line,
)
from bot.app.ports import Electorate, ProposalPost, ProposalReminder, ProposalResult
from bot.domain.decisions import weight_text
from bot.i18n import SOURCE_LANGUAGE, gettext, ngettext, pgettext, render
from bot.i18n.formatting import percent
from cogs.common import clip, literal

COLOUR = discord.Colour.blurple()


def when(moment: datetime) -> str:
    return f"{discord.utils.format_dt(moment, 'F')} ({discord.utils.format_dt(moment, 'R')})"


def amount(weight: Fraction, weighted: bool, language: str = SOURCE_LANGUAGE) -> str:
    if weighted:
        return gettext(language, "{hours} h", hours=weight_text(weight, language))
    return weight_text(weight, language)


def electorate_text(e: Electorate, language: str = SOURCE_LANGUAGE) -> str:
    names = [f"{literal(n)} ({amount(w, True, language)})" if e.weighted else literal(n) for n, w in e.top]
    more = e.count - len(e.top)
    listed = ", ".join(names)
    if more > 0:
        listed = gettext(language, "{names} and {more} more", names=listed, more=more)
    return gettext(
        language,
        "**Who decides**: {rule}.\n{summary}: {listed}.",
        rule=e.rule_text,
        summary=e.summary(language),
        listed=listed,
    )


def rules_text(quorum: int, threshold: int, weighted: bool, options: bool, language: str = SOURCE_LANGUAGE) -> str:
    if weighted and options:
        return gettext(
            language,
            "**To decide**: {quorum}% of the weight (their hours) must vote (abstaining counts as voting); the "
            "leading option needs {threshold}% of the weight cast on options (abstentions left out).",
            quorum=quorum,
            threshold=threshold,
        )
    if weighted:
        return gettext(
            language,
            "**To decide**: {quorum}% of the weight (their hours) must vote (abstaining counts as voting); yes needs "
            "{threshold}% of the weight cast for and against (abstentions left out).",
            quorum=quorum,
            threshold=threshold,
        )
    if options:
        return gettext(
            language,
            "**To decide**: {quorum}% of them must vote (abstaining counts as voting); the leading option needs "
            "{threshold}% of the votes cast on options (abstentions left out).",
            quorum=quorum,
            threshold=threshold,
        )
    return gettext(
        language,
        "**To decide**: {quorum}% of them must vote (abstaining counts as voting); yes needs {threshold}% of the "
        "votes cast for and against (abstentions left out).",
        quorum=quorum,
        threshold=threshold,
    )


def choices_text(choices: Sequence[str], language: str = SOURCE_LANGUAGE) -> str:
    return " · ".join(f"**{literal(choice_word(c, language))}**" for c in choices)


def preview_embed(preview: Preview, language: str = SOURCE_LANGUAGE) -> discord.Embed:
    draft = preview.draft
    title = gettext(language, "Open this proposal? {title}", title=draft.title)
    embed = discord.Embed(title=clip(title, 256), colour=COLOUR)
    org = literal(preview.org_name)
    if draft.secret:
        where = ngettext(
            language,
            "Secret: only totals are shown. Posted on {count} server of **{org}**; it pings nobody.",
            "Secret: only totals are shown. Posted on {count} servers of **{org}**; it pings nobody.",
            preview.servers,
            org=org,
        )
    else:
        where = ngettext(
            language,
            "Open: everyone sees who voted what. Posted on {count} server of **{org}**; it pings nobody.",
            "Open: everyone sees who voted what. Posted on {count} servers of **{org}**; it pings nobody.",
            preview.servers,
            org=org,
        )
    lines = [
        clip(draft.text, 1500) if draft.text else "",
        electorate_text(replace(preview.electorate, rule_text=preview.who_decides(language)), language),
        rules_text(
            preview.quorum_pct,
            preview.threshold_pct,
            preview.electorate.weighted,
            preview.choices[:2] != ("yes", "no"),
            language,
        ),
        gettext(language, "Choices: {choices}", choices=choices_text(preview.choices, language)),
        gettext(language, "Closes {when}, or earlier once everyone has voted.", when=when(preview.closes_at)),
        where,
    ]
    embed.description = clip("\n\n".join(line for line in lines if line), 4096)
    return embed


def post_embed(post: ProposalPost) -> discord.Embed:
    language = post.language
    title = gettext(language, "Proposal #{id}: {title}", id=post.proposal_id, title=post.title)
    embed = discord.Embed(title=clip(title, 256), colour=COLOUR)
    options = tuple(post.choices[:2]) != ("yes", "no")
    lines = [
        clip(literal(post.text), 1800) if post.text else "",
        gettext(
            language,
            "Proposed by <@{user}> in **{org}**.",
            user=post.proposer_id,
            org=literal(post.org_name),
        ),
        electorate_text(post.electorate, language),
        rules_text(post.quorum_pct, post.threshold_pct, post.electorate.weighted, options, language),
        gettext(language, "Closes {when}, or earlier once everyone has voted.", when=when(post.closes_at)),
    ]
    embed.description = clip("\n\n".join(line for line in lines if line), 4096)
    if post.secret:
        footer = gettext(
            language,
            "Votes are secret: only totals are shown. Vote with the buttons or /vote proposal:{id}; change it "
            "until the close.",
            id=post.proposal_id,
        )
    else:
        footer = gettext(
            language,
            "Votes are open: the result names them. Vote with the buttons or /vote proposal:{id}; change it until "
            "the close.",
            id=post.proposal_id,
        )
    embed.set_footer(text=footer + (f"\n{post.marker}" if post.marker else ""))
    return embed


def result_text(result: ProposalResult) -> str:
    """The result post: what was decided, by whom, the totals by weight and the turnout."""
    language = result.language
    title = literal(clip(result.title, 100))
    number = result.proposal_id
    if result.status == "withdrawn":
        if result.reason:
            return gettext(
                language,
                "Proposal #{id} **{title}** was withdrawn. Reason: {reason}",
                id=number,
                title=title,
                reason=literal(result.reason),
            )
        return gettext(language, "Proposal #{id} **{title}** was withdrawn.", id=number, title=title)
    yes_no = tuple(c for c, _ in result.totals) == ("yes", "no", "abstain")
    if result.status == "passed" and yes_no:
        head = gettext(language, "Proposal #{id} **{title}** passed.", id=number, title=title)
    elif result.status == "passed":
        head = gettext(
            language,
            "Proposal #{id} **{title}**: decided **{choice}**.",
            id=number,
            title=title,
            choice=literal(result.decided or ""),
        )
    else:
        head = gettext(
            language, "Proposal #{id} **{title}** did not pass: {why}.", id=number, title=title, why=result.why_not
        )
    lines = [head]
    if result.decided_by and result.weighted:
        lines.append(gettext(language, "Decided by {who}.", who=result.decided_by))
    elif result.decided_by:
        lines.append(gettext(language, "Decided by {who}, one vote each.", who=result.decided_by))
    totals = " · ".join(
        f"{literal(choice_word(c, language))} {amount(w, result.weighted, language)}" for c, w in result.totals
    )
    if result.weighted:
        lines.append(gettext(language, "Totals by hours: {totals}.", totals=totals))
    else:
        lines.append(gettext(language, "Votes: {totals}.", totals=totals))
    if result.delegated:
        members = gettext(
            language,
            "{voters} of {electors} members voted, {delegated} of them by delegation",
            voters=result.voters,
            electors=result.electors,
            delegated=result.delegated,
        )
    else:
        members = gettext(
            language, "{voters} of {electors} members voted", voters=result.voters, electors=result.electors
        )
    turnout = percent(result.turnout, language)
    if result.weighted:
        lines.append(
            gettext(
                language,
                "Turnout: {turnout} of the {hours} that decide ({members}); {quorum}% was needed.",
                turnout=turnout,
                hours=amount(result.eligible, True, language),
                members=members,
                quorum=result.quorum_pct,
            )
        )
    else:
        lines.append(
            gettext(
                language,
                "Turnout: {turnout} ({members}); {quorum}% was needed.",
                turnout=turnout,
                members=members,
                quorum=result.quorum_pct,
            )
        )
    if result.ballots:
        votes = ", ".join(
            gettext(language, "{name}: {choice} (delegated)", name=literal(n), choice=literal(choice_word(c, language)))
            if d
            else f"{literal(n)}: {literal(choice_word(c, language))}"
            for n, c, d in result.ballots
        )
        lines.append(clip(gettext(language, "How each voted: {votes}", votes=votes), 1200))
    lines.append(gettext(language, "The organization's log of decisions: `/decisions`."))
    return "\n".join(lines)


def reminder_text(reminder: ProposalReminder) -> str:
    return gettext(
        reminder.language,
        "🗳️ Proposal #{id} **{title}** in **{org}** closes {when} and you have not voted. Vote with the buttons on "
        "its post or `/vote proposal:{id} choice:`.",
        id=reminder.proposal_id,
        title=literal(clip(reminder.title, 100)),
        org=literal(reminder.org_name),
        when=when(reminder.closes_at),
    )


def cast_text(cast: BallotCast, language: str = SOURCE_LANGUAGE) -> str:
    params = {
        "id": cast.proposal_id,
        "title": literal(clip(cast.title, 100)),
        "choice": literal(choice_word(cast.choice, language)),
        "until": discord.utils.format_dt(cast.closes_at, "f"),
    }
    changed = bool(cast.previous and cast.previous != cast.choice)
    previous = literal(choice_word(cast.previous or "", language))
    if cast.secret and changed:
        return gettext(
            language,
            "Your vote on #{id} **{title}**: **{choice}** (was {previous}). Only you can see it; you can change it "
            "until {until}.",
            previous=previous,
            **params,
        )
    if cast.secret:
        return gettext(
            language,
            "Your vote on #{id} **{title}**: **{choice}**. Only you can see it; you can change it until {until}.",
            **params,
        )
    if changed:
        return gettext(
            language,
            "Your vote on #{id} **{title}**: **{choice}** (was {previous}). The vote is open: the result shows it; "
            "you can change it until {until}.",
            previous=previous,
            **params,
        )
    return gettext(
        language,
        "Your vote on #{id} **{title}**: **{choice}**. The vote is open: the result shows it; you can change it "
        "until {until}.",
        **params,
    )


def delegation_line(line: DelegationLine, *, to: bool, language: str = SOURCE_LANGUAGE) -> str:
    params = {"who": f"<@{line.user_id}>", "scope": render(line.scope, language)}
    if line.until:
        until = discord.utils.format_dt(line.until, "D")
        if to:
            return gettext(language, "to {who}: {scope} until {until}", until=until, **params)
        return gettext(language, "from {who}: {scope} until {until}", until=until, **params)
    if to:
        return gettext(language, "to {who}: {scope}", **params)
    return gettext(language, "from {who}: {scope}", **params)


def delegations_embed(found: Delegations, language: str = SOURCE_LANGUAGE) -> discord.Embed:
    none = pgettext(language, "no delegations", "none")
    given = "\n".join(delegation_line(d, to=True, language=language) for d in found.given) or none
    received = "\n".join(delegation_line(d, to=False, language=language) for d in found.received) or none
    lines = []
    for c in found.cast_for_you:
        params = {
            "id": c.proposal_id,
            "title": literal(clip(c.title, 60)),
            "choice": literal(choice_word(c.choice, language)),
            "who": f"<@{c.delegate_user_id}>",
        }
        if c.open:
            lines.append(
                gettext(language, "#{id} {title}: **{choice}** by {who} (you can still vote yourself)", **params)
            )
        else:
            lines.append(gettext(language, "#{id} {title}: **{choice}** by {who}", **params))
    cast = "\n".join(lines) or none
    embed = discord.Embed(title=gettext(language, "Your delegations"), colour=COLOUR)
    embed.add_field(name=gettext(language, "You gave your vote"), value=clip(given, 1024), inline=False)
    embed.add_field(name=gettext(language, "Members who gave you theirs"), value=clip(received, 1024), inline=False)
    embed.add_field(name=gettext(language, "Votes cast for you"), value=clip(cast, 1024), inline=False)
    embed.set_footer(
        text=gettext(
            language,
            "A vote of your own always counts instead, until the close. Votes you carry are never shown to you.",
        )
    )
    return embed


def log_embed(found: DecisionLog, search: str | None, language: str = SOURCE_LANGUAGE) -> discord.Embed:
    lines = []
    for item in found.open:
        p = item.proposal
        params = {
            "id": p.id,
            "title": literal(clip(p.title, 80)),
            "voters": item.voters,
            "electors": item.electors,
            "closes": discord.utils.format_dt(p.closes_at, "R"),
        }
        if item.mine:
            lines.append(
                gettext(
                    language,
                    "**#{id}** {title} · open, {voters} of {electors} voted, closes {closes}; your vote: {mine}",
                    mine=literal(choice_word(item.mine, language)),
                    **params,
                )
            )
        else:
            lines.append(
                gettext(language, "**#{id}** {title} · open, {voters} of {electors} voted, closes {closes}", **params)
            )
    for entry in found.decided:
        result = found.results.get(entry.proposal_id)
        if result is None:
            outcome = entry.outcome
        else:
            outcome = outcome_line(result, language, by_moderator=entry.proposal_id in found.by_moderator)
        lines.append(
            gettext(
                language,
                "**#{id}** {title} · {outcome} · {day}",
                id=entry.proposal_id,
                title=literal(clip(entry.title, 80)),
                outcome=literal(clip(outcome, 300)),
                day=discord.utils.format_dt(entry.decided_at, "d"),
            )
        )
    if search:
        title = gettext(language, "Decisions matching “{search}”", search=clip(search, 50))
        empty = gettext(language, "Nothing matches.")
    else:
        title = gettext(language, "Proposals and decisions")
        empty = gettext(language, "None yet: anyone in the rota can `/propose`.")
    return discord.Embed(title=title, description=clip("\n".join(lines) or empty, 4096), colour=COLOUR)


def servers_text(count: int, language: str = SOURCE_LANGUAGE) -> str:
    return ngettext(language, "{count} server", "{count} servers", count)
