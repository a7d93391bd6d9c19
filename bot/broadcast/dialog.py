"""/thongbao as data: the notice composer's questions, run by `bot.dialogs`.

```mermaid
stateDiagram-v2
    [*] --> content: /thongbao
    content --> attach: text short enough to go under a photo
    content --> caption: a photo or document without text
    content --> audience: a photo or document with text, or a long text
    attach --> audience: a photo / document, or Bỏ qua
    caption --> audience: text, or Bỏ qua
    audience --> audience: Chọn đơn vị → type, press several, Xong
    audience --> choice: a kind with a second question (which month...)
    audience --> review: any other kind
    choice --> review
    review --> send_at: ⏰ Hẹn giờ gửi (Bỏ qua: send right away)
    review --> content: ✏️ N (what depends on it is asked again)
    review --> [*]: Gửi (stored, then sent by the worker) or Hủy
```
What the steps show that only the database knows (how many people each choice reaches,
the months to choose from) arrives in `Context.extra`, looked up by the front end
(`handlers.broadcasts.compose.prepare`).
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from bot.broadcast.audience import AUDIENCES, Audience
from bot.broadcast.content import CAPTION_MAX
from bot.broadcast.schedule import expected, parse_send_time
from bot.dialogs.engine import CaptionedFile
from bot.dialogs.model import Answers, Context, Dialog, Kind, Option, Step
from bot.domain.text import N_, Text
from bot.forms.inputs import TextInput
from bot.forms.results import Checked, Invalid, Valid

UNITS_SHOWN = 8  # chosen units named on the review; the rest are counted
_TAGS = re.compile(r"<[^>]+>")


def plain_length(formatted: str) -> int:
    return len(html.unescape(_TAGS.sub("", formatted)))


def _media(answers: Mapping[str, Any]) -> dict[str, Any]:
    """The photo or document of the notice, sent with the text or after it."""
    content = answers.get("content") or {}
    attach = answers.get("attach") or {}
    return {**attach, **{k: v for k, v in content.items() if k.startswith("media") and v}}


def notice_of(answers: Mapping[str, Any]) -> dict[str, Any]:
    """The notice as answered: `text` (Telegram HTML), `media_kind`, `media_file_id`."""
    content = answers.get("content") or {}
    media = _media(answers)
    text = content.get("text") or answers.get("caption") or ""
    return {
        "text": text,
        "media_kind": media.get("media_kind"),
        "media_file_id": media.get("media_file_id"),
    }


def audience_of(answers: Mapping[str, Any]) -> Audience | None:
    chosen = answers.get("audience")
    if isinstance(chosen, list):
        return Audience("units", unit_codes=tuple(chosen))
    if not isinstance(chosen, str):
        return None
    kind = AUDIENCES.get(chosen)
    if kind is not None and kind.choices is not None:
        ref = answers.get("choice")
        return Audience(chosen, ref=ref) if ref is not None else None
    return Audience(chosen)


def _take_content(given: Any, _a: Mapping[str, Any], _c: Context) -> Checked | None:
    if isinstance(given, TextInput):
        text = given.text.strip()
        return Valid({"text": text}) if text else None
    if isinstance(given, CaptionedFile):
        return Valid(
            {
                "text": given.caption.strip(),
                "media_kind": given.file.kind,
                "media_file_id": given.file.file_id,
            }
        )
    return None


def _take_attach(given: Any, _a: Mapping[str, Any], _c: Context) -> Checked | None:
    if isinstance(given, CaptionedFile):
        return Valid({"media_kind": given.file.kind, "media_file_id": given.file.file_id})
    return None


def _parse_caption(text: str, _a: Mapping[str, Any], _c: Context) -> Checked:
    length = plain_length(text)
    if length > CAPTION_MAX:
        return Invalid(
            Text(
                N_(
                    "Under a photo or document the text can have at most {max} characters; "
                    "this one has {n}. Please shorten it."
                ),
                {"max": f"{CAPTION_MAX:,}".replace(",", "."), "n": f"{length:,}".replace(",", ".")},
            )
        )
    return (
        Valid(text.strip())
        if text.strip()
        else Invalid(Text(N_("Please type the text to go with it, or press Skip.")))
    )


def _wants_attachment(answers: Mapping[str, Any]) -> bool:
    content = answers.get("content") or {}
    return not content.get("media_kind") and plain_length(content.get("text", "")) <= CAPTION_MAX


def _wants_caption(answers: Mapping[str, Any]) -> bool:
    content = answers.get("content") or {}
    return bool(content.get("media_kind")) and not content.get("text")


def _has_choices(answers: Mapping[str, Any]) -> bool:
    chosen = answers.get("audience")
    kind = AUDIENCES.get(chosen) if isinstance(chosen, str) else None
    return kind is not None and kind.choices is not None


def _kinds(_answers: Answers, ctx: Context) -> Sequence[Option]:
    return [Option(key, label) for key, label in ctx.extra.get("kinds", ())]


def _choices(_answers: Answers, ctx: Context) -> Sequence[Option]:
    return [Option(ref, label) for ref, label in ctx.extra.get("choices", ())]


def _choice_prompt(answers: Answers, ctx: Context) -> Text:
    kind = AUDIENCES[str(answers["audience"])]
    return Text(N_("{kind}: which one?"), {"kind": ctx.gettext(kind.label)})


def _show_content(value: Any, ctx: Context) -> str:
    text = html.unescape(_TAGS.sub("", value.get("text") or ""))
    media = value.get("media_kind")
    prefix = {"photo": ctx.gettext("(a photo)"), "document": ctx.gettext("(a file)")}.get(
        media or "", ""
    )
    shown = f"{prefix} {text}".strip()
    return shown if len(shown) <= 80 else shown[:79] + "…"


def _parse_send_at(text: str, _a: Mapping[str, Any], ctx: Context) -> Checked:
    moment = parse_send_time(text, ctx.now)
    return Invalid(moment) if isinstance(moment, Text) else Valid(moment.isoformat())


def _check_send_at(value: Any, _a: Mapping[str, Any], ctx: Context) -> Checked:
    if datetime.fromisoformat(value) <= ctx.now:
        return Invalid(expected(ctx.now))
    return Valid(value)


def _when(value: Any, ctx: Context) -> str:
    return datetime.fromisoformat(value).astimezone(ctx.now.tzinfo).strftime("%d/%m/%Y %H:%M")


STEPS = (
    Step(
        "content",
        Kind.TEXT,
        N_("📝 The notice"),
        Text(
            N_(
                "Send the notice: type its text (bold, italics and links are kept), or send one "
                "photo or document with the text as its caption."
            )
        ),
        take=_take_content,
        show=_show_content,
        formatted=True,
        expected=Text(N_("Please send the notice as text, or a photo or a document.")),
    ),
    Step(
        "attach",
        Kind.FILE,
        N_("📎 Attachment"),
        Text(N_("Add a photo or a document to go with it? Send it now, or press Skip.")),
        required=False,
        relevant=_wants_attachment,
        depends_on=("content",),
        take=_take_attach,
        show=_show_content,
        expected=Text(N_("Please send one photo or one document, or press Skip.")),
    ),
    Step(
        "caption",
        Kind.TEXT,
        N_("📝 The notice"),
        Text(N_("Now type the text to go with it, or press Skip to send it without text.")),
        required=False,
        relevant=_wants_caption,
        depends_on=("content",),
        parse=_parse_caption,
        formatted=True,
        expected=Text(N_("Please type the text to go with it, or press Skip.")),
    ),
    Step(
        "audience",
        Kind.AUDIENCE,
        N_("👥 The recipients"),
        Text(N_("Who should receive it?")),
        options=_kinds,
    ),
    Step(
        "choice",
        Kind.CHOOSE_ONE,
        N_("👥 The recipients"),
        _choice_prompt,
        relevant=_has_choices,
        depends_on=("audience",),
        options=_choices,
    ),
    Step(
        "send_at",
        Kind.DATETIME,
        N_("⏰ Send later"),
        Text(N_("When should it be sent?")),
        required=False,
        on_demand=True,
        parse=_parse_send_at,
        check=_check_send_at,
        show=_when,
    ),
)


def describe(audience: Audience, ctx: Context) -> str:
    """`All approved officers`, `Chosen units: Phường Cầu Giấy, Xã Hòa Xá`..."""
    kind = AUDIENCES.get(audience.kind)
    text = ctx.gettext(kind.label) if kind else audience.kind
    if audience.unit_codes:
        names = [
            (ctx.units.name(code) if ctx.units else None) or code
            for code in audience.unit_codes[:UNITS_SHOWN]
        ]
        more = len(audience.unit_codes) - UNITS_SHOWN
        text += ": " + ", ".join(names) + (f" (+{more})" if more > 0 else "")
    elif audience.ref:
        text += ": " + str(ctx.extra.get("choice_label") or audience.ref)
    return text


def review(answers: Mapping[str, Any], ctx: Context) -> str:
    """How many get it, who, and when (the notice itself is shown just above, as a preview)."""
    _ = ctx.gettext
    audience = audience_of(answers)
    people = int(ctx.extra.get("people", 0))
    lines = [
        _("<b>Recipients: {n}</b>").format(n=f"{people:,}".replace(",", ".")),
        html.escape(describe(audience, ctx), quote=False) if audience else "",
    ]
    send_at = answers.get("send_at")
    if send_at:
        lines.append(_("⏰ Sends at {when}").format(when=_when(send_at, ctx)))
    else:
        lines.append(_("Sends as soon as you press Send."))
    return "\n".join(line for line in lines if line)


COMPOSE = Dialog(
    id="compose_notice",
    title=N_("New notice"),
    steps=STEPS,
    review=review,
    confirm_label=N_("✅ Send"),
    cancelled=N_("Cancelled. Nothing was sent."),
)
