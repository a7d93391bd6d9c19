"""One demo: the fake Bot API, the real bot polling it, and the people taking turns typing.

`DemoSession.handle` takes one line as a person typed it, turns it into an update (a
message, a button press, a shared contact...) and returns once the bot has finished
handling it, so the answer is on screen before the next prompt. That needs no sleeping:
the bot polls with `handle_as_tasks=False`, so it asks the emulator for the next updates
only after handling the previous ones, and that request confirms them
(`FakeBotAPI.wait_handled`). A person typing is one update at a time anyway, so the
demo loses nothing by handling updates in order.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import re
import secrets
import shlex
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

from aiogram.utils.i18n import gettext as _

from bot.app import Application, create_application
from bot.demo import people
from bot.demo.people import Kind, Person
from bot.demo.transcript import BOT, INDENT, Choice, ChoiceKind, Fragments, first_line
from bot.emulator import FakeBotAPI, Sent
from bot.settings import load_settings
from bot.zalo.fake import FakeZaloAPI, ZaloSent, ZaloUser
from storage.models import User
from storage.repositories import accounts
from storage.repositories import updates as handled_updates

Output = Callable[[Fragments], None]
# Hoàn Kiếm Lake, for `:location` without coordinates.
DEFAULT_LOCATION = (21.0288, 105.8525)
# The stand-in numbers its messages from (last update id × this) after a restart: no demo
# turn sends that many, so a new message never takes the id of one from before.
MESSAGES_PER_UPDATE = 100
NOTEWORTHY = {"sendMessage", "sendPhoto", "sendDocument", "editMessageText"}


def telegram_phone(typed: str) -> str:
    """A typed number as Telegram puts it in a shared contact: digits, country code first."""
    digits = re.sub(r"\D", "", typed)
    if typed.strip().startswith("+"):
        return digits
    if digits.startswith("0"):
        return "84" + digits[1:]
    return digits


def sqlite_url(database: Path) -> str:
    return f"sqlite+aiosqlite:///{database.resolve()}"


def buttons_file(database: Path) -> Path:
    """Beside the database: the buttons last on each person's screen, kept across restarts."""
    return database.with_name(database.stem + ".buttons.json")


