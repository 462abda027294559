"""The field macro draws dropdowns through select_input exactly as WTForms' Select draws them."""

from __future__ import annotations

import pytest
from flask import Flask
from wtforms import Form, SelectField, SelectMultipleField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from practice.couples.forms import StageMoveForm, StatusForm
from practice.templating import plain_select

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
