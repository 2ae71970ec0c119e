"""The weekly rota: scheduled publication, the post, `/rota`, `/myjobs`, `/swap`, `/done`, `/notify`,
and `/mod rota preview|publish`."""

from __future__ import annotations

import asyncio
import contextlib
import csv
import io
import json
import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING, Literal

import discord
from discord import app_commands
from discord.ext import commands
from sqlmodel import select

from bot.chart import balance_chart
from bot.client import answer_error
from bot.errors import BadInput, UserFacingError
from bot.rota import (
    iso_week,
    member_key,
    parse_week,
    reason,
    solve_week,
    solver_inputs,
    task_key,
    week_days,
    week_published_at,
)
from bot.schedule import zone
from bot.scheduler import Schedule, WeeklyScheduler, cancel_and_wait, last_due, missed_runs
from bot.solver import Plan, ProblemError
from cogs.common import ModeratorGroup, RotaView, add_to_mod, clip, db, require_org
from cogs.members import require_member
from storage import members as member_queries
from storage import orgs, rotas
from storage.models import Assignment, MemberRow, Organization, Rota, SwapOffer, TaskRow, utcnow

if TYPE_CHECKING:
    from bot.client import RotaBot

log = logging.getLogger(__name__)

MARKER = "parecon-rota · {week} · rota #{rota_id}"  # in the post's footer: finds a post sent before a crash
FIELDS_PER_EMBED = 25
EMBED_BUDGET = 5500  # of Discord's 6,000 characters per message, leaving room for titles and footers

rota_group = ModeratorGroup(name="rota", description="Preview or publish the weekly rota")


@dataclass
class Published:
    rota: Rota
    created: bool  # this call stored the rota (rather than finding it)
    posted: int  # messages sent by this call


# -- rendering -------------------------------------------------------------------------------------


def week_label(week: str) -> str:
    first, last = week_days(week)
    start = datetime.combine(first, time(12), tzinfo=UTC)
    end = datetime.combine(last, time(12), tzinfo=UTC)
    return f"{week} ({discord.utils.format_dt(start, 'D')} – {discord.utils.format_dt(end, 'D')})"


def balance_lines(report: dict) -> list[str]:
    members = [m for m in report["members"] if m["hours"] > 0]
    lines = []
    if members:
        shares = [m["hours_share"] for m in members]
        lines.append(f"Hours against availability: {min(shares):.0%}–{max(shares):.0%}")
    if report.get("desirability_range"):
        low, high = report["desirability_range"]
        lines.append(f"Average desirability per member: {low:.1f}–{high:.1f} (organization {report['average'][0]:.1f})")
        low, high = report["empowerment_range"]
        lines.append(f"Average empowerment per member: {low:.1f}–{high:.1f} (organization {report['average'][1]:.1f})")
    lines.append(f"Spread-sum {report['spread_sum']:.2f} (0 = perfectly balanced)")
    if report.get("overload"):
        lines.append(f"⚠️ The work exceeds everyone's hours: each member is about {report['overload']:.0%} over.")
    if report.get("flagged"):
        lines.append(f"{report['flagged']} task(s) have too few ratings and count as neutral: `/rate` them.")
    return lines


def by_member(held: list[rotas.Held]) -> dict[int, list[rotas.Held]]:
    grouped: dict[int, list[rotas.Held]] = defaultdict(list)
    for item in held:
        grouped[item.member.id].append(item)
    return grouped


def complex_text(items: list[rotas.Held]) -> str:
    parts = [
        f"{item.task.name} ({item.assignment.hours:g} h{' ✓' if item.assignment.done_at else ''})" for item in items
    ]
    return ", ".join(parts)


