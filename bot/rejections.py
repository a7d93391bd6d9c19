"""Why a registration is rejected: the common reasons staff choose from, and what the person
reads (the reason and what to do next)."""

from __future__ import annotations

from aiogram.utils.i18n import lazy_gettext as __

# Common reasons: (the button, what the person reads, what they can do next).
REASONS = {
    "not_officer": (
        __("Not the unit's officer"),
        __(
            "the department could not confirm that you are the science and technology officer "
            "of this unit."
        ),
        __(
            "If you are, ask your unit's leaders to confirm it to the department, then register "
            "again with /dangky."
        ),
    ),
    "wrong_info": (
        __("Details not right"),
        __("the details of your registration (name, unit or position) are not right."),
        __("Register again with the right details: /dangky."),
    ),
    "phone": (
        __("Phone not verified"),
        __("the department could not verify your phone number."),
        __("Register again with /dangky and share your number with the 📱 button."),
    ),
    "duplicate": (
        __("Already registered"),
        __("someone is already registered with these details."),
        __("If you take over from them, contact the department."),
    ),
}
OTHER_NEXT = __(
    "If you have a question, contact the department; you can register again with /dangky."
)
