"""The demo's front ends: a prompt for a person at a terminal, or lines piped on stdin.

At a terminal, prompt_toolkit reads the input (any Unicode, so Vietnamese typed with an
input method arrives as typed) and prints the bot's messages above the prompt, even
when they arrive while the person is typing. Piped, each line is echoed into the
transcript and the next one is read only after the bot has answered, so a script of
lines gives the same transcript every time.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import AsyncIterator
from pathlib import Path

from prompt_toolkit import PromptSession, print_formatted_text
from prompt_toolkit.formatted_text import FormattedText
from prompt_toolkit.patch_stdout import patch_stdout
from prompt_toolkit.styles import Style

from bot.demo.session import DemoSession
from bot.demo.transcript import Fragments, plain
from bot.logs import setup_logging
from bot.settings import SettingsError

DEFAULT_DATABASE = Path("data/demo.db")
STYLE = Style.from_dict(
    {
        "b": "bold",
        "i": "italic",
        "u": "underline",
        "s": "strike",
        "code": "fg:ansicyan",
        "link": "underline fg:ansiblue",
        "spoiler": "reverse",
        "quote": "italic",
        "bot": "",
        "number": "bold fg:ansiyellow",
        "button": "fg:ansiyellow",
        "hint": "fg:ansibrightblack",
        "edit": "italic fg:ansimagenta",
        "toast": "fg:ansigreen",
        "notice": "fg:ansibrightblack",
        "you": "bold fg:ansigreen",
    }
)


def print_styled(line: Fragments) -> None:
    # Above the prompt if one is showing: prompt_toolkit redraws it underneath.
    print_formatted_text(FormattedText(line), style=STYLE)


def print_plain(line: Fragments) -> None:
    print(plain(line), flush=True)


async def stdin_lines() -> AsyncIterator[str]:
    """Lines from a pipe or a file, read in a thread so the bot keeps running meanwhile."""
    while True:
        line = await asyncio.to_thread(sys.stdin.readline)
        if not line:
            return
        yield line


async def run_script(demo: DemoSession, lines: AsyncIterator[str]) -> None:
    """Feed typed lines to the demo one by one, each after the bot answered the last;
    at :quit or the end, wait for what is being sent now."""
    async for line in lines:
        if not await demo.handle(line):
            break
    await demo.finish()


async def run_prompt(demo: DemoSession, prompt: PromptSession[str] | None = None) -> None:
    """Ask for lines at the terminal until :quit, Ctrl-D or Ctrl-C; then wait for what is
    being sent now."""
    prompt = prompt or PromptSession()
    while True:
        try:
            line = await prompt.prompt_async(lambda: FormattedText(demo.prompt()), style=STYLE)
        except (EOFError, KeyboardInterrupt):  # Ctrl-D, Ctrl-C
            break
        if not await demo.handle(line):
            break
    await demo.finish()


async def _main(database: Path, fresh: bool, interactive: bool) -> None:
    output = print_styled if interactive else print_plain
    # A script types faster than anyone could: the flood guard would drop its lines.
    unthrottled = {} if interactive else {"throttle_rate": 10_000, "throttle_burst": 10_000}
    demo = DemoSession(database, output, fresh=fresh, echo=not interactive, **unthrottled)
    try:
        await demo.start()
        demo.banner()
        if interactive:
            await run_prompt(demo)
        else:
            await run_script(demo, stdin_lines())
    finally:
        await demo.stop()


def main(*, fresh: bool = False, database: str | None = None) -> int:
    """`python -m bot demo`: returns the exit status."""
    interactive = sys.stdin.isatty() and sys.stdout.isatty()
    if not interactive:
        # A pipe has no terminal to agree with: UTF-8 both ways, whatever the locale says.
        for stream in (sys.stdin, sys.stdout):
            reconfigure = getattr(stream, "reconfigure", None)
            if reconfigure is not None:
                reconfigure(encoding="utf-8", errors="replace")
    path = Path(database) if database else DEFAULT_DATABASE
    try:
        # patch_stdout: a warning logged while the prompt shows goes above it, not into it.
        with patch_stdout(raw=True) if interactive else contextlib.nullcontext():
            setup_logging("WARNING", [])
            asyncio.run(_main(path, fresh, interactive))
    except SettingsError as error:
        print(error, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 0
    return 0
