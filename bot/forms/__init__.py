"""Guided dialogs as data: form definitions (YAML, XLSForm columns) and the engine that walks them.

Pure Python: no aiogram, no database. A front end turns an update into a
`RawInput`, asks `next_field` what to ask, feeds the answer to `answer`, and
shows `render_submission` on the review screen. Answers are a JSON dict.
"""

from __future__ import annotations

from bot.forms.definition import (
    DEFINITIONS_DIR,
    FormDefinitionError,
    load_definition,
    load_definitions,
    parse_definition,
)
from bot.forms.engine import (
    Accepted,
    Answers,
    answer,
    answered_fields,
    can_skip,
    is_complete,
    is_relevant,
    next_field,
    previous_field,
    prune,
    relevant_fields,
    render_submission,
    skip,
    submission,
    validate,
)
from bot.forms.fields import Option, add_file, expected, options, toggle_choice
from bot.forms.inputs import (
    ChoiceInput,
    ChoicesInput,
    ContactInput,
    FileInput,
    FilesInput,
    LocationInput,
    RawInput,
    TextInput,
    UnsupportedInput,
)
from bot.forms.localized import DEFAULT_LANGUAGE, Localized, Message, render_message
from bot.forms.model import Choice, Field, FieldType, FormDefinition
from bot.forms.render import render_value
from bot.forms.results import Invalid, Valid

__all__ = [
    "DEFAULT_LANGUAGE",
    "DEFINITIONS_DIR",
    "Accepted",
    "Answers",
    "Choice",
    "ChoiceInput",
    "ChoicesInput",
    "ContactInput",
    "Field",
    "FieldType",
    "FileInput",
    "FilesInput",
    "FormDefinition",
    "FormDefinitionError",
    "Invalid",
    "Localized",
    "LocationInput",
    "Message",
    "Option",
    "RawInput",
    "TextInput",
    "UnsupportedInput",
    "Valid",
    "add_file",
    "answer",
    "answered_fields",
    "can_skip",
    "expected",
    "is_complete",
    "is_relevant",
    "load_definition",
    "load_definitions",
    "next_field",
    "options",
    "parse_definition",
    "previous_field",
    "prune",
    "relevant_fields",
    "render_message",
    "render_submission",
    "render_value",
    "skip",
    "submission",
    "toggle_choice",
    "validate",
]