def remove_database(database: Path) -> None:
    """Start over: the SQLite file, its write-ahead log, and the buttons on screen."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        database.with_name(database.name + suffix).unlink(missing_ok=True)
    buttons_file(database).unlink(missing_ok=True)


class DemoSession:
    """The emulator and the bot in this process, and who is typing."""

    def __init__(
        self,
        database: Path,
        output: Output,
        *,
        fresh: bool = False,
        echo: bool = False,
        reply_timeout: float = 30,
        settle_timeout: float = 10,
        **settings: Any,
    ) -> None:
        self.database = database
        self.output = output
        self.fresh = fresh
        self.echo = echo  # piped input is not on screen: show it in the transcript
        self.reply_timeout = reply_timeout
        self.settle_timeout = settle_timeout
        self.settings_overrides = settings
        self.api = FakeBotAPI()
        # Zalo too: `:zalo` types as a Zalo user, and sees what Zalo shows (text only).
        self.zalo_api = FakeZaloAPI()
        self.on_zalo: ZaloUser | None = None  # None: typing on Telegram
        self.zalo_unseen: dict[str, list[ZaloSent]] = {}
        self._zalo_shown = 0  # position in zalo_api.sent up to which messages were handled
        self._zalo_new = itertools.count()
        self.people: dict[int, Person] = {}
        self.names: dict[int, str] = {}  # the registered names, of people from earlier runs
        self._saved_buttons: dict[str, Any] = {}  # user id → what _save_buttons wrote
        self.file_names: dict[str, str] = {}  # file_id → name, of what people sent from disk
        self._app: Application | None = None
        self._polling: asyncio.Task[None] | None = None
        self._current: Person | None = None

    # --- life cycle ------------------------------------------------------------------------

    @property
    def app(self) -> Application:
        assert self._app is not None, "the demo has not started"
        return self._app

    @property
    def current(self) -> Person:
        assert self._current is not None, "the demo has not started"
        return self._current

    async def start(self) -> None:
        if self.fresh:
            remove_database(self.database)
        self.database.parent.mkdir(parents=True, exist_ok=True)
        await self.api.start()
        await self.zalo_api.start()
        # Whatever .env says about the real bot, the demo keeps to its own file and admin.
        settings = load_settings(
            **{
                "database_url": sqlite_url(self.database),
                "telegram_api_base": self.api.base_url,
                "zalo_api_base": self.zalo_api.base_url,
                "admin_ids": str(people.ADMIN_ID),
                "redis_url": None,
                "staff_chat_id": None,
                **self.settings_overrides,
            }
        )
        self._app = await create_application(
            settings, self.api.token, single_consumer=True, zalo_token=self.zalo_api.token
        )
        # Telegram's update_ids go on across restarts; the bot drops an id it has handled.
        async with self.app.sessionmaker() as session:
            last = await handled_updates.last_handled(session, self.api.bot_id, recent=False)
        self.api.number_updates_after(last or 0)
        # Message ids go on too: room for 100 messages an update since the last start.
        self.api.number_messages_after((last or 0) * MESSAGES_PER_UPDATE)
        self.api.remembers_earlier_messages = True
        await people.seed(self.app.sessionmaker, self.app.units)
        await people.seed_zalo(self.app.sessionmaker)
        self.names = await people.known_names(self.app.sessionmaker)
        self._saved_buttons = self._load_buttons()
        for person in people.seeded_people(self.api):
            self._add(person)
        self._current = self.people[people.OFFICER_ID]
        self.api.on_sent.append(self._on_sent)
        calls = self.api.get_updates_calls
        self._polling = asyncio.create_task(
            self.app.dispatcher.start_polling(
                self.app.bot,
                handle_signals=False,
                close_bot_session=False,
                handle_as_tasks=False,
                polling_timeout=10,
            )
        )
        # Ready once the first long poll arrives (start-up work is done by then).
        waiting = asyncio.ensure_future(self.api.wait_polling(calls, timeout=30))
        await asyncio.wait({waiting, self._polling}, return_when=asyncio.FIRST_COMPLETED)
        if self._polling.done():
            waiting.cancel()
            self._polling.result()  # start-up failed: raise its error
        await waiting

    async def finish(self) -> None:
        """Before leaving (:quit, the end of a script): what is due now goes out and shows
        first, for up to `settle_timeout` seconds — a notice just sent, with its progress
        and report, would else finish only at the next start."""
        if not await self.app.dispatcher["broadcasts"].settle(self.settle_timeout):
            with self.language():
                self.say(_("(Some messages are still being sent: they go out at the next start.)"))
        await self._show_zalo()

    async def stop(self) -> None:
        if self._app is not None:
            self._save_buttons()
            with contextlib.suppress(RuntimeError):  # polling never started
                await self._app.dispatcher.stop_polling()
            if self._polling is not None:
                with contextlib.suppress(asyncio.CancelledError):
                    await self._polling
            await self._app.close()
            self._app = None
        await self.api.stop()
        await self.zalo_api.stop()

    def _save_buttons(self) -> None:
        """The buttons on each screen, and the messages they are under, for the next start:
        typed letters press them then as now (Telegram keeps old buttons pressable too)."""
        saved = dict(self._saved_buttons)
        for user_id, person in self.people.items():
            ids = {c.message_id for c in person.view.choices if c is not None and c.message_id}
            messages = [self.api.message(user_id, i) for i in sorted(ids)]
            saved[str(user_id)] = {
                "buttons": person.view.saved(),
                "messages": [m for m in messages if m is not None],
            }
        path = buttons_file(self.database)
        path.write_text(json.dumps(saved, ensure_ascii=False, default=str), encoding="utf-8")

    def _load_buttons(self) -> dict[str, Any]:
        try:
            loaded = json.loads(buttons_file(self.database).read_text(encoding="utf-8"))
        except (OSError, ValueError):  # none yet, or not readable: the screens start empty
            return {}
        return loaded if isinstance(loaded, dict) else {}

    @contextlib.contextmanager
    def language(self) -> Iterator[None]:
        """The demo speaks the bot's default language (gettext needs an active catalogue)."""
        with self.app.i18n.context(), self.app.i18n.use_locale(self.app.settings.default_locale):
            yield

    # --- what the terminal shows -----------------------------------------------------------

    def say(self, text: str, style: str = "class:notice") -> None:
        for line in text.split("\n"):
            self.output([(style, line)])

    def prompt(self) -> Fragments:
        with self.language():
            if self.on_zalo is not None:
                return [("class:you", f"{self.on_zalo.name} (Zalo) › ")]
            return [("class:you", f"{self.current.title()} › ")]

    def banner(self) -> None:
        with self.language():
            unit = people.officer_unit(self.app.units)
            self.say(
                _("khcn-bot demo: the real bot, in this terminal, without Telegram."), "class:b"
            )
            self.say(
                _(
                    "Data: {path} (kept between runs; python -m bot demo --fresh starts over)."
                ).format(path=self.database)
            )
            self.say("")
            self.say(self.help_text())
            self.say("")
            self.say(
                _("You are typing as {who}, the officer of {unit}. Try /start or /help.").format(
                    who=self.current.name, unit=unit.name
                ),
                "class:b",
            )

    @staticmethod
    def help_text() -> str:
        return _(
            "Type a message and press Enter to send it; /commands go to the bot too.\n"
            "  a, b, c...               press the button [a], [b], [c]...\n"
            "  1, 2, 3...               a number is sent as typed: the answer to a question,\n"
            "                           or the choice with that number in a form\n"
            "  :as officer|staff|admin|new|ID   switch who is typing "
            "(new: someone not registered yet)\n"
            "  :contact [phone]         share your phone number (the 📱 button)\n"
            "  :location [lat lon]      share a location\n"
            "  :photo PATH [caption]    send a photo from this computer\n"
            "  :file PATH               send a file from this computer\n"
            "  :text TEXT               send TEXT as it is (a lone letter that is not a button)\n"
            "  :zalo / :telegram        type on Zalo (text only, as Zalo shows it) / back\n"
            "  :help                    this help\n"
            "  :quit                    leave"
        )

    def _on_sent(self, event: Sent) -> None:
        """Everything the bot sends: shown if it is for whoever types, else announced."""
        if event.chat_id is None:
            return
        person = self._person(event.chat_id)
        saved = self._save_document(event)
        if person is self._current and self.on_zalo is None:
            self._show(person, [event])
            if saved is not None:
                with self.language():
                    self.say("💾 " + _("The file is saved at {path}").format(path=saved))
            return
        person.unseen.append(event)
        if event.method in NOTEWORTHY:
            with self.language():
                what = first_line(event.text) or _("a file")
                self.say(
                    "🔔 "
                    + _("New for {who}: {what} (type {command} to see it)").format(
                        who=person.title(), what=what, command=self._as_command(person)
                    )
                )

    def _save_document(self, event: Sent) -> Path | None:
        """A file the bot sends (an /xuat workbook) is saved beside the demo's database,
        in exports/ (data/exports/ by default): in Telegram it would be downloaded."""
        document = event.params.get("document")
        if event.method != "sendDocument" or not isinstance(document, dict):
            return None
        folder = self.database.parent / "exports"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / Path(str(document.get("filename") or "file")).name
        path.write_bytes(document["content"])
        return path

    def _show(self, person: Person, events: list[Sent]) -> None:
        with self.language():
            for event in events:
                for line in person.view.render(event):
                    self.output(line)

    def _person(self, user_id: int) -> Person:
        if user_id not in self.people:
            # Someone from an earlier run of the demo (a new user made then, say).
            name = self.names.get(user_id, f"#{user_id}")
            self._add(people.person(self.api, Kind.OTHER, user_id, name))
        return self.people[user_id]

    def _add(self, person: Person) -> None:
        person.view.file_names = self.file_names
        self.people[person.user.id] = person
        saved = self._saved_buttons.get(str(person.user.id))
        if isinstance(saved, dict) and not person.view.choices:
            for message in saved.get("messages") or []:
                if self.api.message(person.user.id, message["message_id"]) is None:
                    self.api.recall(message)
            with contextlib.suppress(KeyError, ValueError, TypeError):  # from an older demo
                person.view.restore(saved.get("buttons") or [])

    @staticmethod
    def _as_command(person: Person) -> str:
        if person.kind in (Kind.NEW, Kind.OTHER):
            return f":as {person.user.id}"
        return f":as {person.kind.value}"

    # --- what the person types -------------------------------------------------------------

    async def handle(self, line: str) -> bool:
        """Act on one typed line; False when the person wants to leave."""
        text = line.strip()
        if not text:
            return True
        person = self.current
        if self.echo:
            who = f"{self.on_zalo.name} (Zalo)" if self.on_zalo is not None else person.name
            self.output([("class:you", f"{who} › "), ("", text)])
        person.view.new_turn()
        if text.startswith(":"):
            with self.language():
                return await self._command(text[1:])
        if self.on_zalo is not None:  # numbers and words alike: Zalo reads them itself
            await self._deliver_zalo(self.on_zalo, text)
            return True
        # A letter on screen presses its button; anything else, a number too, is typed.
        if person.view.index(text) is not None:
            with self.language():
                await self._press(person, person.view.choice(text))
            return True
        await self._deliver(person.user.send(text))
        return True

    async def _deliver(self, update: Awaitable[int]) -> None:
        """Send an update and wait until the bot has handled it."""
        update_id = await update
        try:
            await self.api.wait_handled(update_id, timeout=self.reply_timeout)
            # What the update owes people (cards, confirmations) goes out through the
            # outbox a moment after: on screen before the next prompt too.
            await self.app.dispatcher["broadcasts"].drain_owed(self.reply_timeout)
        except TimeoutError:
            with self.language():
                self.say(_("(The bot is still busy; its answer will appear when it comes.)"))
        await self._show_zalo()

    async def _deliver_zalo(self, user: ZaloUser, text: str) -> None:
        """Hand a Zalo update to the bot as its webhook would: recorded, then handled."""
        assert self.app.zalo is not None
        payload = user.text_update(text)
        await self.app.zalo.take(await self.app.zalo.record(payload), payload)
        try:
            await self.app.dispatcher["broadcasts"].drain_owed(self.reply_timeout)
        except TimeoutError:
            with self.language():
                self.say(_("(The bot is still busy; its answer will appear when it comes.)"))
        await self._show_zalo()

    async def _show_zalo(self) -> None:
        """What the bot sent on Zalo since last time: the plain text Zalo shows."""
        fresh = self.zalo_api.sent[self._zalo_shown :]
        self._zalo_shown += len(fresh)
        with self.language():
            here = self.on_zalo.id if self.on_zalo is not None else None
            names = {
                s.chat_id: await self._zalo_name(s.chat_id) for s in fresh if s.chat_id != here
            }
            for sent in fresh:
                if self.on_zalo is not None and sent.chat_id == self.on_zalo.id:
                    self._print_zalo(sent)
                    continue
                self.zalo_unseen.setdefault(sent.chat_id, []).append(sent)
                self.say(
                    "🔔 "
                    + _("New on Zalo for {who}: {what}").format(
                        who=names[sent.chat_id], what=first_line(sent.text)
                    )
                )

    def _print_zalo(self, sent: ZaloSent) -> None:
        lines = sent.text.split("\n")
        if sent.photo:
            lines.insert(0, "🖼 " + sent.photo)
        for index, line in enumerate(lines):
            self.output([("class:bot", BOT if index == 0 else INDENT), ("", line)])

    async def _zalo_name(self, zalo_id: str) -> str:
        for user_id, known in people.ZALO_IDS.items():
            if known == zalo_id and user_id in self.people:
                return self.people[user_id].title()
        if self.on_zalo is not None and self.on_zalo.id == zalo_id:
            return self.on_zalo.name
        # A Zalo account linked (/lienket) to someone, in this run or an earlier one: theirs.
        async with self.app.sessionmaker() as session:
            linked = await accounts.person_of(session, accounts.ZALO, zalo_id)
            user = await session.get(User, linked) if linked is not None else None
        if linked is not None and linked in self.people:
            return self.people[linked].title()
        return user.full_name if user is not None and user.full_name else zalo_id

    async def _zalo(self, word: str) -> None:
        """`:zalo`: the current person on Zalo (a new Zalo user when they have no account
        there); `:zalo new`: someone new on Zalo."""
        person = self.current
        # The account linked by /lienket, in this run or an earlier one, is theirs again.
        async with self.app.sessionmaker() as session:
            zalo_id = await accounts.zalo_id_of(session, person.user.id)
        if word in ("new", "moi") or zalo_id is None:
            name = people.NEW_NAMES[-1 - next(self._zalo_new) % len(people.NEW_NAMES)]
            self.on_zalo = ZaloUser(self.zalo_api, secrets.token_hex(10), name)
        else:
            self.on_zalo = ZaloUser(self.zalo_api, zalo_id, person.name)
        self.say(
            "── "
            + _("Now on Zalo: {who}. Zalo has no buttons: type the number of a line.").format(
                who=self.on_zalo.name
            )
            + " ──",
            "class:b",
        )
        if zalo_id is None and word not in ("new", "moi"):
            # Not the same person: a demo user would otherwise take the stranger for themselves.
            self.say(
                _(
                    "{person} has no Zalo account linked, so this is someone new on Zalo. "
                    "To be {person} on Zalo too: :telegram, /lienket, then type the code here."
                ).format(person=person.name)
            )
        for sent in self.zalo_unseen.pop(self.on_zalo.id, []):
            self._print_zalo(sent)

    async def _press(self, person: Person, choice: Choice | None) -> None:
        if choice is None:
            self.say(_("That keyboard is gone; type your answer or press a newer button."))
            return
        user = person.user
        if choice.kind is ChoiceKind.CALLBACK:
            assert choice.message_id is not None
            message = self.api.message(user.id, choice.message_id)
            markup = (message or {}).get("reply_markup") or {}
            live = {
                b.get("callback_data") for row in markup.get("inline_keyboard") or [] for b in row
            }
            if message is None or choice.data not in live:
                self.say(_("That button is no longer there."))
                return
            self.output([("class:you", "👆 " + choice.label)])
            await self._deliver(user.press_data(message, choice.data))
        elif choice.kind is ChoiceKind.TEXT:
            self.output([("class:you", "👆 " + choice.label)])
            await self._deliver(user.send(choice.label))
        elif choice.kind is ChoiceKind.CONTACT:
            await self._share_contact(person, person.phone)
        elif choice.kind is ChoiceKind.LOCATION:
            await self._share_location(person, *DEFAULT_LOCATION)
        elif choice.kind is ChoiceKind.URL:
            self.say("🔗 " + _("A link (the demo does not open it): {url}").format(url=choice.data))
        else:
            self.say(_("The demo cannot press this kind of button."))

    async def _share_contact(self, person: Person, phone: str) -> None:
        self.output([("class:you", "📱 " + _("shared contact: {phone}").format(phone=phone))])
        await self._deliver(person.user.share_contact(telegram_phone(phone)))

    async def _share_location(self, person: Person, latitude: float, longitude: float) -> None:
        where = f"{latitude}, {longitude}"
        self.output([("class:you", "📍 " + _("shared location: {where}").format(where=where))])
        await self._deliver(person.user.send_location(latitude, longitude))

    async def _command(self, command: str) -> bool:
        name, _sep, rest = command.strip().partition(" ")
        try:
            args = shlex.split(rest)
        except ValueError:  # an unbalanced quote: take the words as they are
            args = rest.split()
        name = name.lower()
        person = self.current
        if name in {"quit", "q", "exit"}:
            return False
        if name == "help":
            self.say(self.help_text())
        elif name == "as" and self.on_zalo is not None and args:
            # On Zalo: the person's Zalo account, or someone new there.
            if people.KIND_WORDS.get(args[0].lower()) is Kind.NEW:
                await self._zalo("new")
            else:
                await self._switch(args[0])
                await self._zalo("")
        elif name == "as":
            await self._switch(args[0] if args else "")
        elif name == "contact":
            await self._share_contact(person, " ".join(args) or person.phone)
        elif name == "location":
            await self._location(person, args)
        elif name in {"photo", "file"}:
            await self._upload(person, name, args)
        elif name == "zalo":
            await self._zalo(args[0].lower() if args else "")
        elif name == "telegram":
            self.on_zalo = None
            await self._switch(self._as_command(person).split()[1])
        elif name == "text" and rest.strip():
            await self._deliver(person.user.send(rest.strip()))
        else:
            self.say(_("Unknown demo command: :{name}. Type :help for the list.").format(name=name))
        return True

    async def _location(self, person: Person, args: list[str]) -> None:
        if not args:
            await self._share_location(person, *DEFAULT_LOCATION)
            return
        try:
            latitude, longitude = (float(a.rstrip(",")) for a in args[:2])
        except ValueError:
            self.say(_("Usage: :location 21.0288 105.8525 (latitude, longitude)"))
            return
        await self._share_location(person, latitude, longitude)

    async def _upload(self, person: Person, kind: str, args: list[str]) -> None:
        if not args:
            self.say(_("Usage: :{kind} PATH").format(kind=kind))
            return
        path = Path(args[0])
        try:
            content = await asyncio.to_thread(lambda: path.expanduser().read_bytes())
        except OSError as error:
            self.say(_("Cannot read {path}: {error}").format(path=path, error=error.strerror))
            return
        file_id = self.api.store_file(content)
        self.file_names[file_id] = path.name
        self.output([("class:you", "📎 " + path.name)])
        if kind == "photo":
            self.api.files[f"files/{file_id}s"] = content  # the thumbnail size, same picture
            caption = " ".join(args[1:]) or None
            await self._deliver(person.user.send_photo(file_id, len(content), caption))
        else:
            await self._deliver(person.user.send_document(path.name, file_id, len(content)))

    async def _switch(self, who: str) -> None:
        word = who.lower()
        if not word:
            for person in self.people.values():
                mark = "  ←" if person is self._current else ""
                self.say(
                    f"  {self._as_command(person):<14} {person.title()}, id {person.user.id}{mark}"
                )
            return
        made = False
        if word in people.KIND_WORDS and people.KIND_WORDS[word] is Kind.NEW:
            chosen = await people.new_person(self.api, self.app.sessionmaker, set(self.people))
            self._add(chosen)
            made = True
        elif word in people.KIND_WORDS:
            kind = people.KIND_WORDS[word]
            chosen = next(p for p in self.people.values() if p.kind is kind)
        elif word.isdigit():
            chosen = self._person(int(word))
        else:
            self.say(_("Who? Type :as officer, :as staff, :as admin, :as new or :as ID."))
            return
        self._current = chosen
        self.say(
            "── "
            + _("Now typing: {who}, id {id}").format(who=chosen.title(), id=chosen.user.id)
            + " ──",
            "class:b",
        )
        chosen.view.new_turn()
        unseen, chosen.unseen = chosen.unseen, []
        self._show(chosen, unseen)
        if made:
            self.say(_("Not registered yet: try /start, then /dangky."))
