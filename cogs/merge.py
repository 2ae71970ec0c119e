"""Merge votes between servers: `/mod merge propose|cancel`, `/vote`, `/merge status`, the vote
messages with their buttons, the close (at the deadline or early), and the merge itself."""

from __future__ import annotations

import asyncio
import json
import logging
from collections import defaultdict
from datetime import timedelta
from typing import TYPE_CHECKING, Literal

import discord
from discord import app_commands
from discord.ext import commands
from sqlmodel import select

from bot import organizations as rules
from bot.client import answer_error
from bot.errors import BadInput
from bot.rota import MemberInfo, iso_week, solve_week
from bot.scheduler import cancel_and_wait
from bot.solver import ProblemError
from bot.votes import Side, decided_early, outcome
from cogs.common import ModeratorGroup, add_to_mod, clip, db, require_org
from storage import merges, orgs, rotas
from storage.members import member_for
from storage.models import MemberRow, MergePost, MergeProposal, MergeVote, Organization, utcnow
from storage.tasks import active_tasks

if TYPE_CHECKING:
    from bot.client import RotaBot

log = logging.getLogger(__name__)

Choice = Literal["yes", "no", "abstain"]
DRY_RUN_SECONDS = 3.0

merge_group = ModeratorGroup(name="merge", description="Propose or cancel a merge with another organization")
status_group = app_commands.Group(name="merge", description="Merge votes between organizations", guild_only=True)


def close_key(proposal_id: int) -> str:
    return f"close-merge:{proposal_id}"


def sides(proposal: MergeProposal, counts) -> tuple[Side, Side]:
    """Both sides' rules (fixed at opening) with their current counts: proposer first."""

    def side(org_id: int, electorate: int, quorum: int, threshold: int) -> Side:
        votes = counts.get(org_id, {})
        return Side(electorate, quorum, threshold, votes.get("yes", 0), votes.get("no", 0), votes.get("abstain", 0))

    return (
        side(
            proposal.proposer_org_id,
            proposal.proposer_electorate,
            proposal.proposer_quorum,
            proposal.proposer_threshold,
        ),
        side(proposal.other_org_id, proposal.other_electorate, proposal.other_quorum, proposal.other_threshold),
    )


class MergeVoteButton(
    discord.ui.DynamicItem[discord.ui.Button], template=r"merge:(?P<proposal>\d+):(?P<choice>yes|no|abstain)"
):
    """Yes / No / Abstain on a vote message; works across restarts (state in the id and database)."""

    STYLES = {
        "yes": discord.ButtonStyle.success,
        "no": discord.ButtonStyle.danger,
        "abstain": discord.ButtonStyle.secondary,
    }

    def __init__(self, proposal_id: int, choice: str) -> None:
        super().__init__(
            discord.ui.Button(
                label=choice.capitalize(), style=self.STYLES[choice], custom_id=f"merge:{proposal_id}:{choice}"
            )
        )
        self.proposal_id, self.choice = proposal_id, choice

    @classmethod
    async def from_custom_id(cls, _interaction, _item, match) -> MergeVoteButton:
        return cls(int(match["proposal"]), match["choice"])

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            cog: MergeCog = interaction.client.get_cog("MergeCog")
            await interaction.response.send_message(
                await cog.vote(interaction, self.proposal_id, self.choice), ephemeral=True
            )
        except Exception as error:
            await answer_error(interaction, error)


