"""Why a registration is rejected: the common reasons staff choose from, what the person reads
(the reason and what to do next), and Từ chối's one question as data, run by `bot.dialogs`.

```mermaid
stateDiagram-v2
    [*] --> reason: ⛔ Từ chối on a registration's card
    reason --> reason: a sticker, too short or too long → what is expected
    reason --> [*]: a common reason pressed, or one typed → rejected, committed, the person told
    reason --> [*]: Hủy or /huy → still waiting for a decision
```
The person's name and whether the chat is a group come in `Context.extra` (`name`, `group`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bot.dialogs.model import Answers, Context, Dialog, Kind, Option, Step
from bot.domain.text import N_, Text, lines
from bot.forms.results import Checked, Invalid, Valid
from bot.review_comment import REPLY_IN_GROUP

REASON_MIN, REASON_MAX = 3, 300
# Common reasons: (the button, what the person reads, what they can do next), msgids.
REASONS = {
    "not_officer": (
        N_("Not the unit's officer"),
        N_(
            "the department could not confirm that you are the science and technology officer "
            "of this unit."
        ),
        N_(
            "If you are, ask your unit's leaders to confirm it to the department, then register "
            "again with /dangky."
        ),
    ),
    "wrong_info": (
        N_("Details not right"),
        N_("the details of your registration (name, unit or position) are not right."),
        N_("Register again with the right details: /dangky."),
    ),
    "phone": (
        N_("Phone not verified"),
        N_("the department could not verify your phone number."),
        N_("Register again with /dangky and share your number with the 📱 button."),
    ),
    "duplicate": (
        N_("Already registered"),
        N_("someone is already registered with these details."),
        N_("If you take over from them, contact the department."),
    ),
}
OTHER_NEXT = N_(
    "If you have a question, contact the department; you can register again with /dangky."
)


def typed_reason(answer: Any) -> str | None:
    """The reason typed in the staff member's own words (None: a common reason was pressed)."""
    return str(answer["text"]) if isinstance(answer, dict) else None


def _parse(text: str, _answers: Mapping[str, Any], _ctx: Context) -> Checked:
    reason = " ".join(text.split())
    if not REASON_MIN <= len(reason) <= REASON_MAX:
        return Invalid(
            Text(N_("Please type a reason of 3 to {limit} characters."), {"limit": REASON_MAX})
        )
    return Valid({"text": reason})


def _reasons(_answers: Answers, _ctx: Context) -> Sequence[Option]:
    return [Option(key, Text(label)) for key, (label, _why, _next) in REASONS.items()]


def _prompt(_answers: Answers, ctx: Context) -> Text:
    return lines(
        Text(
            N_(
                "Why is {name}'s registration rejected? Press a common reason, or type your own "
                "in one or two sentences: they will read it."
            ),
            {"name": ctx.extra.get("name", "")},
        ),
        REPLY_IN_GROUP if ctx.extra.get("group") else None,
    )


REJECT = Dialog(
    id="reject_registration",
    title=N_("Reject a registration"),
    steps=(
        Step(
            "reason",
            Kind.TEXT,
            N_("Reason"),
            _prompt,
            options=_reasons,
            parse=_parse,
            expected=Text(N_("Please press one of the reasons, or type one as text.")),
        ),
    ),
    cancelled=N_("Cancelled. The registration still waits for a decision."),
)
