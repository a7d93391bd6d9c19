"""Read an XLSForm workbook (ODK, KoboToolbox) into a form definition the chat can run.

pyxform, the reference implementation, reads the workbook (`.xlsx`, `.xls`) and
checks it as ODK does: sheet and column names, types, choice lists, unknown
`${names}`, groups left open; its error names the row. From pyxform's JSON this
module builds our `FormDefinition`:

- every question a chat can ask becomes a `Field` (labels, hints per language);
- notes and group labels become text shown above the next question (`Note`);
- a group's `relevant` is added to each of its questions';
- a repeat becomes up to `REPEAT_MAX` entries (`name__1`, `name__2`, ...), each
  after the first asked only when the answer to "add another?" is yes
  (`repeat_count` given as a number asks exactly that many);
- calculate and the metadata types (start, end, today, deviceid, username...) are
  `Computed`: filled by the bot at Gửi, never asked; a `${calc}` in an
  expression is replaced by its calculation;
- what a chat can't offer as ODK does is adapted and said (`adapted`), or the
  import is refused with the row and the reason.

Expressions are parsed by `bot.forms.expressions`: what it can't parse refuses
the import, naming the row, the column and the problem.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from io import BytesIO
from pathlib import Path
from typing import Any

from pyxform.builder import create_survey_element_from_dict
from pyxform.errors import PyXFormError
from pyxform.question_type_dictionary import QUESTION_TYPE_DICT
from pyxform.xls2json import workbook_to_json
from pyxform.xls2json_backends import get_xlsform

from bot.domain.text import N_, Text
from bot.forms.expressions import Expression, ExpressionError, parse_expression
from bot.forms.localized import DEFAULT_LANGUAGE, Localized
from bot.forms.model import (
    DEFAULT_MAX_LENGTH,
    Choice,
    Computed,
    Field,
    FieldType,
    FormDefinition,
    Note,
    Placement,
)

SUFFIXES = (".xlsx", ".xls")
# `appearance` in a chat: `multiline` lets a text be long, `numbers` takes digits only; a
# drawing pad (signature, draw, annotate) is a photo; the others (minimal, quick, compact,
# horizontal, likert, field-list, month-year...) change how ODK lays a question out and
# mean nothing in a chat, where every choice is a button and questions come one by one.
MULTILINE_MAX = 3000  # a screenful of text; the review comes in pages past Telegram's 4,096
_DRAWN = frozenset({"signature", "draw", "annotate"})
REPEAT_MAX = 5
ACK = "OK"  # what ODK stores for an acknowledged question
METADATA = (
    "start",
    "end",
    "today",
    "deviceid",
    "username",
    "phonenumber",
    "email",
    "simserial",
    "subscriberid",
    "uid",
)
_NAMED_LANGUAGES = {"vietnamese": "vi", "tiếng việt": "vi", "tieng viet": "vi", "english": "en"}
_LANG_CODE = re.compile(r"\(([A-Za-z]{2,3}(?:[-_][A-Za-z]+)?)\)\s*$")
_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_.\-]*)\}")
_PARENT_REF = re.compile(r"\.\./([A-Za-z_][A-Za-z0-9_.\-]*)")
_FILTER_PART = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_\-]*)\s*=\s*\$\{([A-Za-z_][\w.\-]*)\}\s*$")
_TRUE = ("yes", "true", "true()", "1")
_BIND_TYPES: dict[str, FieldType] = {
    "int": "integer",
    "decimal": "decimal",
    "date": "date",
    "time": "time",
    "dateTime": "datetime",
    "geopoint": "location",
    "string": "text",
}
# Words of the questions the import adds itself (no gettext: they are form text, per language).
_ANOTHER = {"vi": "Thêm một mục «{label}» nữa?", "en": "Add another «{label}»?"}
_OTHER = {"vi": "Khác", "en": "Other"}
_SPECIFY_OTHER = {"vi": "Ghi rõ (khác)", "en": "Specify other"}
_ACK_LABEL = {"vi": "Đã rõ (OK)", "en": "OK"}


class XLSFormError(ValueError):
    """The workbook can't be run: `text` names the file, the row and the reason, translatable;
    str() is the English message (logs, the command line)."""

    def __init__(self, text: Text) -> None:
        self.text = text
        super().__init__(english(text))


def english(text: Text) -> str:
    return text.render(lambda msgid: msgid)


# pyxform's messages for the mistakes people make most, in our words (translated); any other
# is shown as pyxform wrote it, in English, after the row.
_PYXFORM_MESSAGES: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(r"Unknown question type '(?P<type>[^']+)'"),
        N_("unknown question type “{type}”"),
    ),
    (
        re.compile(
            r"the '(?P<column>[\w:]+)' value is invalid\. Reference variables must contain a name "
            r"from the 'survey' sheet\. Could not find the name '(?P<name>[^']+)'"
        ),
        N_("{column} uses ${{{name}}}, but no question is named “{name}”"),
    ),
    (
        re.compile(
            r"the 'name' value '(?P<name>[^']+)' is invalid\. Questions, groups, and repeats"
        ),
        N_("the name “{name}” is used twice in the same group"),
    ),
    (
        re.compile(
            r"Unmatched 'begin_(?P<kind>\w+)'\. No matching 'end_\w+' was found for the name '(?P<name>[^']+)'"
        ),
        N_("“begin {kind} {name}” has no “end {kind}”"),
    ),
    (
        re.compile(r"List name not in choices sheet: (?P<list>\S+)"),
        N_("the choice list “{list}” is not on the choices sheet"),
    ),
    (re.compile(r"Question or group with no name"), N_("a question or group has no name")),
    (
        re.compile(r"the 'name' value is invalid\. Names must begin"),
        N_("a name must begin with a letter or _, then letters, digits, _, - or ."),
    ),
)
_PYXFORM_ROW = re.compile(r"^\s*\[row\s*:\s*(\d+)\]\s*")


def _pyxform_text(source: str, message: str) -> Text:
    """pyxform's error as ours: the row (when it names one) and the reason, translated if known."""
    row = _PYXFORM_ROW.match(message)
    rest = message[row.end() :] if row else message
    problem: Text | str = rest
    for pattern, msgid in _PYXFORM_MESSAGES:
        found = pattern.search(rest)
        if found:
            problem = Text(msgid, found.groupdict())
            break
    if row is None:
        return Text(N_("{file}: {problem}"), {"file": source, "problem": problem})
    return Text(
        N_("{file}: row {row} of the survey sheet: {problem}"),
        {"file": source, "row": int(row.group(1)), "problem": problem},
    )


