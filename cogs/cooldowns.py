"""Per-member cooldowns on what costs the bot real work: drawing a chart (`/myjobs`, the post's
*My jobs* button) and solving a preview (`/mod rota preview`). One member clicking or typing fast
cannot hold the worker up for everyone else. The durations are settings (CHART_COOLDOWN,
PREVIEW_COOLDOWN; 0 turns one off)."""

from __future__ import annotations

import math
import weakref
from typing import TYPE_CHECKING, Literal

from discord.ext import commands

if TYPE_CHECKING:
    from cogs.host import RotaBot

Kind = Literal["chart", "preview"]

_mappings: weakref.WeakKeyDictionary[RotaBot, dict[Kind, commands.CooldownMapping[int]]] = weakref.WeakKeyDictionary()


def _for(bot: RotaBot) -> dict[Kind, commands.CooldownMapping[int]]:
    found = _mappings.get(bot)
    if found is None:
        seconds: dict[Kind, float] = {"chart": bot.settings.chart_cooldown, "preview": bot.settings.preview_cooldown}
        # Keyed by the user id (the "message" a mapping is asked about is the id itself).
        found = {
            kind: commands.CooldownMapping(commands.Cooldown(1, per) if per > 0 else None, lambda user_id: user_id)
            for kind, per in seconds.items()
        }
        _mappings[bot] = found
    return found


def retry_after(bot: RotaBot, kind: Kind, user_id: int) -> int | None:
    """None: go ahead (and the member's cooldown starts); else the whole seconds left to wait."""
    mapping = _for(bot)[kind]
    if not mapping.valid:
        return None
    bucket = mapping.get_bucket(user_id)
    left = bucket.update_rate_limit() if bucket is not None else None
    return None if left is None else max(1, math.ceil(left))
