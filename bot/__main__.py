"""`python -m bot` runs the bot, like `parecon-rota run`."""

import sys

from bot.runtime.cli import main

sys.exit(main(sys.argv[1:] or ["run"]))