def vote_view(proposal_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    for choice in ("yes", "no", "abstain"):
        view.add_item(MergeVoteButton(proposal_id, choice))
    return view


class MergeCog(commands.Cog):
    def __init__(self, bot: RotaBot) -> None:
        self.bot = bot
        self.locks: dict[int, asyncio.Lock] = defaultdict(asyncio.Lock)
        self.background: set[asyncio.Task] = set()

    def _spawn(self, coroutine) -> None:
        task = asyncio.create_task(coroutine)
        self.background.add(task)
        task.add_done_callback(self.background.discard)

    async def cog_unload(self) -> None:
        await cancel_and_wait(self.background, 10)

    async def cog_load(self) -> None:
        async with self.bot.db.session() as session:
            pending = await merges.open_proposals(session)
        for proposal in pending:
            self._schedule_close(proposal)
        # Deadlines that passed while the bot was down close as soon as it is up.
        self._spawn(self._close_overdue([p.id for p in pending]))

    async def _close_overdue(self, ids: list[int]) -> None:
        await self.bot.wait_until_ready()
        for proposal_id in ids:
            try:
                await self.close(proposal_id)
            except Exception:
                log.exception("closing merge vote %s failed", proposal_id)

    def _schedule_close(self, proposal: MergeProposal) -> None:
        if self.bot.jobs is not None:
            self.bot.jobs.once(close_key(proposal.id), proposal.closes_at, self.close, proposal.id)

    # -- the dry run ---------------------------------------------------------------------------------

    async def dry_run(self, first: Organization, second: Organization) -> dict:
        """What pooling would mean per member, for each side: hours, average desirability and
        empowerment now (each alone) and merged (one solve over everyone)."""
        week = iso_week(self.bot.clock().date() + timedelta(days=7))
        async with self.bot.db.session() as session:
            alone = {org.id: await rotas.week_inputs(session, org.id, week) for org in (first, second)}
            ids = [m.id for org in (first, second) for m in alone[org.id][1]]
            user_of = dict(
                (await session.execute(select(MemberRow.id, MemberRow.user_id).where(MemberRow.id.in_(ids)))).all()
            )
        tasks = [t for org in (first, second) for t in alone[org.id][0]]
        pooled: dict[int, MemberInfo] = {}  # by Discord user: someone in both counts once, with both hours
        side_of: dict[int, set[int]] = defaultdict(set)
        for org in (first, second):
            for member in alone[org.id][1]:
                key = user_of[member.id]
                side_of[org.id].add(key)
                if key in pooled:
                    prior = pooled[key]
                    pooled[key] = MemberInfo(
                        prior.id,
                        prior.name,
                        min(168.0, prior.hours + member.hours),
                        prior.qualifications | member.qualifications,
                        prior.away,
                    )
                else:
                    pooled[key] = member
        result = {}
        merged_plan = await self._plan(week, tasks, list(pooled.values()))
        for org in (first, second):
            before = await self._plan(week, alone[org.id][0], alone[org.id][1])
            keys = {f"m{pooled[k].id}" for k in side_of[org.id]}
            own = {f"m{m.id}" for m in alone[org.id][1]}
            result[str(org.id)] = {"before": _averages(before, own), "after": _averages(merged_plan, keys)}
        return result

    async def _plan(self, week, tasks, members):
        if not tasks or not any(m.hours > 0 for m in members):
            return None
        try:
            plan, _ = await self.bot.workers.run(solve_week, week, tasks, members, [], DRY_RUN_SECONDS)
        except ProblemError:  # e.g. a task needing a qualification nobody on that side has
            return None
        return plan

    # -- proposing, voting, closing ----------------------------------------------------------------

    async def propose(
        self, interaction: discord.Interaction, code: str, name: str | None, vote_hours: int | None
    ) -> MergeProposal:
        now = self.bot.clock()
        async with self.bot.db.session() as session:
            org = await require_org(session, interaction)
            other = (
                await session.execute(
                    select(Organization).where(
                        Organization.merge_code == code.strip().upper(), Organization.archived_at.is_(None)
                    )
                )
            ).scalar_one_or_none()
            if other is None:
                raise BadInput(f"No organization has the merge code `{clip(code, 20)}`. Its members see it in `/org`.")
            if other.id == org.id:
                raise BadInput("That is your own organization's merge code: ask the other organization for theirs.")
            for side in (org, other):
                busy = await merges.open_proposal_involving(session, side.id)
                if busy is not None:
                    raise BadInput(
                        f"**{side.name}** is already in a merge vote (#{busy.id}). Wait for it to close, "
                        "or a moderator can `/mod merge cancel` it."
                    )
            electorates = [await merges.electorate(session, side.id, now) for side in (org, other)]
        if 0 in electorates:
            empty = org.name if electorates[0] == 0 else other.name
            raise BadInput(f"**{empty}** has nobody in its rota, so nobody could vote there.")
        hours = rules.check_vote_hours(vote_hours if vote_hours is not None else org.vote_hours)
        title = rules.check_name(name, "merged organization's name") if name else f"{org.name} + {other.name}"
        dry = await self.dry_run(org, other)
        async with self.bot.db.transaction() as session:
            if await merges.open_proposal_involving(session, org.id) or await merges.open_proposal_involving(
                session, other.id
            ):
                raise BadInput("Another merge vote opened a moment ago; see `/merge status`.")
            proposal = MergeProposal(
                proposer_org_id=org.id,
                other_org_id=other.id,
                name=title,
                proposed_by=interaction.user.id,
                proposer_quorum=org.quorum_pct,
                proposer_threshold=org.threshold_pct,
                proposer_electorate=electorates[0],
                other_quorum=other.quorum_pct,
                other_threshold=other.threshold_pct,
                other_electorate=electorates[1],
                dry_run=json.dumps(dry),
                created_at=now,
                closes_at=now + timedelta(hours=hours),
            )
            session.add(proposal)
            await session.flush()
            orgs.audit(session, org.id, interaction.user.id, "merge.propose", f"#{proposal.id} with {other.name}")
        await self._post_vote(proposal, org, other)
        self._schedule_close(proposal)
        return proposal

    async def _post_vote(self, proposal: MergeProposal, first: Organization, second: Organization) -> None:
        async with self.bot.db.session() as session:
            goals = {o.id: await orgs.goals(session, o.id) for o in (first, second)}
            members = {o.id: await orgs.active_member_count(session, o.id) for o in (first, second)}
            hours = {o.id: sum(t.hours * t.slots for t in await active_tasks(session, o.id)) for o in (first, second)}
            servers = {o.id: await orgs.servers_of(session, o.id) for o in (first, second)}
        dry = json.loads(proposal.dry_run)
        for here, there in ((first, second), (second, first)):
            embed = discord.Embed(
                title=clip(f"Merge vote #{proposal.id}: join {there.name}?", 256), colour=discord.Colour.gold()
            )
            embed.description = clip(
                f"**{proposal.name}** would be a new organization on equal terms: both task lists, both "
                f"memberships and both sets of goals, one weekly rota over everyone, posted on both servers.\n\n"
                f"**{there.name}**: {members[there.id]} members, {hours[there.id]:g} h of tasks a week. Goals: "
                + ("; ".join(g.text for g in goals[there.id]) or "none listed")
                + "\n\n"
                + _rules_text(proposal, here, there),
                4096,
            )
            for org in (here, there):
                summary = dry.get(str(org.id))
                if summary:
                    embed.add_field(
                        name=clip(f"Dry run for {org.name}'s members", 256),
                        value=clip(_dry_text(summary), 1024),
                        inline=False,
                    )
            embed.set_footer(
                text=f"Votes are secret: only totals are shown. Vote with the buttons or /vote proposal:{proposal.id}."
            )
            for server in servers[here.id]:
                channel = self.bot.get_partial_messageable(server.channel_id, guild_id=server.guild_id)
                message = await channel.send(embed=embed, view=vote_view(proposal.id))
                async with self.bot.db.transaction() as session:
                    session.add(
                        MergePost(
                            proposal_id=proposal.id,
                            guild_id=server.guild_id,
                            channel_id=server.channel_id,
                            message_id=message.id,
                        )
                    )

    async def vote(self, interaction: discord.Interaction, proposal_id: int, choice: str) -> str:
        now = self.bot.clock()
        early = False
        async with self.locks[proposal_id], self.bot.db.transaction() as session:
            org = await require_org(session, interaction)
            proposal = await merges.locked(session, proposal_id)
            ours = await rotas.lineage(session, org.id)  # a federation still sees its members' past votes
            if proposal is None or not {proposal.proposer_org_id, proposal.other_org_id} & set(ours):
                raise BadInput(f"There is no merge vote #{proposal_id} for **{org.name}**. `/merge status` lists them.")
            if proposal.status != "open" or now >= proposal.closes_at:
                raise BadInput(f"Merge vote #{proposal_id} is closed.")
            member = await member_for(session, org.id, interaction.user.id)
            if member is None or not member.active or member.joined_at > proposal.created_at:
                raise BadInput(
                    f"Only members of **{org.name}** who were in its rota when the vote opened can vote on its side."
                )
            previous = await merges.cast(session, proposal_id, member, choice)
            await session.flush()
            early = decided_early(*sides(proposal, await merges.tally(session, proposal_id)))
            closes = proposal.closes_at
        if early:
            self._spawn(self.close(proposal_id))
        changed = f" (was {previous})" if previous and previous != choice else ""
        return (
            f"Your vote on #{proposal_id} for **{org.name}**: **{choice}**{changed}. Only you can see it; "
            f"you can change it until {discord.utils.format_dt(closes, 'f')}."
        )

    async def close(self, proposal_id: int) -> str | None:
        """Close the vote if its deadline passed or its outcome is settled; merge if both sides pass.
        Runs at most once per proposal whatever fires it (deadline job, early close, restart)."""
        async with self.locks[proposal_id]:
            async with self.bot.db.transaction() as session:
                proposal = await merges.locked(session, proposal_id)
                if proposal is None or proposal.status != "open":
                    return None
                a, b = sides(proposal, await merges.tally(session, proposal_id))
                if self.bot.clock() < proposal.closes_at and not decided_early(a, b):
                    self._schedule_close(proposal)  # fired too soon (e.g. a restart): wait for the deadline
                    return None
                passed = outcome(a, b)
                proposal.status, proposal.closed_at = ("passed" if passed else "failed"), utcnow()
                proposal.result = json.dumps({"proposer": a.__dict__, "other": b.__dict__})
                first = await session.get(Organization, proposal.proposer_org_id)
                second = await session.get(Organization, proposal.other_org_id)
                names = (first.name, second.name)
                merged = await merges.merge(session, proposal, rules.new_merge_code()) if passed else None
                merged_name = merged.name if merged else None
                merged_id = merged.id if merged else None
            if self.bot.jobs is not None:
                self.bot.jobs.remove_key(close_key(proposal_id))
            text = _result_text(proposal, a, b, names, merged_name)
            await self._announce(proposal_id, text)
            if merged_id is not None:
                for org_id in (proposal.proposer_org_id, proposal.other_org_id, merged_id):
                    self.bot.dispatch("schedule_changed", org_id)
            return text

    async def _announce(self, proposal_id: int, text: str) -> None:
        """Post the result on every server of both sides and retire the vote buttons."""
        async with self.bot.db.session() as session:
            posted = await merges.posts(session, proposal_id)
        for post in posted:
            channel = self.bot.get_partial_messageable(post.channel_id, guild_id=post.guild_id)
            try:
                if post.message_id:
                    await channel.get_partial_message(post.message_id).edit(view=None)
                await channel.send(text)
            except discord.HTTPException:
                log.warning(
                    "could not announce merge vote %s in channel %s", proposal_id, post.channel_id, exc_info=True
                )

    async def cancel(self, interaction: discord.Interaction, proposal_id: int) -> str:
        async with self.locks[proposal_id]:
            async with self.bot.db.transaction() as session:
                org = await require_org(session, interaction)
                proposal = await merges.locked(session, proposal_id)
                if proposal is None or org.id not in (proposal.proposer_org_id, proposal.other_org_id):
                    raise BadInput(f"There is no merge vote #{proposal_id} for **{org.name}**.")
                if proposal.status != "open":
                    raise BadInput(f"Merge vote #{proposal_id} is already {proposal.status}.")
                proposal.status, proposal.closed_at = "cancelled", utcnow()
                orgs.audit(session, org.id, interaction.user.id, "merge.cancel", f"#{proposal_id}")
            if self.bot.jobs is not None:
                self.bot.jobs.remove_key(close_key(proposal_id))
            text = f"Merge vote #{proposal_id} was withdrawn by a moderator of **{org.name}**. Nothing changes."
            await self._announce(proposal_id, text)
            return text


def _averages(plan, keys: set[str]) -> dict | None:
    if plan is None:
        return None
    rows = [m for m in plan.balance.members if m.member in keys and m.hours > 0]
    if not rows:
        return {"hours": 0.0, "desirability": None, "empowerment": None}
    return {
        "hours": round(sum(m.hours for m in rows) / len(rows), 2),
        "desirability": round(sum(m.average_desirability for m in rows) / len(rows), 2),
        "empowerment": round(sum(m.average_empowerment for m in rows) / len(rows), 2),
    }


def _dry_text(summary: dict) -> str:
    def show(part):
        if not part:
            return "no tasks"
        if part["desirability"] is None:
            return f"{part['hours']:g} h"
        return f"{part['hours']:g} h, desirability {part['desirability']:.1f}, empowerment {part['empowerment']:.1f}"

    return f"per member now: {show(summary['before'])}\nper member merged: {show(summary['after'])}"


def _rules_text(proposal: MergeProposal, here: Organization, there: Organization) -> str:
    def rule(org, quorum, threshold, electorate):
        return f"**{org.name}**: {quorum}% of its {electorate} members must vote, {threshold}% yes of yes+no to pass"

    first, second = (here, there) if here.id == proposal.proposer_org_id else (there, here)
    return "\n".join(
        [
            "Both sides must pass:",
            rule(first, proposal.proposer_quorum, proposal.proposer_threshold, proposal.proposer_electorate),
            rule(second, proposal.other_quorum, proposal.other_threshold, proposal.other_electorate),
            f"Voting closes {discord.utils.format_dt(proposal.closes_at, 'F')} "
            f"({discord.utils.format_dt(proposal.closes_at, 'R')}), or earlier once the outcome cannot change.",
        ]
    )


def _result_text(proposal: MergeProposal, a: Side, b: Side, names: tuple[str, str], merged: str | None) -> str:
    def line(name, side):
        verdict = "passed" if side.passes() else f"failed: {side.why_not()}"
        return (
            f"**{name}**: {side.yes} yes, {side.no} no, {side.abstain} abstain of {side.electorate} "
            f"({side.turnout:.0%} turnout): {verdict}"
        )

    head = f"Merge vote #{proposal.id} is closed."
    if merged:
        tail = (
            f"Both sides passed: **{merged}** now pools both task lists, memberships and goals. Members: "
            "please `/rate` the tasks that are new to you; until you do, the members who know them rate them."
        )
    else:
        tail = "The merge does not happen; both organizations carry on as before."
    return "\n".join([head, line(names[0], a), line(names[1], b), tail])


# -- commands ----------------------------------------------------------------------------------------


@merge_group.command(name="propose", description="Propose merging with another organization (both vote)")
@app_commands.describe(
    code="The other organization's merge code (from its /org)",
    name="Name of the merged organization (default: both names)",
    vote_hours="How long the vote stays open (default: your organization's setting)",
)
async def propose(
    interaction: discord.Interaction,
    code: app_commands.Range[str, 4, 16],
    name: app_commands.Range[str, 1, 100] | None = None,
    vote_hours: app_commands.Range[int, 1, 720] | None = None,
) -> None:
    await interaction.response.defer(ephemeral=True, thinking=True)
    cog: MergeCog = interaction.client.get_cog("MergeCog")
    proposal = await cog.propose(interaction, code, name, vote_hours)
    await interaction.followup.send(
        f"Merge vote #{proposal.id} is open on both sides until {discord.utils.format_dt(proposal.closes_at, 'F')}.",
        ephemeral=True,
    )


@merge_group.command(name="cancel", description="Withdraw a merge vote (either side's moderators)")
@app_commands.describe(proposal="The vote's number, from /merge status")
async def cancel(interaction: discord.Interaction, proposal: int) -> None:
    cog: MergeCog = interaction.client.get_cog("MergeCog")
    await interaction.response.send_message(await cog.cancel(interaction, proposal), ephemeral=True)


@app_commands.command(
    name="vote", description="Vote on a merge: yes, no or abstain (you can change it until the close)"
)
@app_commands.describe(proposal="The vote's number, from /merge status", choice="Your vote")
@app_commands.guild_only()
async def vote(interaction: discord.Interaction, proposal: int, choice: Choice) -> None:
    cog: MergeCog = interaction.client.get_cog("MergeCog")
    await interaction.response.send_message(await cog.vote(interaction, proposal, choice), ephemeral=True)


@status_group.command(name="status", description="Open and recent merge votes, with turnout")
async def status(interaction: discord.Interaction) -> None:
    async with db(interaction).session() as session:
        org = await require_org(session, interaction)
        found = await merges.recent_proposals(session, await rotas.lineage(session, org.id))
        lines = []
        for proposal in found:
            a, b = sides(proposal, await merges.tally(session, proposal.id))
            first = await session.get(Organization, proposal.proposer_org_id)
            second = await session.get(Organization, proposal.other_org_id)
            head = f"**#{proposal.id}** {first.name} + {second.name} → {proposal.name}: **{proposal.status}**"
            if proposal.status == "open":
                turnout = (
                    f"{first.name} {a.cast}/{a.electorate} voted, {second.name} {b.cast}/{b.electorate} "
                    f"voted; closes {discord.utils.format_dt(proposal.closes_at, 'R')}"
                )
                member = await member_for(session, org.id, interaction.user.id)
                mine = await session.get(MergeVote, (proposal.id, member.id)) if member else None
                yours = f"; your vote: {mine.choice}" if mine else ""
                lines.append(f"{head}\n{turnout}{yours}")
            elif proposal.status in ("passed", "failed"):
                lines.append(
                    f"{head}\n{first.name}: {a.yes}/{a.no}/{a.abstain} (yes/no/abstain); "
                    f"{second.name}: {b.yes}/{b.no}/{b.abstain}"
                )
            else:
                lines.append(head)
    embed = discord.Embed(title="Merge votes", description=clip("\n\n".join(lines) or "None yet.", 4096))
    await interaction.response.send_message(embed=embed, ephemeral=True)


async def setup(bot: RotaBot) -> None:
    bot.add_dynamic_items(MergeVoteButton)
    await bot.add_cog(MergeCog(bot))
    add_to_mod(bot, merge_group)
    bot.tree.add_command(vote, override=True)
    bot.tree.add_command(status_group, override=True)