def rota_embeds(org: Organization, rota: Rota, held: list[rotas.Held], notes: list[str]) -> list[discord.Embed]:
    """The post: balance figures, then each member's job complex, within Discord's limits."""
    report = json.loads(rota.report)
    head = discord.Embed(title=clip(f"{org.name}: rota for week {rota.week}", 256), colour=discord.Colour.dark_green())
    head.description = clip("\n".join([week_label(rota.week), "", *balance_lines(report), *notes]), 4096)
    head.set_image(url="attachment://balance.png")
    head.set_footer(text=MARKER.format(week=rota.week, rota_id=rota.id))
    embeds, current, used = [head], head, len(head.description) + len(head.title) + 60
    grouped = by_member(held)
    members = sorted(grouped.values(), key=lambda items: items[0].member.display_name.lower())
    for index, items in enumerate(members):
        member = items[0].member
        hours = sum(i.assignment.hours for i in items)
        name = clip(f"{member.display_name} — {hours:g} h", 256)
        value = clip(f"<@{member.user_id}>: {complex_text(items)}", 1024)
        cost = len(name) + len(value)
        remaining = len(members) - index
        if used + cost > EMBED_BUDGET - 100 or (len(embeds) == 10 and len(current.fields) >= FIELDS_PER_EMBED - 1):
            current.add_field(name="…", value=f"and {remaining} more member(s): see the attached CSV.", inline=False)
            break
        if len(current.fields) >= FIELDS_PER_EMBED:
            current = discord.Embed(colour=discord.Colour.dark_green())
            embeds.append(current)
        current.add_field(name=name, value=value, inline=False)
        used += cost
    return embeds


