"""`make demo`: the real bot in a terminal chat, with no Telegram, token or network.

The same Application (Dispatcher, handlers, storage, migrations) as `run` polls the
in-process fake Bot API (bot.emulator) on its own SQLite file; the terminal shows what
the bot sends and turns what the person types into updates.

- transcript: what a chat looks like as lines of text (pure, no I/O)
- people: the demo's identities and their rows in the database
- session: the emulator, the bot and the people, driven one input line at a time
- terminal: the front ends (an interactive prompt, or lines piped on stdin)
"""

from bot.demo.terminal import main

__all__ = ["main"]