def read_xlsform(content: bytes, source: str) -> FormDefinition:
    """The form of an XLSForm workbook, or XLSFormError saying which row is wrong and why."""
    suffix = Path(source).suffix.lower()
    if suffix not in SUFFIXES:
        raise XLSFormError(
            Text(N_("{file}: not an XLSForm workbook (.xlsx or .xls)"), {"file": source})
        )
    warnings: list[str] = []
    try:
        book = get_xlsform(BytesIO(content), file_type=suffix)
        tree = workbook_to_json(book, fallback_form_name=Path(source).stem, warnings=warnings)
        # Building the XForm is how pyxform checks references and structure.
        create_survey_element_from_dict(copy.deepcopy(tree)).to_xml(
            validate=False, warnings=warnings
        )
    except PyXFormError as error:
        raise XLSFormError(_pyxform_text(source, _with_row(str(error), content, suffix))) from None
    except Exception as error:  # a damaged file: xlrd / openpyxl say it their own way
        raise XLSFormError(
            Text(
                N_("{file}: the workbook can't be read ({error})"),
                {"file": source, "error": str(error)},
            )
        ) from None
    rows = _rows(book.survey)
    return _Builder(source, rows, tree).form()


def _with_row(message: str, content: bytes, suffix: str) -> str:
    """pyxform names the row of most mistakes; for an unknown type it names the type only."""
    match = re.search(r"question type '([^']+)'", message)
    if "[row" in message or match is None:
        return message
    try:
        survey = get_xlsform(BytesIO(content), file_type=suffix).survey
    except PyXFormError:
        return message
    for index, row in enumerate(survey):
        if str(row.get("type", "")).strip() == match.group(1):
            return f"[row : {index + 2}] {message}"
    return message


