"""Yêu cầu bổ sung as data: the one question a reviewer answers, run by `bot.dialogs`.

```mermaid
stateDiagram-v2
    [*] --> comment: 📝 Yêu cầu bổ sung (on a submission's card, or opened in /hoso)
    comment --> comment: a sticker, too short or too long → what is expected
    comment --> [*]: the comment → the revision asked, committed, the officer told
    comment --> [*]: Hủy or /huy → nothing changes
```
The submission's reference and whether the chat is a group come in `Context.extra`
(`ref`, `group`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.dialogs.model import Answers, Context, Dialog, Kind, Step
from bot.domain.text import N_, Text, lines
from bot.forms.results import Checked, Invalid, Valid

COMMENT_MAX = 1000
COMMENT_MIN = 3
# In a group the bot reads only the messages that answer one of its own.
REPLY_IN_GROUP = Text(N_("In this group, reply to this message."))


def _parse(text: str, _answers: Mapping[str, Any], _ctx: Context) -> Checked:
    comment = " ".join(text.split())
    if not COMMENT_MIN <= len(comment) <= COMMENT_MAX:
        return Invalid(
            Text(N_("Please write what is missing in 3 to {max} characters."), {"max": COMMENT_MAX})
        )
    return Valid(comment)


def _prompt(_answers: Answers, ctx: Context) -> Text:
    return lines(
        Text(
            N_("What should the officer add or correct in {ref}? Type it in one message."),
            {"ref": ctx.extra.get("ref", "")},
        ),
        REPLY_IN_GROUP if ctx.extra.get("group") else None,
    )


COMMENT = Dialog(
    id="review_comment",
    title=N_("Ask for a revision"),
    steps=(
        Step(
            "comment",
            Kind.TEXT,
            N_("Comment"),
            _prompt,
            parse=_parse,
            expected=Text(N_("Please type the comment as text.")),
        ),
    ),
    cancelled=N_("Cancelled. The submission still waits for review."),
)
