"""The worksheet form, built with WTForms from a template version's fields."""

from __future__ import annotations

from collections import OrderedDict
from datetime import date
from typing import Any

from flask_babel import gettext as _
from flask_babel.speaklater import LazyString
from werkzeug.datastructures import MultiDict
from wtforms import (
    DateField,
    DecimalField,
    HiddenField,
    RadioField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from practice.exercises.definitions import FieldDef, TemplateDef
from practice.forms import MendForm
from practice.i18n import lazy_gettext as _l
from practice.inputs import count_words, without_controls

PREFIX = "f_"


class TextLimit(Length):
    """A length limit checked on the server only: a browser's maxlength would silently cut
    pasted text, and nobody's words may be lost."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.field_flags = {}


class CheckboxesField(SelectMultipleField):
    """Multiple choice as a list of checkboxes (usable with a thumb on a phone)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ChoiceRadioField(RadioField):
    """A radio group whose message for a value outside its options is plain."""

    def __init__(self, *args, invalid_message=None, **kw):
        super().__init__(*args, **kw)
        self.invalid_message = invalid_message or _l("Please choose one of the options.")

    def pre_validate(self, form) -> None:
        if self.data is None:
            return
        if not any(str(self.data) == str(c.value) for c in self.iter_choices_values()):
            raise ValidationError(self.invalid_message)

    def iter_choices_values(self):
        for choice in self.choices:
            yield choice if isinstance(choice, SelectChoice) else SelectChoice(*choice)

    def process_formdata(self, valuelist: list[str]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError as exc:
            raise ValueError(self.invalid_message) from exc


def _required(field: FieldDef, message: str):
    return InputRequired(message=message) if field.required else Optional()


def _keep_to(most: int) -> str:
    return _(
        "Please keep this to %(num)s characters (your text is still here).",
        num=count_words(most),
    )


def make_field(field: FieldDef):
    """The WTForms field for one template field."""
    kw: dict[str, Any] = {"description": field.help}
    if field.kind in ("short_text", "long_text"):
        validators = [
            _required(field, _l("Please write something here.")),
            TextLimit(
                max=field.max_length,
                message=LazyString(_keep_to, field.max_length),
            ),
        ]
        cls = StringField if field.kind == "short_text" else TextAreaField
        return cls(field.label, validators=validators, **kw)
    if field.kind == "scale":
        low, high = int(field.min), int(field.max)
        message = _l("Please choose a number from %(low)d to %(high)d.", low=low, high=high)
        return ChoiceRadioField(
            field.label,
            choices=[SelectChoice(n, str(n)) for n in range(low, high + 1)],
            coerce=int,
            validators=[_required(field, message)],
            invalid_message=message,
            **kw,
        )
    if field.kind == "single_choice":
        return ChoiceRadioField(
            field.label,
            choices=[SelectChoice(o, o) for o in field.options],
            validators=[_required(field, _l("Please choose one."))],
            **kw,
        )
    if field.kind == "yes_no":
        return ChoiceRadioField(
            field.label,
            choices=[SelectChoice("yes", _l("Yes")), SelectChoice("no", _l("No"))],
            validators=[_required(field, _l("Please choose yes or no."))],
            invalid_message=_l("Please choose yes or no."),
            **kw,
        )
    if field.kind == "multi_choice":
        validators = [_required(field, _l("Please choose at least one."))]
        return CheckboxesField(
            field.label,
            choices=[SelectChoice(o, o) for o in field.options],
            validators=validators,
            **kw,
        )
    if field.kind == "date":
        return PlainDateField(
            field.label, validators=[_required(field, PlainDateField.MESSAGE)], **kw
        )
    if field.kind == "number":
        validators = [_required(field, _l("Please give a number."))]
        if field.min is not None or field.max is not None:
            validators.append(NumberRange(min=field.min, max=field.max, message=_range(field)))
        return PlainNumberField(field.label, validators=validators, **kw)
    raise ValueError(f"unknown field kind {field.kind}")


def _range(field: FieldDef) -> str:
    if field.min is not None and field.max is not None:
        return _l(
            "Please give a number from %(low)s to %(high)s.",
            low=format(field.min, "g"),
            high=format(field.max, "g"),
        )
    if field.min is not None:
        return _l("Please give a number of at least %(low)s.", low=format(field.min, "g"))
    return _l("Please give a number of at most %(high)s.", high=format(field.max, "g"))


class PlainDateField(DateField):
    MESSAGE = _l("Please give a date, such as 2026-12-03.")

    def process_formdata(self, valuelist: list[str]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError as exc:
            raise ValueError(self.MESSAGE) from exc


class PlainNumberField(DecimalField):
    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("places", None)  # 2.5 shows as 2.5, not 2.50
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist: list[str]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError as exc:
            raise ValueError(_l("Please give a number, such as 3 or 2.5.")) from exc


class WorksheetBase(MendForm):
    # Which button was pressed (save or submit) comes from the button itself, not a field.
    revision = HiddenField()
    author = HiddenField()  # signed: who opened this worksheet (for words posted signed out)


def build_form(definition: TemplateDef, role: str, formdata=None, answers=None) -> WorksheetBase:
    """A worksheet form for the partner with this role, filled from formdata or saved answers.

    Saved answers (a draft holds what was typed, a sent answer typed values) are given back to
    the fields as the browser posted them, so every kind reads them through the one path a post
    takes: a draft's "2.5" or "next Tuesday" is shown as typed, whatever the field makes of it.
    """
    if formdata is None and answers:
        formdata = MultiDict(
            (PREFIX + field.key, text)
            for field in definition.fields_for(role)
            for text in as_posted(field, answers.get(field.key))
        )
    return _form_class(definition, role)(formdata=formdata)


# Form classes by parsed definition and role. definition_of hands out one TemplateDef object per
# version and content, so a class is built once per version a partner opens, not per request.
_FORM_CLASSES: OrderedDict[tuple[int, str], tuple[TemplateDef, type[WorksheetBase]]] = OrderedDict()
_KEPT_CLASSES = 512


def _form_class(definition: TemplateDef, role: str) -> type[WorksheetBase]:
    key = (id(definition), role)
    kept = _FORM_CLASSES.get(key)
    if kept is not None and kept[0] is definition:  # the entry holds it: its id is its own
        return kept[1]

    class WorksheetForm(WorksheetBase):
        pass

    for field in definition.fields_for(role):
        setattr(WorksheetForm, PREFIX + field.key, make_field(field))
    _FORM_CLASSES[key] = (definition, WorksheetForm)
    while len(_FORM_CLASSES) > _KEPT_CLASSES:
        _FORM_CLASSES.popitem(last=False)
    return WorksheetForm


def as_posted(field: FieldDef, value: Any) -> list[str]:
    """A stored (draft, parked or sent) value as the browser posts it for this field."""
    if value is None or value == "":
        return []
    if isinstance(value, list | tuple):
        return [str(v) for v in value if v is not None]
    if field.kind == "yes_no" and isinstance(value, bool):
        return ["yes" if value else "no"]
    if isinstance(value, date):
        return [value.isoformat()]
    return [str(value)]


def raw_values(definition: TemplateDef, role: str, formdata) -> dict[str, Any]:
    """What the partner typed, unvalidated, for a draft (nothing is cut; only characters no
    database stores are left out, as sending it would refuse them)."""
    values: dict[str, Any] = {}
    for field in definition.fields_for(role):
        name = PREFIX + field.key
        if field.kind == "multi_choice":
            values[field.key] = without_controls(formdata.getlist(name))
        else:
            values[field.key] = without_controls(formdata.get(name, ""))
    return values


def unknown_fields(definition: TemplateDef, role: str, formdata) -> list[str]:
    """Posted answer fields that this partner's worksheet does not have."""
    allowed = {PREFIX + f.key for f in definition.fields_for(role)}
    return sorted(k for k in formdata if k.startswith(PREFIX) and k not in allowed)


def typed_values(definition: TemplateDef, role: str, form: WorksheetBase) -> dict[str, Any]:
    """Validated answers as stored on submission (numbers as numbers, dates as ISO text)."""
    values: dict[str, Any] = {}
    for field in definition.fields_for(role):
        data = form[PREFIX + field.key].data
        if field.kind == "date":
            data = data.isoformat() if data else None
        elif field.kind == "number" and data is not None:
            data = int(data) if data == data.to_integral_value() else float(data)
        elif field.kind in ("short_text", "long_text"):
            data = (data or "").strip()
        elif field.kind == "yes_no":
            data = {"yes": True, "no": False}.get(data)
        values[field.key] = data
    return values
