"""The field macro draws controls exactly as WTForms draws them: dropdowns through
select_input, plain inputs and text areas through practice.controls."""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
from datetime import date, datetime

import pytest
from flask import Flask
from flask_wtf import FlaskForm
from markupsafe import Markup
from werkzeug.datastructures import MultiDict
from wtforms import (
    DateField,
    DateTimeLocalField,
    Form,
    IntegerField,
    SelectField,
    SelectMultipleField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, NumberRange
from wtforms.widgets import Input, NumberInput, TextArea, html_params

import practice
from practice.controls import attributes, control, hidden_fields
from practice.couples.forms import StageMoveForm, StatusForm
from practice.exercises.definitions import parse_definition
from practice.exercises.library import LIBRARY
from practice.templating import plain_select
from practice.worksheets.forms import build_form

AWKWARD = [
    SelectChoice("a < b", 'Tom & "Jerry" <b>'),
    SelectChoice("", "(none)"),
    SelectChoice(True, ""),
    SelectChoice(3, "Three"),
]
ATTRS = [{}, {"aria-describedby": "x-help x-error", "aria-invalid": "true"}, {"class_": "wide"}]


def _macro_and_wtforms(app: Flask, field, attrs) -> tuple[str, str]:
    macro = app.jinja_env.from_string(
        '{% from "_macros/forms.html" import select_input %}{{ select_input(f, attrs) }}'
    )
    return macro.render(f=field, attrs=attrs), str(field(**attrs))


@pytest.mark.parametrize("target", [1, 4, 7, None])
def test_the_couple_page_dropdowns_draw_as_wtforms_draws_them(app: Flask, target) -> None:
    with app.test_request_context():
        for field in (StageMoveForm(target=target).target, StatusForm(status="paused").status):
            assert plain_select(field)
            for attrs in ATTRS:
                drawn, expected = _macro_and_wtforms(app, field, attrs)
                assert "<option" in drawn
                assert drawn == expected


@pytest.mark.parametrize("data", ["a < b", "", "True", "3", None])
def test_awkward_values_and_labels_draw_as_wtforms_draws_them(app: Flask, data) -> None:
    class Awkward(Form):
        required = SelectField(choices=AWKWARD, validators=[InputRequired()])
        optional = SelectField(choices=AWKWARD)

    form = Awkward(data={"required": data, "optional": data})
    with app.test_request_context():
        for field in (form.required, form.optional):
            for attrs in ATTRS:
                drawn, expected = _macro_and_wtforms(app, field, attrs)
                assert drawn == expected
        assert " required" in _macro_and_wtforms(app, form.required, {})[0]


def test_dropdowns_the_macro_cannot_draw_exactly_stay_with_wtforms() -> None:
    class Others(Form):
        grouped = SelectField(choices=[SelectChoice("a", "A", optgroup="Group")])
        with_attributes = SelectField(
            choices=[SelectChoice("a", "A", render_kw={"disabled": True})]
        )
        several = SelectMultipleField(choices=[SelectChoice("a", "A")])

    form = Others()
    assert not any(plain_select(field) for field in form)


# --- every other control: practice.controls against WTForms ---------------------------------

AWKWARD_TEXT = 'Tom & "Jerry" <b>it\'s</b>'
CONTROL_ATTRS = [
    *ATTRS,
    {"inputmode": "numeric"},
    {"autocomplete": "one-time-code", "aria-describedby": "a b"},
    {"required": False, "readonly": True},
]


def _every_form() -> list[type[FlaskForm]]:
    for module in pkgutil.iter_modules(practice.__path__):
        if module.ispkg and importlib.util.find_spec(f"practice.{module.name}.forms"):
            importlib.import_module(f"practice.{module.name}.forms")
    found, waiting = [], list(FlaskForm.__subclasses__())
    while waiting:
        form = waiting.pop()
        waiting.extend(form.__subclasses__())
        if form.__module__.startswith("practice."):
            found.append(form)
    return found


def _worksheet_forms() -> list[FlaskForm]:
    forms = []
    for raw in LIBRARY:
        definition = parse_definition(raw)
        for role in ("injured", "involved"):
            forms.append(build_form(definition, role))
            awkward = MultiDict({f"f_{f.key}": AWKWARD_TEXT for f in definition.fields_for(role)})
            forms.append(build_form(definition, role, awkward))
    return forms


def test_every_control_draws_as_wtforms_draws_it(app: Flask) -> None:
    written_here = 0
    with app.test_request_context():
        forms = []
        for form_class in _every_form():
            forms.append(form_class())
            awkward = MultiDict({name: AWKWARD_TEXT for name in form_class()._fields})
            forms.append(form_class(formdata=awkward))
        forms.extend(_worksheet_forms())
        for form in forms:
            for field in form:
                field.render_kw = None
                for attrs in CONTROL_ATTRS:
                    assert control(field, attrs) == str(field(**attrs)), (form, field.name)
                field.render_kw = {"placeholder": AWKWARD_TEXT, "class": "wide"}
                assert control(field, {}) == str(field()), (form, field.name)
                written_here += type(field.widget) is TextArea or (
                    type(field.widget).__call__ is Input.__call__
                )
            assert hidden_fields(form) == form.hidden_tag(), form
    assert len(forms) > 40 and written_here > 100  # not a comparison of nothing


class _Limits:
    """A validator that sets min and max flags, as a date range would."""

    def __init__(self, low, high) -> None:
        self.field_flags = {"min": low, "max": high}

    def __call__(self, form, field) -> None:
        pass


def test_number_and_date_controls_with_limits_draw_as_wtforms_draws_them(app: Flask) -> None:
    class Limited(Form):
        stepped = IntegerField(widget=NumberInput(step=5, min=0, max=100))
        ranged = IntegerField(validators=[NumberRange(min=1, max=9)])
        day = DateField(validators=[_Limits(date(2026, 1, 1), date(2026, 12, 31))])
        moment = DateTimeLocalField(
            format=["%Y-%m-%dT%H:%M"], validators=[_Limits(datetime(2026, 1, 1, 9), None)]
        )
        called = DateField(validators=[_Limits(lambda: date(2026, 2, 1), lambda: None)])

    for form in (Limited(), Limited(data={"stepped": 15, "day": date(2026, 3, 4)})):
        with app.test_request_context():
            for field in form:
                for attrs in CONTROL_ATTRS + [{"min": "0", "max": date(2027, 1, 1)}]:
                    assert control(field, attrs) == str(field(**attrs)), field.name
                assert 'min="' in str(control(field, {}))


def test_attributes_write_what_html_params_writes() -> None:
    cases = [
        {"name": "a", "id": "b", "class_": "c", "data_role": "x_y", "aria_label": AWKWARD_TEXT},
        {"checked": True, "disabled": False, "value": 0, "max": 10.5, "min": None},
        {"value": Markup('<i class="x">ok</i>'), "title": "\"quoted\" & 'single'"},
    ]
    for params in cases:
        assert attributes(**params) == html_params(**params)