def _rows(survey: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    """Row numbers by question name: pyxform keeps empty rows so that the numbers are right."""
    return {str(row["name"]): index + 2 for index, row in enumerate(survey) if row.get("name")}


def language_code(name: str, default: str = DEFAULT_LANGUAGE) -> str:
    """`Tiếng Việt (vi)` → vi, `English` → en, `default` → the form's default language."""
    if name == "default":
        return default
    match = _LANG_CODE.search(name)
    if match:
        return match.group(1).lower()
    return _NAMED_LANGUAGES.get(name.strip().lower(), name.strip().lower())


@dataclass
class _Scope:
    """Where the walk is: the groups, the repeat entry, the conditions of the enclosing groups."""

    groups: tuple[str, ...] = ()
    relevant: tuple[str, ...] = ()  # sources, already rewritten
    repeat: str | None = None
    entry: int = 0
    siblings: frozenset[str] = frozenset()  # names inside the repeat, renamed per entry
    repeat_label: Localized | None = None


@dataclass
class _Built:
    fields: list[Field] = field(default_factory=list)
    computed: list[Computed] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)  # waiting for the next question
    adapted: list[Text] = field(default_factory=list)


class _Builder:
    def __init__(self, source: str, rows: Mapping[str, int], tree: Mapping[str, Any]) -> None:
        self.source = source
        self.rows = rows
        self.tree = tree
        self.default_lang = language_code(str(tree.get("default_language") or "default"), "vi")
        if self.default_lang == "default":
            self.default_lang = DEFAULT_LANGUAGE
        self.calculations: dict[str, str] = {}
        self.built = _Built()

    # --- errors and text ------------------------------------------------------------------

    def fail(self, name: str, problem: Text) -> XLSFormError:
        row = self.rows.get(name)
        if row is None:
            return XLSFormError(
                Text(
                    N_("{file}: {name}: {problem}"),
                    {"file": self.source, "name": name, "problem": problem},
                )
            )
        return XLSFormError(
            Text(
                N_("{file}: row {row} of the survey sheet ({name}): {problem}"),
                {"file": self.source, "row": row, "name": name, "problem": problem},
            )
        )

    def adapt(self, name: str, what: Text) -> None:
        row = self.rows.get(name)
        self.built.adapted.append(
            Text(N_("row {row} ({name}): {what}"), {"row": row, "name": name, "what": what})
            if row
            else Text(N_("{name}: {what}"), {"name": name, "what": what})
        )

    def localized(self, value: Any, fallback: str | None = None) -> Localized | None:
        texts: dict[str, str] = {}
        if isinstance(value, str) and value.strip():
            texts[self.default_lang] = value.strip()
        elif isinstance(value, Mapping):
            for lang, text in value.items():
                code = language_code(str(lang), self.default_lang)
                if isinstance(text, str) and text.strip() and code not in texts:
                    texts[code] = text.strip()
        if not texts:
            return Localized.of({self.default_lang: fallback}) if fallback else None
        return Localized.of(texts)

    # --- expressions ----------------------------------------------------------------------

    def rewrite(self, source: str, scope: _Scope, seen: frozenset[str] = frozenset()) -> str:
        """`${calc}` → its calculation, `${x}` in a repeat → `${x__k}`, pyxform's `../x` → `${x}`."""
        source = _PARENT_REF.sub(lambda m: "${" + m.group(1) + "}", source)

        def one(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in self.calculations and name not in seen:
                inner = self.rewrite(self.calculations[name], scope, seen | {name})
                return f"({inner})"
            if name in scope.siblings:
                return "${" + f"{name}__{scope.entry}" + "}"
            return match.group(0)

        return _REF.sub(one, source)

    def expression(
        self, name: str, column: str, source: Any, scope: _Scope, known: set[str]
    ) -> Expression | None:
        if not isinstance(source, str) or not source.strip():
            return None
        text = self.rewrite(source.strip(), scope)
        try:
            expression = parse_expression(text)
        except ExpressionError as error:
            raise self.fail(
                name,
                Text(
                    N_("{column} “{source}” can't be evaluated: {error}"),
                    {"column": column, "source": source, "error": error.text},
                ),
            ) from None
        for ref in sorted(expression.references - known):
            raise self.fail(
                name,
                Text(
                    N_("{column} “{source}” uses ${{{ref}}}, which is not a question asked before"),
                    {"column": column, "source": source, "ref": ref},
                ),
            )
        return expression

    def combined(self, own: str | None, scope: _Scope) -> str | None:
        parts = [*scope.relevant, *([own] if own else [])]
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else " and ".join(f"({p})" for p in parts)

    # --- the walk -------------------------------------------------------------------------

    def form(self) -> FormDefinition:
        tree = self.tree
        form_id = str(tree.get("id_string") or "")
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,63}", form_id):
            raise XLSFormError(
                Text(
                    N_(
                        "{file}: the settings' form_id “{id}” must be letters, digits and _ (at most 64)"
                    ),
                    {"file": self.source, "id": form_id},
                )
            )
        self.children(tree.get("children") or [], _Scope())
        built = self.built
        if not built.fields:
            raise XLSFormError(
                Text(N_("{file}: the survey has no question to ask"), {"file": self.source})
            )
        title = self.localized(tree.get("title"), form_id)
        assert title is not None
        return FormDefinition(
            id=form_id,
            title=title,
            fields=tuple(built.fields),
            source=self.source,
            xlsform_version=str(tree.get("version") or ""),
            computed=tuple(built.computed),
            columns=tuple(built.columns),
            closing=tuple(built.notes),
            adapted=tuple(built.adapted),
        )

    def known(self) -> set[str]:
        return {f.name for f in self.built.fields}

    def children(self, elements: Sequence[Mapping[str, Any]], scope: _Scope) -> None:
        for element in elements:
            self.element(element, scope)

    def element(self, element: Mapping[str, Any], scope: _Scope) -> None:
        kind = str(element.get("type", ""))
        name = str(element.get("name", ""))
        bind: dict[str, Any] = {
            **QUESTION_TYPE_DICT.get(kind, {}).get("bind", {}),
            **(element.get("bind") or {}),
        }
        control: dict[str, Any] = {
            **QUESTION_TYPE_DICT.get(kind, {}).get("control", {}),
            **(element.get("control") or {}),
        }
        if kind == "group" and name == "meta" and control.get("bodyless"):
            return  # pyxform's own instanceID: the submission's reference plays its part
        if kind == "group":
            self.group(element, bind, scope)
        elif kind == "repeat":
            self.repeat(element, bind, scope)
        elif kind == "note":
            self.note(element, bind, scope)
        elif kind in ("calculate", "hidden") or "jr:preload" in bind:
            self.computed(element, kind, bind, scope)
        elif control.get("tag") in ("action",) or kind in ("audit", "xml-external", "csv-external"):
            if kind not in ("xml-external", "csv-external"):
                self.adapt(name, Text(N_("recorded by the phone in ODK; not recorded in the chat")))
        elif bind.get("readonly") in _TRUE and not element.get("default"):
            self.note(element, bind, scope)  # shown, never answered
        elif bind.get("readonly") in _TRUE:
            self.computed(
                element, "calculate", {**bind, "calculate": f"'{element['default']}'"}, scope
            )
        else:
            self.question(element, kind, bind, control, scope)

    def group(self, element: Mapping[str, Any], bind: Mapping[str, Any], scope: _Scope) -> None:
        name = str(element.get("name", ""))
        relevant = bind.get("relevant")
        own = self.rewrite(str(relevant), scope) if relevant else None
        inner = replace(
            scope,
            groups=(*scope.groups, name),
            relevant=(*scope.relevant, own) if own else scope.relevant,
        )
        label = self.localized(element.get("label"))
        if label is not None:
            condition = self.expression(
                name, "relevant", self.combined(None, inner), scope, self.known()
            )
            heading = Localized.of({lang: f"<b>{text}</b>" for lang, text in label.texts})
            self.built.notes.append(Note(heading, condition))
        self.children(element.get("children") or [], inner)

    def repeat(self, element: Mapping[str, Any], bind: Mapping[str, Any], scope: _Scope) -> None:
        name = str(element.get("name", ""))
        if scope.repeat is not None:
            raise self.fail(name, Text(N_("a repeat inside a repeat can't be asked in a chat")))
        count_text = str(
            element.get("control", {}).get("jr:count") or element.get("repeat_count") or ""
        )
        fixed = int(count_text) if count_text.strip().isdigit() else None
        if count_text and fixed is None:
            self.adapt(
                name,
                Text(
                    N_("repeat_count “{count}”: asks “add another?” (up to {max})"),
                    {"count": count_text, "max": REPEAT_MAX},
                ),
            )
        entries = min(fixed, REPEAT_MAX) if fixed else REPEAT_MAX
        if fixed and fixed > REPEAT_MAX:
            self.adapt(
                name,
                Text(
                    N_("repeat_count {count}: at most {max} entries in the chat"),
                    {"count": fixed, "max": REPEAT_MAX},
                ),
            )
        if not fixed:
            self.adapt(
                name,
                Text(
                    N_("repeat: “add another?” after each entry, at most {max}"),
                    {"max": REPEAT_MAX},
                ),
            )
        label = self.localized(element.get("label"), name)
        assert label is not None
        siblings = frozenset(_names(element.get("children") or []))
        relevant = bind.get("relevant")
        own = self.rewrite(str(relevant), scope) if relevant else None
        base = (*scope.relevant, own) if own else scope.relevant
        for entry in range(1, entries + 1):
            more = f"{name}__more{entry - 1}"
            condition = base if entry == 1 or fixed else (*base, f"${{{more}}} = 'yes'")
            inner = _Scope(
                groups=(*scope.groups, name),
                relevant=condition,
                repeat=name,
                entry=entry,
                siblings=siblings,
                repeat_label=label,
            )
            heading = Localized.of({lang: f"<b>{text} ({entry})</b>" for lang, text in label.texts})
            self.built.notes.append(
                Note(
                    heading,
                    self.expression(
                        name, "relevant", self.combined(None, inner), scope, self.known()
                    ),
                )
            )
            self.children(element.get("children") or [], inner)
            if not fixed and entry < entries:
                asked = Localized.of(
                    {
                        lang: _ANOTHER.get(lang, _ANOTHER["en"]).format(label=text)
                        for lang, text in label.texts
                    }
                )
                relevant_more = self.expression(
                    name, "relevant", self.combined(None, inner), scope, self.known()
                )
                self.add_field(
                    Field(
                        name=f"{name}__more{entry}",
                        type="yes_no",
                        label=asked,
                        required=True,
                        relevant=relevant_more,
                    ),
                    data=False,
                )

    def note(self, element: Mapping[str, Any], bind: Mapping[str, Any], scope: _Scope) -> None:
        name = str(element.get("name", ""))
        text = self.localized(element.get("label"))
        if text is None:
            return
        condition = self.expression(
            name, "relevant", self.combined(bind.get("relevant"), scope), scope, self.known()
        )
        self.built.notes.append(Note(text, condition))

    def computed(
        self, element: Mapping[str, Any], kind: str, bind: Mapping[str, Any], scope: _Scope
    ) -> None:
        name = str(element.get("name", ""))
        if "jr:preload" in bind:
            what = str(bind.get("jr:preloadParams") or kind)
            if what not in METADATA:
                self.adapt(
                    name, Text(N_("{kind}: not known in a chat, left empty"), {"kind": kind})
                )
            if scope.repeat is not None:
                raise self.fail(
                    name, Text(N_("{kind} inside a repeat is not supported"), {"kind": kind})
                )
            self.built.computed.append(Computed(name, what, None, scope.groups))
            self.built.columns.append(name)
            return
        source = bind.get("calculate") or element.get("default") or ""
        if scope.repeat is not None:
            raise self.fail(
                name, Text(N_("a calculate inside a repeat is not supported in a chat"))
            )
        expression = (
            self.expression(name, "calculation", source, scope, self.known()) if source else None
        )
        if source:
            self.calculations[name] = str(source)
        self.built.computed.append(Computed(name, "calculate", expression, scope.groups))
        self.built.columns.append(name)

    def question(
        self,
        element: Mapping[str, Any],
        kind: str,
        bind: Mapping[str, Any],
        control: Mapping[str, Any],
        scope: _Scope,
    ) -> None:
        name = str(element.get("name", ""))
        tag = control.get("tag")
        choices: tuple[Choice, ...] = ()
        field_type: FieldType
        itemset = str(element.get("itemset") or "")
        if tag == "odk:rank":
            raise self.fail(
                name, Text(N_("rank (ordering choices by dragging) can't be asked in a chat"))
            )
        if tag in ("select1", "select") or itemset:
            if itemset.endswith((".csv", ".xml", ".geojson")) or kind.endswith("external"):
                raise self.fail(
                    name,
                    Text(
                        N_(
                            "{kind}: its choices are in the file {choices}, which a workbook alone "
                            "does not carry; put the choices on the choices sheet"
                        ),
                        {"kind": kind, "choices": itemset or "external_choices"},
                    ),
                )
            field_type = "select_multiple" if tag == "select" else "select_one"
            choices = self.choices(element)
        elif tag == "trigger":
            field_type = "select_one"
            choices = (Choice(ACK, Localized.of(_ACK_LABEL)),)
        elif tag == "upload":
            field_type = (
                "photo" if str(control.get("mediatype", "")).startswith("image") else "document"
            )
            if kind in ("audio", "video"):
                self.adapt(
                    name,
                    Text(
                        N_("{kind}: sent as a file (a voice or video message works too)"),
                        {"kind": kind},
                    ),
                )
        elif tag == "range":
            field_type = "decimal" if bind.get("type") == "decimal" else "integer"
            params = element.get("parameters") or {}
            start, end = params.get("start", "1"), params.get("end", "10")
            self.adapt(
                name,
                Text(
                    N_("range: the number is typed ({start}…{end}), no slider"),
                    {"start": start, "end": end},
                ),
            )
            bound = f". >= {start} and . <= {end}"
            old = bind.get("constraint")
            bind = {**bind, "constraint": f"({old}) and {bound}" if old else bound}
        elif bind.get("type") in ("geotrace", "geoshape"):
            field_type = "text"
            self.adapt(
                name,
                Text(N_("{kind}: typed as points “lat lon; lat lon; …”, no map"), {"kind": kind}),
            )
        elif bind.get("type") == "barcode":
            field_type = "text"
            self.adapt(name, Text(N_("barcode: the code is typed (no scanner in a chat)")))
        elif bind.get("type") in _BIND_TYPES:
            field_type = _BIND_TYPES[str(bind["type"])]
        else:
            raise self.fail(
                name, Text(N_("type “{type}” can't be asked in a chat"), {"type": kind})
            )
        if field_type == "location":
            self.adapt(
                name, Text(N_("geopoint: a shared location, or “latitude, longitude” typed"))
            )
        known = self.known()
        my_name = f"{name}__{scope.entry}" if scope.repeat else name
        relevant = self.expression(
            name, "relevant", self.combined(bind.get("relevant"), scope), scope, known
        )
        if relevant is not None and (relevant.uses_current or relevant.uses_today):
            raise self.fail(
                name, Text(N_("relevant may use earlier answers only (no “.”, no today())"))
            )
        constraint = self.expression(
            name, "constraint", bind.get("constraint"), scope, known | {my_name}
        )
        required_text = str(bind.get("required") or "no").strip().lower()
        required = required_text in _TRUE
        if required_text not in _TRUE and required_text not in ("no", "false", "false()", "0"):
            self.adapt(
                name,
                Text(
                    N_("required “{value}”: optional in the chat (Skip offered)"),
                    {"value": required_text},
                ),
            )
        label = self.localized(element.get("label"), name)
        assert label is not None
        if name.endswith("_other") and label.get("en") == "Specify other.":
            label = Localized.of(_SPECIFY_OTHER)
        default = element.get("default")
        appearance = set(str(control.get("appearance") or "").split())
        if field_type == "photo" and appearance & _DRAWN:
            self.adapt(
                name,
                Text(
                    N_("{appearance}: a photo of the drawing or signature, no drawing pad"),
                    {"appearance": " ".join(sorted(appearance & _DRAWN))},
                ),
            )
        self.add_field(
            Field(
                name=my_name,
                type=field_type,
                label=label,
                hint=self.localized(element.get("hint")),
                required=required,
                relevant=relevant,
                constraint=constraint,
                constraint_message=self.localized(bind.get("jr:constraintMsg")),
                list_name=str(element.get("list_name") or "") or None,
                choices=choices,
                max_count=1,
                default=str(default) if default not in (None, "") else None,
                choice_filter=self.choice_filter(element, scope, known),
                placement=Placement(
                    name, scope.groups, scope.repeat, scope.entry, scope.repeat_label
                ),
                required_message=self.localized(bind.get("jr:requiredMsg")) if required else None,
                numbers_only=field_type == "text" and "numbers" in appearance,
                max_length=MULTILINE_MAX
                if field_type == "text" and "multiline" in appearance
                else DEFAULT_MAX_LENGTH,
            )
        )

    def add_field(self, new: Field, *, data: bool = True) -> None:
        built = self.built
        built.fields.append(replace(new, notes=tuple(built.notes)))
        built.notes = []
        if data:
            built.columns.append(new.name)

    def choices(self, element: Mapping[str, Any]) -> tuple[Choice, ...]:
        items = element.get("choices") or self.tree.get("choices", {}).get(
            str(element.get("itemset") or element.get("list_name") or ""), []
        )
        result: list[Choice] = []
        for item in items:
            choice_name = str(item.get("name", ""))
            label = self.localized(item.get("label"), choice_name)
            assert label is not None
            if choice_name == "other" and set(dict(label.texts).values()) == {"Other"}:
                label = Localized.of(_OTHER)
            extra = tuple(
                (str(k), str(v)) for k, v in item.items() if k not in ("name", "label", "media")
            )
            result.append(Choice(choice_name, label, extra))
        if not result:
            raise self.fail(str(element.get("name")), Text(N_("its choice list is empty")))
        return tuple(result)

    def choice_filter(
        self, element: Mapping[str, Any], scope: _Scope, known: set[str]
    ) -> tuple[tuple[str, str], ...]:
        source = element.get("choice_filter")
        if not source:
            return ()
        name = str(element.get("name", ""))
        pairs: list[tuple[str, str]] = []
        for part in re.split(r"\s+and\s+", self.rewrite(str(source), scope)):
            match = _FILTER_PART.match(part)
            if match is None:
                raise self.fail(
                    name,
                    Text(
                        N_(
                            "choice_filter “{source}”: only “column = ${{question}}” (joined by "
                            "and) is supported"
                        ),
                        {"source": source},
                    ),
                )
            if match.group(2) not in known:
                raise self.fail(
                    name,
                    Text(
                        N_("choice_filter “{source}”: ${{{ref}}} is not asked before"),
                        {"source": source, "ref": match.group(2)},
                    ),
                )
            pairs.append((match.group(1), match.group(2)))
        return tuple(pairs)


def _names(elements: Sequence[Mapping[str, Any]]) -> list[str]:
    names: list[str] = []
    for element in elements:
        if element.get("name"):
            names.append(str(element["name"]))
        names.extend(_names(element.get("children") or []))
    return names
