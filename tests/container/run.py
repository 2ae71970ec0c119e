"""The container image as an organizer runs it, against the tests' fake Discord on loopback.

`make container-test` builds the image (`.ci/container-test`) and runs this with its name:

    python -m tests.container.run IMAGE

It starts the image on the host network with a volume for /data, waits for it to connect and
migrate, runs `parecon-rota health` inside it, sets up an organization through Discord and
publishes a week, stops it with SIGTERM (as `docker stop` does), and starts it again on the same
volume to see the data survive. On a failure it prints the container's log. The command that runs
the container engine is taken from $PODMAN (default: `podman`).
"""

from __future__ import annotations

import asyncio
import csv
import io
import os
import secrets
import shlex
import sys
import time
from dataclasses import dataclass, field

from tests.e2e.builders import publish_by_hand
from tests.e2e.fake_discord import FakeDiscord, FakeGuild, FakeUser, message_text

ENGINE = shlex.split(os.environ.get("PODMAN", "podman"))
CONNECT_S = 180  # a cold start on a busy machine: the interpreter, the migrations, the command sync
STOP_S = 60


class Failed(Exception):
    """A check of the container failed; the message says which."""


async def engine(*args: str, check: bool = True, timeout: float = 120) -> tuple[int, str]:
    """Run the container engine; its status and its output (standard output and error together)."""
    process = await asyncio.create_subprocess_exec(
        *ENGINE, *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    try:
        out, _ = await asyncio.wait_for(process.communicate(), timeout)
    except TimeoutError:
        process.kill()
        raise Failed(f"`{shlex.join(args)}` did not finish within {timeout:.0f} s") from None
    text = out.decode(errors="replace")
    if check and process.returncode != 0:
        raise Failed(f"`{shlex.join(args)}` exited {process.returncode}:\n{text}")
    assert process.returncode is not None
    return process.returncode, text


@dataclass
class Container:
    image: str
    volume: str
    env: dict[str, str]
    name: str = field(default_factory=lambda: f"parecon-rota-test-{secrets.token_hex(4)}")

    async def start(self) -> None:
        env = [arg for name, value in self.env.items() for arg in ("--env", f"{name}={value}")]
        await engine("run", "--detach", "--name", self.name, "--network", "host",
                     "--volume", f"{self.volume}:/data", *env, self.image)  # fmt: skip

    async def logs(self) -> str:
        return (await engine("logs", self.name, check=False))[1]

    async def exec(self, *command: str) -> tuple[int, str]:
        return await engine("exec", self.name, *command, check=False, timeout=60)

    async def wait_healthy(self, timeout: float = 60) -> str:
        """`parecon-rota health` inside the container, until it says healthy (the first heartbeat
        is written once the gateway is ready) or the time is up."""
        deadline = time.monotonic() + timeout
        while True:
            code, output = await self.exec("parecon-rota", "health")
            if code == 0:
                return output
            if time.monotonic() > deadline:
                raise Failed(f"`parecon-rota health` inside the container still exits {code}:\n{output}")
            await asyncio.sleep(1)  # the next heartbeat is written within seconds

    async def stop_with_sigterm(self) -> tuple[int, str]:
        """SIGTERM, as `docker stop` sends it; the exit status once the container has ended."""
        await engine("kill", "--signal", "TERM", self.name)
        _, status = await engine("wait", self.name, timeout=STOP_S)
        return int(status.strip().splitlines()[-1]), await self.logs()

    async def remove(self) -> None:
        await engine("rm", "--force", "--time", "0", self.name, check=False)


@dataclass
class People:
    guild: FakeGuild
    moderator: FakeUser
    members: list[FakeUser]


def indented(text: str) -> str:
    return "\n".join("       " + line for line in text.strip().splitlines())


def step(text: str) -> None:
    print(f"ok   {text}", flush=True)


async def say(fake: FakeDiscord, people: People, user: FakeUser, command: str, **options) -> str:
    record = await fake.invoke(people.guild, user, command, **options)
    text = await record.text(timeout=60)
    if "Sorry" in text:
        raise Failed(f"/{command} failed: {text}")
    return text


async def connected(fake: FakeDiscord, container: Container, identifies: int) -> None:
    """Until the bot in the container identifies on the gateway; a container that ends first fails at once."""
    identified = asyncio.ensure_future(
        fake.wait_until(lambda: fake.identifies > identifies, CONNECT_S, "the container to connect")
    )
    ended = asyncio.ensure_future(engine("wait", container.name, check=False, timeout=CONNECT_S + 10))
    done, _ = await asyncio.wait({identified, ended}, return_when=asyncio.FIRST_COMPLETED)
    for task in (identified, ended):
        task.cancel()
    if identified in done and identified.exception() is None:
        return
    if ended in done and not ended.cancelled() and ended.exception() is None:
        raise Failed(f"the container ended before it connected (status {ended.result()[1].strip()})")
    raise Failed(str(identified.exception()))


async def first_week(fake: FakeDiscord, people: People) -> None:
    """An organization's first hour: set up, tasks, members joining and rating, a publication."""
    guild, mod = people.guild, people.moderator
    assert "created" in await say(fake, people, mod, "mod org setup", channel=guild.channel("rota"))
    for name, hours in (("Bake bread", 4), ("Do the accounts", 2)):
        await say(fake, people, mod, "mod task add", name=name, hours=hours)
    for user in people.members:
        await fake.member_joins(guild, user)
        await say(fake, people, user, "join", hours=3)
        await say(fake, people, user, "rate", task="Bake bread", desirability=6, empowerment=3)
    step("organization set up with 2 tasks; 2 members joined and rated")

    reply = await publish_by_hand(fake, guild, mod, timeout=120, week="this")
    if "Published the rota" not in reply:
        raise Failed(f"the publication did not happen: {reply}")
    posts = [m for m in fake.channel_messages(guild.channel("rota")) if m.get("embeds")]
    if len(posts) != 1:
        raise Failed(f"expected one rota post in #rota, found {len(posts)}")
    [post] = posts
    files = {f["filename"]: fake.attachment_bytes(f) for f in post.get("attachments", [])}
    [table] = [content for filename, content in files.items() if filename.endswith(".csv")] or [b""]
    rows = list(csv.DictReader(io.StringIO(table.decode())))
    held = {(row["task"], row["member"]) for row in rows}
    if {task for task, _ in held} != {"Bake bread", "Do the accounts"}:
        raise Failed(f"the post's table does not hold both tasks: {rows}")
    if {member for _, member in held} != {user.name for user in people.members}:
        raise Failed(f"the post's table does not give work to both members: {rows}")
    if sum(float(row["hours"]) for row in rows) != 6:
        raise Failed(f"the post's table does not add up to the 6 hours of tasks: {rows}")
    step(f"published: one post in #rota with its table ({len(rows)} rows, 6 h shared by 2 members)")


async def stopped_cleanly(container: Container) -> None:
    status, logs = await container.stop_with_sigterm()
    if status != 0 or "closed cleanly" not in logs or "Traceback" in logs:
        raise Failed(f"SIGTERM ended the container with status {status} and this log:\n{logs}")
    step("SIGTERM: exit status 0 and `closed cleanly` in the log, no traceback")


async def check(image: str) -> None:
    fake = await FakeDiscord().start()
    guild = fake.add_guild("Bakery Collective")
    moderator = fake.add_user("mod")
    fake.add_member(guild, moderator, "Moderator")
    people = People(guild, moderator, [fake.add_user("alice"), fake.add_user("bob")])
    volume = f"parecon-rota-test-{secrets.token_hex(4)}"
    env = {
        "DISCORD_TOKEN": fake.token,
        "DISCORD_API_BASE": fake.api_base,
        "DISCORD_GATEWAY_URL": fake.gateway_url,
        "SCHEDULER_ENABLED": "true",
        "SOLVER_TIME_LIMIT": "2",
    }
    containers: list[Container] = []
    try:
        await engine("volume", "create", volume)
        first = Container(image, volume, env)
        containers.append(first)
        await first.start()
        await connected(fake, first, 0)
        step(f"started on the host network with the volume {volume} at /data; connected to the fake Discord")
        health = await first.wait_healthy()
        step("`parecon-rota health` inside the container exits 0:\n" + indented(health))
        await first_week(fake, people)
        await stopped_cleanly(first)

        second = Container(image, volume, env)
        containers.append(second)
        identifies = fake.identifies
        await second.start()
        await connected(fake, second, identifies)
        health = await second.wait_healthy()
        if "next scheduled publication: 2" not in health:
            raise Failed(f"after a second start, health shows no scheduled publication:\n{health}")
        record = await fake.invoke(guild, people.members[0], "rota")
        shown = message_text(await record.wait_reply(60))
        if "Bake bread" not in shown or "Do the accounts" not in shown:
            raise Failed(f"after a second start, /rota does not show the published week: {shown}")
        step("second start on the same volume: healthy with a scheduled publication; /rota shows the week published")
        await stopped_cleanly(second)
        if fake.rejected:
            raise Failed(f"the fake Discord refused requests of the bot: {fake.rejected}")
    except (Failed, AssertionError) as error:
        for container in containers:
            print(f"\n--- log of {container.name} ---\n{await container.logs()}", file=sys.stderr)
        raise Failed(str(error) or repr(error)) from None
    finally:
        for container in containers:
            await container.remove()
        await engine("volume", "rm", "--force", volume, check=False)
        await fake.stop()


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    started = time.monotonic()
    try:
        asyncio.run(check(sys.argv[1]))
    except Failed as error:
        print(f"FAIL container test: {error}", file=sys.stderr)
        return 1
    print(f"container test passed in {time.monotonic() - started:.0f} s (from the image's first start)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
