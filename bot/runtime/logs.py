"""The process's log setup: discord.py's format, in colour only on a terminal."""

from __future__ import annotations

import logging
import os
import sys
from typing import TextIO

import discord

from bot.runtime.redact import RedactingFilter

PLAIN = logging.Formatter("[{asctime}] [{levelname:<8}] {name}: {message}", "%Y-%m-%d %H:%M:%S", style="{")


def wants_colour(stream: TextIO) -> bool:
    """Colour for a person at a terminal; never in a file or a pipe (discord.py would colour any
    output inside Docker), nor when NO_COLOR is set."""
    return "NO_COLOR" not in os.environ and hasattr(stream, "isatty") and stream.isatty()


def setup_logging(level: int, stream: TextIO | None = None) -> None:
    stream = stream or sys.stderr
    handler = logging.StreamHandler(stream)
    if wants_colour(stream):
        discord.utils.setup_logging(level=level, handler=handler)
    else:
        discord.utils.setup_logging(level=level, handler=handler, formatter=PLAIN)
    handler.addFilter(RedactingFilter())  # whatever a library logs: no password in the log
