"""Read form definitions from YAML and refuse any mistake at load, naming the file, the field and the problem.

The columns follow XLSForm: type, name, label, hint, required, constraint,
constraint_message, relevant, and choice lists referenced as
`type: select_one <list_name>`. Per-language text is a mapping
(`label: {vi: ..., en: ...}`), XLSForm-style keys (`label::vi: ...`,
`label::English (en): ...`), or one plain string for every language. Type
settings: text `min_length` / `max_length`; photo, document `max_count` /
`max_size_mb`; date, month `min` / `max` (`today`, `today-30`, `2025-07-01`).
Aliases from XLSForm: image → photo, file → document, geopoint → location.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, cast

import yaml

from bot.forms.expressions import Expression, ExpressionError, parse_expression
from bot.forms.localized import DEFAULT_LANGUAGE, Localized
from bot.forms.model import (
    FIELD_TYPES,
    FILE_TYPES,
    SELECT_TYPES,
    Choice,
    DateBound,
    Field,
    FieldType,
    FormDefinition,
)
from bot.forms.xlsform import SUFFIXES, XLSFormError, read_xlsform

DEFINITIONS_DIR = Path(__file__).resolve().parent / "definitions"
# libyaml's parser when PyYAML was built with it (the wheels are): the same safe subset,
# several times faster than the pure-Python one, and definitions are read at every start.
SAFE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_ALIASES = {"image": "photo", "file": "document", "geopoint": "location"}
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# Choice and field names travel in Telegram callback data (64 bytes in all).
_CHOICE_NAME = re.compile(r"^[A-Za-z0-9_\-]{1,32}$")
_MAX_NAME = 32
_LANG_KEY = re.compile(r"^(?P<base>[a-z_]+)::(?:.*\()?(?P<lang>[A-Za-z_-]+)\)?$")
_TOP_KEYS = {"id", "title", "version", "period_field", "choices", "fields"}
_FIELD_KEYS = {
    "type",
    "name",
    "label",
    "hint",
    "required",
    "relevant",
    "constraint",
    "constraint_message",
}
_TYPE_KEYS = {
    "min_length": ("text",),
    "max_length": ("text",),
    "max_count": FILE_TYPES,
    "max_size_mb": FILE_TYPES,
    "min": ("date", "month"),
    "max": ("date", "month"),
}


class FormDefinitionError(ValueError):
    """A definition file is wrong; the message names the file, the field and the problem."""


def load_definitions(folder: Path | str | None = None) -> dict[str, FormDefinition]:
    """Every `*.yaml` / `*.yml` and XLSForm `*.xlsx` / `*.xls` in `folder`, by form id.

    The default folder is bot/forms/definitions (the built-in forms).
    """
    directory = Path(folder) if folder is not None else DEFINITIONS_DIR
    forms: dict[str, FormDefinition] = {}
    patterns = ("*.yaml", "*.yml", "*.xlsx", "*.xls")
    paths = sorted(path for pattern in patterns for path in directory.glob(pattern))
    for path in paths:
        form = load_definition(path)
        if form.id in forms:
            raise FormDefinitionError(
                f"{path}: form id {form.id!r} is already used by {forms[form.id].source}"
            )
        forms[form.id] = form
    return forms


def load_definition(path: Path | str) -> FormDefinition:
    path = Path(path)
    if path.suffix.lower() in SUFFIXES:
        try:
            return read_xlsform(path.read_bytes(), str(path))
        except (OSError, XLSFormError) as error:
            raise FormDefinitionError(str(error)) from error
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise FormDefinitionError(f"{path}: can't be read: {error}") from error
    return parse_definition(data, source=str(path))


def parse_definition(data: Any, *, source: str = "<definition>") -> FormDefinition:
    """Build a FormDefinition from already-parsed YAML data."""
    return _Loader(source).form(data)


class _Loader:
    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, problem: str, where: str | None = None) -> FormDefinitionError:
        """`where` is `field 'name'`, `field #3` or `choice list 'x'`: what the author must look at."""
        return FormDefinitionError(f"{self.source}: {where + ': ' if where else ''}{problem}")

    def form(self, data: Any) -> FormDefinition:
        if not isinstance(data, dict):
            raise self.fail("the file must be a mapping with id, title, fields")
        self.unknown_keys(data, _TOP_KEYS, None)
        form_id = data.get("id")
        if not isinstance(form_id, str) or not _NAME.match(form_id):
            raise self.fail(f"'id' must be a name of letters, digits and _, not {form_id!r}")
        title = self.localized(data, "title", None, required=True)
        version = data.get("version", 1)
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            raise self.fail(f"'version' must be a positive whole number, not {version!r}")
        lists = self.choice_lists(data.get("choices") or {})
        raw_fields = data.get("fields")
        if not isinstance(raw_fields, list) or not raw_fields:
            raise self.fail("'fields' must be a non-empty list")
        fields: list[Field] = []
        for index, raw in enumerate(raw_fields, start=1):
            fields.append(self.field(raw, index, lists, fields))
        period_field = data.get("period_field")
        if period_field is not None:
            match = [f for f in fields if f.name == period_field]
            if not match or match[0].type != "month" or not match[0].required:
                raise self.fail(
                    f"'period_field' must name a required month field, not {period_field!r}"
                )
        return FormDefinition(
            id=form_id,
            title=cast(Localized, title),
            fields=tuple(fields),
            version=version,
            period_field=period_field,
            source=self.source,
        )

    def unknown_keys(self, data: Mapping[str, Any], allowed: set[str], where: str | None) -> None:
        # Refusing unknown keys catches typos such as `requried: yes` at load.
        for key in data:
            base = _LANG_KEY.match(str(key))
            if str(key) not in allowed and not (base and base.group("base") in allowed):
                raise self.fail(f"unknown key {key!r}", where)

    def localized(
        self, data: Mapping[str, Any], key: str, where: str | None, *, required: bool
    ) -> Localized | None:
        texts: dict[str, str] = {}
        value = data.get(key)
        if isinstance(value, str):
            # XLSForm: a bare `label` is the default language, `label::en` adds others.
            texts[DEFAULT_LANGUAGE] = value
        elif isinstance(value, dict):
            texts.update({str(k): v for k, v in value.items()})
        elif value is not None:
            raise self.fail(f"{key!r} must be text or a mapping of language → text", where)
        for k, v in data.items():
            match = _LANG_KEY.match(str(k))
            if match and match.group("base") == key:
                texts[match.group("lang")] = v
        if not texts:
            if required:
                raise self.fail(f"{key!r} is missing", where)
            return None
        for lang, text in texts.items():
            if not isinstance(text, str) or not text.strip():
                raise self.fail(f"{key!r} in {lang!r} must be non-empty text", where)
        if DEFAULT_LANGUAGE not in texts:
            raise self.fail(f"{key!r} has no {DEFAULT_LANGUAGE!r} text", where)
        return Localized.of({lang: text.strip() for lang, text in texts.items()})

    def choice_lists(self, data: Any) -> dict[str, tuple[Choice, ...]]:
        if not isinstance(data, dict):
            raise self.fail("'choices' must map list names to lists of choices")
        lists: dict[str, tuple[Choice, ...]] = {}
        for list_name, items in data.items():
            where = f"choice list {list_name!r}"
            if not isinstance(items, list) or not items:
                raise self.fail("must be a non-empty list", where)
            choices: list[Choice] = []
            for item in items:
                if not isinstance(item, dict):
                    raise self.fail(f"each choice needs name and label, not {item!r}", where)
                self.unknown_keys(item, {"name", "label"}, where)
                name = str(item.get("name", ""))
                if not _CHOICE_NAME.match(name):
                    raise self.fail(f"bad choice name {name!r} (letters, digits, _ or -)", where)
                if any(c.name == name for c in choices):
                    raise self.fail(f"duplicate choice name {name!r}", where)
                label = self.localized(item, "label", f"{where}, choice {name!r}", required=True)
                choices.append(Choice(name, cast(Localized, label)))
            lists[str(list_name)] = tuple(choices)
        return lists

    def field(
        self,
        raw: Any,
        index: int,
        lists: Mapping[str, tuple[Choice, ...]],
        earlier: list[Field],
    ) -> Field:
        if not isinstance(raw, dict):
            raise self.fail("must be a mapping with type, name and label", f"field #{index}")
        name = raw.get("name")
        if not isinstance(name, str) or not _NAME.match(name) or len(name) > _MAX_NAME:
            raise self.fail(
                f"'name' must be letters, digits and _ (at most {_MAX_NAME}), not {name!r}",
                f"field #{index}",
            )
        where = f"field {name!r}"
        if any(f.name == name for f in earlier):
            raise self.fail("duplicate field name", where)
        self.unknown_keys(raw, _FIELD_KEYS | set(_TYPE_KEYS), where)
        kind, list_name = self.type(raw.get("type"), where)
        choices: tuple[Choice, ...] = ()
        if list_name is not None:
            if list_name not in lists:
                raise self.fail(f"choice list {list_name!r} is not defined under 'choices'", where)
            choices = lists[list_name]
        settings: dict[str, Any] = {}
        for key, types in _TYPE_KEYS.items():
            if key in raw:
                if kind not in types:
                    raise self.fail(f"{key!r} does not apply to a {kind} field", where)
                settings[key] = self.setting(key, raw[key], where)
        if settings.get("min_length", 1) > settings.get("max_length", 10**9):
            raise self.fail("'min_length' is greater than 'max_length'", where)
        names = {f.name for f in earlier}
        relevant = self.expression(raw, "relevant", where, names)
        if relevant is not None and (relevant.uses_current or relevant.uses_today):
            raise self.fail("'relevant' may use earlier answers only (no '.', no today())", where)
        constraint = self.expression(raw, "constraint", where, names | {name})
        message = self.localized(raw, "constraint_message", where, required=False)
        if message is not None and constraint is None:
            raise self.fail("'constraint_message' without a 'constraint'", where)
        return Field(
            name=name,
            type=kind,
            label=cast(Localized, self.localized(raw, "label", where, required=True)),
            hint=self.localized(raw, "hint", where, required=False),
            required=self.boolean(raw.get("required", False), where),
            relevant=relevant,
            constraint=constraint,
            constraint_message=message,
            list_name=list_name,
            choices=choices,
            **settings,
        )

    def type(self, value: Any, where: str) -> tuple[FieldType, str | None]:
        if not isinstance(value, str) or not value.split():
            raise self.fail(f"'type' is missing (one of {', '.join(FIELD_TYPES)})", where)
        words = value.split()
        kind = _ALIASES.get(words[0], words[0])
        if kind not in FIELD_TYPES:
            raise self.fail(f"unknown type {words[0]!r} (one of {', '.join(FIELD_TYPES)})", where)
        if kind in SELECT_TYPES:
            if len(words) != 2:
                raise self.fail(
                    f"write the choice list after the type: '{kind} <list_name>'", where
                )
            return cast(FieldType, kind), words[1]
        if len(words) != 1:
            raise self.fail(f"unexpected {' '.join(words[1:])!r} after type {kind!r}", where)
        return cast(FieldType, kind), None

    def setting(self, key: str, value: Any, where: str) -> Any:
        if key in ("min", "max"):
            try:
                return DateBound.parse(str(value))
            except ValueError:
                raise self.fail(
                    f"{key!r} must be today, today-N, today+N or yyyy-mm-dd, not {value!r}", where
                ) from None
        if (
            not isinstance(value, int)
            or isinstance(value, bool)
            or value < (0 if key == "min_length" else 1)
        ):
            raise self.fail(f"{key!r} must be a positive whole number, not {value!r}", where)
        return value

    def boolean(self, value: Any, where: str) -> bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in ("yes", "true", "no", "false"):
            return value.strip().lower() in ("yes", "true")
        raise self.fail(f"'required' must be yes or no, not {value!r}", where)

    def expression(
        self, raw: Mapping[str, Any], key: str, where: str, known: set[str]
    ) -> Expression | None:
        source = raw.get(key)
        if source is None:
            return None
        if not isinstance(source, str) or not source.strip():
            raise self.fail(f"{key!r} must be an expression as text", where)
        try:
            expression = parse_expression(source)
        except ExpressionError as error:
            raise self.fail(f"bad {key} {source!r}: {error}", where) from None
        for ref in sorted(expression.references - known):
            raise self.fail(
                f"{key} {source!r} names ${{{ref}}}, which is not an earlier field", where
            )
        return expression