def rota_csv(rota: Rota, held: list[rotas.Held]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(("task", "member", "hours", "week"))
    for item in held:
        writer.writerow((item.task.name, item.member.display_name, f"{item.assignment.hours:g}", rota.week))
    return out.getvalue().encode()


def chart_points(report: dict, names: dict[str, str]) -> list[tuple[str, float, float]]:
    return [
        (names.get(m["member"], m["member"]), m["average_desirability"], m["average_empowerment"])
        for m in report["members"]
        if m["average_desirability"] is not None
    ]


def plan_report(plan: Plan, flagged: int) -> dict:
    balance = plan.balance.to_dict()
    hours = sum(m["hours"] for m in balance["members"]) or 1.0
    unpleasant = sum(m["unpleasantness"] for m in balance["members"])
    empowering = sum(m["empowerment"] for m in balance["members"])
    return balance | {
        "average": (round(11 - unpleasant / hours, 2), round(empowering / hours, 2)),
        "method": plan.method,
        "seconds": plan.seconds,
        "overload": plan.overload,
        "flagged": flagged,
    }


# -- swaps -------------------------------------------------------------------------------------------


class SwapButton(discord.ui.DynamicItem[discord.ui.Button], template=r"swap:(?P<offer>\d+):(?P<choice>accept|decline)"):
    """Accept / Decline on a swap offer. Its state lives in the custom id and the database, so the
    buttons keep working after a restart."""

    def __init__(self, offer_id: int, choice: str) -> None:
        accept = choice == "accept"
        super().__init__(
            discord.ui.Button(
                label="Accept" if accept else "Decline",
                style=discord.ButtonStyle.success if accept else discord.ButtonStyle.secondary,
                custom_id=f"swap:{offer_id}:{choice}",
            )
        )
        self.offer_id, self.choice = offer_id, choice

    @classmethod
    async def from_custom_id(cls, _interaction, _item, match) -> SwapButton:
        return cls(int(match["offer"]), match["choice"])

    async def callback(self, interaction: discord.Interaction) -> None:
        # discord.py only logs a dynamic item's errors: answer them like a command's.
        try:
            await self._answer(interaction)
        except Exception as error:
            await answer_error(interaction, error)

    async def _answer(self, interaction: discord.Interaction) -> None:
        async with db(interaction).transaction() as session:
            offer = await session.get(SwapOffer, self.offer_id)
            if offer is None:
                raise BadInput("This offer no longer exists.")
            target = await session.get(MemberRow, offer.to_member_id)
            if target.user_id != interaction.user.id:
                raise BadInput("Only the member this offer is made to can answer it.")
            if offer.status != "open":
                raise BadInput(f"This offer was already {offer.status}.")
            piece = await session.get(Assignment, offer.assignment_id)
            task = await session.get(TaskRow, piece.task_id)
            giver = await session.get(MemberRow, offer.from_member_id)
            offer.decided_at = utcnow()
            if self.choice == "decline":
                offer.status = "declined"
                text = f"<@{target.user_id}> declined to take **{task.name}** from <@{giver.user_id}>."
            else:
                if piece.member_id != offer.from_member_id:
                    raise BadInput("The offer is out of date: that piece changed hands already.")
                await _check_can_take(session, piece, task, target)
                offer.status, piece.member_id = "accepted", target.id
                text = (
                    f"<@{target.user_id}> took **{task.name}** ({piece.hours:g} h) from <@{giver.user_id}> "
                    "this week. The rota and the ledger now show who really does it."
                )
        await interaction.response.edit_message(content=text, view=None)


async def _check_can_take(session, piece: Assignment, task: TaskRow, target: MemberRow) -> None:
    if task.qualification and task.qualification not in await member_queries.qualifications(session, target.id):
        raise BadInput(f"**{task.name}** needs `{task.qualification}`, which <@{target.user_id}> does not have.")
    already = (
        await session.execute(
            select(Assignment).where(
                Assignment.rota_id == piece.rota_id,
                Assignment.task_id == piece.task_id,
                Assignment.member_id == target.id,
            )
        )
    ).first()
    if already is not None:
        raise BadInput(f"<@{target.user_id}> already holds part of **{task.name}** this week: one person per slot.")


class RepublishView(RotaView):
    def __init__(self, cog: RotaCog, org_id: int, week: str, owner_id: int) -> None:
        super().__init__(timeout=300)
        self.cog, self.org_id, self.week, self.owner_id = cog, org_id, week, owner_id

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        return interaction.user.id == self.owner_id

    @discord.ui.button(label="Re-publish (replaces it)", style=discord.ButtonStyle.danger)
    async def confirm(self, interaction: discord.Interaction, _button: discord.ui.Button) -> None:
        await interaction.response.edit_message(content="Re-publishing…", view=None)
        await self.cog.publish(self.org_id, self.week, replace=True)
        await interaction.edit_original_response(content=f"Re-published the rota for week {self.week}.")
        self.stop()

    @discord.ui.button(label="Keep it", style=discord.ButtonStyle.secondary)
    async def cancel(self, interaction: discord.Interaction, _button: discord.ui.Button) -> None:
        await interaction.response.edit_message(content="Kept the published rota.", view=None)
        self.stop()


async def my_task_choices(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    """The tasks you hold this week whose name contains what you typed."""
    try:
        _, _, _, mine = await interaction.client.get_cog("RotaCog")._my_current(interaction)
    except UserFacingError:
        return []
    names = sorted({i.task.name for i in mine if current.strip().lower() in i.task.name.lower()})
    return [app_commands.Choice(name=n, value=n) for n in names[:25]]


# -- the cog ---------------------------------------------------------------------------------------


class RotaCog(commands.Cog):
    def __init__(self, bot: RotaBot) -> None:
        self.bot = bot
        self.locks: dict[int, asyncio.Lock] = defaultdict(asyncio.Lock)
        self.scheduler: WeeklyScheduler | None = None
        self._catch_up: asyncio.Task | None = None

    async def cog_load(self) -> None:
        if not self.bot.settings.scheduler_enabled:
            return
        self.scheduler = WeeklyScheduler(self.publish_due)
        self.scheduler.start()
        self.bot.jobs = self.scheduler  # other cogs schedule their one-off jobs on the same scheduler
        schedules = await self._schedules()
        self.scheduler.reconcile(schedules)
        self._catch_up = asyncio.create_task(self._catch_up_missed(schedules))

    async def cog_unload(self) -> None:
        if self._catch_up is not None:
            await cancel_and_wait({self._catch_up}, 10)
        if self.scheduler is not None:
            await self.scheduler.stop()

    async def _schedules(self, org_id: int | None = None) -> list[Schedule]:
        async with self.bot.db.session() as session:
            query = select(Organization).where(Organization.archived_at.is_(None))
            if org_id is not None:
                query = query.where(Organization.id == org_id)
            found = (await session.execute(query)).scalars()
            return [Schedule(o.id, o.timezone, o.publish_day, o.publish_time) for o in found]

    async def _catch_up_missed(self, schedules: list[Schedule]) -> None:
        await self.bot.wait_until_ready()
        for org_id in missed_runs(schedules, self.bot.clock()):
            try:
                await self.publish_due(org_id)
            except Exception:
                log.exception("catching up the publication of organization %s failed", org_id)

    @commands.Cog.listener()
    async def on_schedule_changed(self, org_id: int) -> None:
        if self.scheduler is not None:
            schedules = await self._schedules(org_id)
            if schedules:
                self.scheduler.reconcile(schedules, complete=False)
            else:  # archived by a merge
                self.scheduler.remove(org_id)

    async def publish_due(self, org_id: int) -> Published | None:
        """Publish the week whose scheduled time is the latest one now due, unless it is out already."""
        schedules = await self._schedules(org_id)
        if not schedules:
            return None
        due = last_due(schedules[0], self.bot.clock())
        if due is None:
            return None
        return await self.publish(org_id, week_published_at(due.astimezone(zone(schedules[0].timezone))))

    # -- building and publishing ---------------------------------------------------------------------

    async def plan_week(self, org_id: int, week: str) -> tuple[Plan, dict, list[tuple[int, int, float]]]:
        """Solve the week off the event loop: the plan, its report and its (task, member, hours) pieces."""
        async with self.bot.db.session() as session:
            tasks, members, past = await rotas.week_inputs(session, org_id, week)
        if not tasks:
            raise BadInput("There are no tasks yet: add some with `/mod task add` or `/mod task import`.")
        if not any(m.hours > 0 for m in members):
            raise BadInput("Nobody is in the rota yet (or everyone is away): members join with `/join`.")
        settings = self.bot.settings
        try:
            plan, flagged = await self.bot.workers.run(
                solve_week,
                week,
                tasks,
                members,
                past,
                settings.solver_time_limit,
                timeout=settings.solver_time_limit + 120,  # the budget, plus a worker's start and imports
            )
        except ProblemError as error:
            detail = str(error)
            if error.task is not None:  # the solver knows tasks by key: name the task as people do
                task = tasks[error.task]
                detail = detail.replace(repr(task_key(task.id)), repr(task.name))
            raise BadInput(
                f"I can't build the rota: {detail}. Fix the task (`/mod task edit`) or the members "
                "(`/mod member qualify`, `/join`)."
            ) from None
        pieces = [(int(p.task[1:]), int(p.member[1:]), p.hours) for p in plan.pieces]
        return plan, plan_report(plan, flagged), pieces

    async def publish(self, org_id: int, week: str, *, replace: bool = False) -> Published:
        """Store the week's rota once, then post it to every server of the organization once.

        Safe to call again at any point: a stored rota is reused, a post already sent is found (by
        its id, or by its footer in the channel when the bot died between sending and recording).
        """
        async with self.locks[org_id]:
            async with self.bot.db.session() as session:
                rota = await rotas.rota_for(session, org_id, week)
            created = False
            if rota is None or replace:
                plan, report, pieces = await self.plan_week(org_id, week)
                async with self.bot.db.transaction() as session:
                    if rota is None:
                        rota = await rotas.store_rota(
                            session, org_id, week, plan.balance.spread_sum, json.dumps(report), pieces
                        )
                        created = rota is not None
                    else:
                        rota = await session.get(Rota, rota.id)
                        rota.report, rota.spread_sum, rota.published_at = (
                            json.dumps(report),
                            plan.balance.spread_sum,
                            None,
                        )
                        await rotas.replace_assignments(session, rota, pieces)
                        created = True
                if rota is None:  # another process stored it between our check and our insert
                    async with self.bot.db.session() as session:
                        rota = await rotas.rota_for(session, org_id, week)
            posted = await self._post_everywhere(org_id, rota, replace=replace)
            return Published(rota, created, posted)

    async def _post_everywhere(self, org_id: int, rota: Rota, *, replace: bool) -> int:
        async with self.bot.db.session() as session:
            org = await session.get(Organization, org_id)
            servers = await orgs.servers_of(session, org_id)
            held = await rotas.holdings(session, rota.id)
            first_time = rota.published_at is None
        notes = await self._move_roles(org_id, rota, held, servers) if first_time else []
        report = json.loads(rota.report)
        names = {member_key(h.member.id): h.member.display_name for h in held}
        chart = await self.bot.workers.run(
            balance_chart,
            chart_points(report, names),
            tuple(report.get("average") or (5.5, 5.5)),
            f"{org.name}: week {rota.week}",
        )
        posted = 0
        for server in servers:
            posted += await self._post_to_server(org, rota, held, server, notes, chart, replace=replace)
        if first_time:
            async with self.bot.db.transaction() as session:
                stored = await session.get(Rota, rota.id)
                stored.published_at = utcnow()
            await self._notify_members(org, rota, held)
        return posted

    async def _post_to_server(self, org, rota, held, server, notes, chart: bytes, *, replace: bool) -> int:
        async with self.bot.db.transaction() as session:
            post = await rotas.post_for(session, rota.id, server.guild_id, server.channel_id)
            if replace and post.message_id:
                await self._delete_message(post.channel_id, post.message_id)
                post.message_id = None
        if post.message_id and not replace:
            return 0
        channel = self.bot.get_partial_messageable(post.channel_id, guild_id=server.guild_id)
        marker = MARKER.format(week=rota.week, rota_id=rota.id)
        message = None if replace else await self._find_post(channel, marker)
        posted = 0
        if message is None:
            files = [
                discord.File(io.BytesIO(chart), "balance.png"),
                discord.File(io.BytesIO(rota_csv(rota, held)), f"rota-{rota.week}.csv"),
            ]
            message = await channel.send(embeds=rota_embeds(org, rota, held, notes), files=files)
            posted = 1
        async with self.bot.db.transaction() as session:
            post = await rotas.post_for(session, rota.id, server.guild_id, server.channel_id)
            post.message_id, post.posted_at, post.notes = message.id, utcnow(), "\n".join(notes)[:1000]
        return posted

    async def _find_post(self, channel, marker: str) -> discord.Message | None:
        """A post of ours with this marker among the channel's recent messages (sent before a crash)."""
        try:
            async for message in channel.history(limit=50):
                if message.author.id == self.bot.user.id and any(
                    (e.footer.text or "") == marker for e in message.embeds
                ):
                    return message
        except discord.HTTPException:
            log.warning("could not read the history of channel %s", channel.id, exc_info=True)
        return None

    async def _delete_message(self, channel_id: int, message_id: int) -> None:
        with contextlib.suppress(discord.NotFound):
            await self.bot.get_partial_messageable(channel_id).get_partial_message(message_id).delete()

    async def _move_roles(self, org_id: int, rota: Rota, held: list[rotas.Held], servers) -> list[str]:
        """Give each task's role to this week's holders and take it from last week's others."""
        role_tasks = {h.task.id: h.task for h in held if h.task.role_id}
        if not role_tasks:
            return []
        async with self.bot.db.session() as session:
            previous = await rotas.rota_for(session, org_id, iso_week(week_days(rota.week)[0] - timedelta(days=7)))
            before = await rotas.holdings(session, previous.id) if previous else []
        guild_ids = [s.guild_id for s in servers]
        problems = set()
        for task in role_tasks.values():
            now_users = {h.member.user_id for h in held if h.task.id == task.id}
            before_users = {h.member.user_id for h in before if h.task.id == task.id} - now_users
            for guild_id in guild_ids:
                guild = self.bot.get_guild(guild_id)
                if guild is None or guild.get_role(task.role_id) is None:
                    continue
                for user_id, add in [(u, True) for u in now_users] + [(u, False) for u in before_users]:
                    try:
                        if add:
                            await self.bot.http.add_role(guild_id, user_id, task.role_id, reason=f"rota {rota.week}")
                        else:
                            await self.bot.http.remove_role(guild_id, user_id, task.role_id, reason=f"rota {rota.week}")
                    except discord.Forbidden:
                        problems.add(
                            f"⚠️ I could not move the <@&{task.role_id}> role: I need **Manage Roles** and a "
                            "role above it."
                        )
                    except discord.NotFound:
                        pass  # the member left that server
        return sorted(problems)

    async def _notify_members(self, org: Organization, rota: Rota, held: list[rotas.Held]) -> None:
        for items in by_member(held).values():
            member = items[0].member
            if not member.notify:
                continue
            try:
                user = self.bot.get_user(member.user_id) or await self.bot.fetch_user(member.user_id)
                await user.send(f"Your jobs in **{org.name}** for week {week_label(rota.week)}: {complex_text(items)}")
            except discord.HTTPException:
                log.info("could not DM member %s (DMs closed?)", member.user_id)

    # -- commands ----------------------------------------------------------------------------------

    @app_commands.command(name="rota", description="This week's rota (or another week's), privately")
    @app_commands.describe(week="An ISO week like 2026-W48 (default: this week)")
    @app_commands.guild_only()
    async def rota(self, interaction: discord.Interaction, week: str | None = None) -> None:
        async with db(interaction).session() as session:
            org = await require_org(session, interaction)
            wanted = parse_week(week) if week else self.current_week(org)
            stored = await rotas.rota_for(session, org.id, wanted)
            if stored is None or stored.published_at is None:
                raise BadInput(f"There is no published rota for week {wanted} yet.")
            held = await rotas.holdings(session, stored.id)
        await interaction.response.send_message(embeds=rota_embeds(org, stored, held, [])[:10], ephemeral=True)

    def current_week(self, org: Organization) -> str:
        return iso_week(self.bot.clock().astimezone(zone(org.timezone)).date())

    async def _my_current(self, interaction: discord.Interaction):
        async with db(interaction).session() as session:
            org = await require_org(session, interaction)
            member = await require_member(session, org.id, interaction.user, you=True)
            stored = await rotas.rota_for(session, org.id, self.current_week(org))
            held = await rotas.holdings(session, stored.id) if stored and stored.published_at else []
        return org, member, stored, [h for h in held if h.member.id == member.id]

    @app_commands.command(name="myjobs", description="Your job complex this week, and why")
    @app_commands.guild_only()
    async def myjobs(self, interaction: discord.Interaction) -> None:
        org, member, stored, mine = await self._my_current(interaction)
        if stored is None or stored.published_at is None:
            raise BadInput("This week's rota is not out yet.")
        if not mine:
            await interaction.response.send_message("You have no tasks this week.", ephemeral=True)
            return
        async with db(interaction).session() as session:
            tasks, members, past = await rotas.week_inputs(session, org.id, stored.week)
        # Only what the weeks carry is needed here: no feasibility check, nothing heavy on the loop.
        inputs = solver_inputs(stored.week, tasks, members, past)
        solver_tasks = {t.name: t for t in inputs.tasks}
        past_ratio = inputs.past_ratios().get(member.id)
        lines = []
        for item in mine:
            task = solver_tasks.get(task_key(item.task.id))
            why = reason(task, past_ratio, inputs.tasks) if task else ""
            done = " ✓ done" if item.assignment.done_at else ""
            lines.append(f"• **{item.task.name}**: {item.assignment.hours:g} h{done}" + (f" — {why}" if why else ""))
        total = sum(i.assignment.hours for i in mine)
        embed = discord.Embed(title=f"Your jobs, week {stored.week}", colour=discord.Colour.dark_green())
        embed.description = clip("\n".join([*lines, "", f"{total:g} h of your {member.hours:g} h"]), 4096)
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @app_commands.command(name="done", description="Mark one of your tasks this week as done")
    @app_commands.describe(task="Your task")
    @app_commands.autocomplete(task=my_task_choices)
    @app_commands.guild_only()
    async def done(self, interaction: discord.Interaction, task: str) -> None:
        _, _, _stored, mine = await self._my_current(interaction)
        item = next((i for i in mine if i.task.name.lower() == task.strip().lower()), None)
        if item is None:
            raise BadInput(f"You hold no `{clip(task, 100)}` this week. `/myjobs` lists yours.")
        async with db(interaction).transaction() as session:
            piece = await session.get(Assignment, item.assignment.id)
            if piece.done_at is not None:
                raise BadInput(f"**{item.task.name}** is already marked done.")
            piece.done_at = utcnow()
        await interaction.response.send_message(f"Marked **{item.task.name}** done. Thank you!", ephemeral=True)

    @app_commands.command(name="swap", description="Offer one of your tasks this week to another member")
    @app_commands.describe(task="Your task", member="Who you offer it to")
    @app_commands.autocomplete(task=my_task_choices)
    @app_commands.guild_only()
    async def swap(self, interaction: discord.Interaction, task: str, member: discord.Member) -> None:
        org, me, _stored, mine = await self._my_current(interaction)
        item = next((i for i in mine if i.task.name.lower() == task.strip().lower()), None)
        if item is None:
            raise BadInput(f"You hold no `{clip(task, 100)}` this week. `/myjobs` lists yours.")
        if member.id == interaction.user.id:
            raise BadInput("Offer it to someone else.")
        async with db(interaction).transaction() as session:
            target = await require_member(session, org.id, member, you=False)
            await _check_can_take(session, item.assignment, item.task, target)
            offer = SwapOffer(assignment_id=item.assignment.id, from_member_id=me.id, to_member_id=target.id)
            session.add(offer)
            await session.flush()
            offer_id = offer.id
        view = discord.ui.View(timeout=None)
        view.add_item(SwapButton(offer_id, "accept"))
        view.add_item(SwapButton(offer_id, "decline"))
        await interaction.response.send_message(
            f"{member.mention}, <@{interaction.user.id}> offers you **{item.task.name}** "
            f"({item.assignment.hours:g} h) this week. Accept?",
            view=view,
            allowed_mentions=discord.AllowedMentions(users=[member]),
        )

    @app_commands.command(name="notify", description="Get your weekly jobs by direct message, or stop")
    @app_commands.guild_only()
    async def notify(self, interaction: discord.Interaction, setting: Literal["on", "off"]) -> None:
        async with db(interaction).transaction() as session:
            org = await require_org(session, interaction)
            member = await require_member(session, org.id, interaction.user, you=True)
            member.notify = setting == "on"
        await interaction.response.send_message(
            "You will get your jobs by DM each week." if setting == "on" else "No more weekly DMs.", ephemeral=True
        )


@rota_group.command(name="preview", description="Next week's rota as it would be published now (nothing is stored)")
async def preview(interaction: discord.Interaction) -> None:
    cog: RotaCog = interaction.client.get_cog("RotaCog")
    await interaction.response.defer(ephemeral=True, thinking=True)
    async with db(interaction).session() as session:
        org = await require_org(session, interaction)
    week = iso_week(cog.bot.clock().astimezone(zone(org.timezone)).date() + timedelta(days=7))
    plan, report, pieces = await cog.plan_week(org.id, week)
    async with db(interaction).session() as session:
        tasks = {
            t.id: t for t in (await session.execute(select(TaskRow).where(TaskRow.organization_id == org.id))).scalars()
        }
        people = {
            m.id: m
            for m in (await session.execute(select(MemberRow).where(MemberRow.organization_id == org.id))).scalars()
        }
    held = [
        rotas.Held(Assignment(rota_id=0, task_id=t, member_id=m, assigned_member_id=m, hours=h), tasks[t], people[m])
        for t, m, h in pieces
    ]
    draft = Rota(id=0, organization_id=org.id, week=week, spread_sum=plan.balance.spread_sum, report=json.dumps(report))
    embeds = rota_embeds(org, draft, held, ["Preview: nothing is stored or posted."])
    embeds[0].set_image(url=None)
    await interaction.followup.send(embeds=embeds[:10], ephemeral=True)


@rota_group.command(name="publish", description="Publish this week's rota now (asks before replacing one)")
async def publish(interaction: discord.Interaction) -> None:
    cog: RotaCog = interaction.client.get_cog("RotaCog")
    async with db(interaction).session() as session:
        org = await require_org(session, interaction)
        week = cog.current_week(org)
        stored = await rotas.rota_for(session, org.id, week)
    if stored is not None and stored.published_at is not None:
        await interaction.response.send_message(
            f"The rota for week {week} was published {discord.utils.format_dt(stored.published_at, 'R')}. "
            "Re-publishing solves again and replaces the post.",
            view=RepublishView(cog, org.id, week, interaction.user.id),
            ephemeral=True,
        )
        return
    await interaction.response.defer(ephemeral=True, thinking=True)
    result = await cog.publish(org.id, week)
    async with db(interaction).transaction() as session:
        orgs.audit(session, org.id, interaction.user.id, "rota.publish", week)
    await interaction.followup.send(
        f"Published the rota for week {week} (spread-sum {result.rota.spread_sum:.2f}).", ephemeral=True
    )


async def setup(bot: RotaBot) -> None:
    bot.add_dynamic_items(SwapButton)
    await bot.add_cog(RotaCog(bot))
    add_to_mod(bot, rota_group)
