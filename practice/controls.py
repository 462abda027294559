"""Form controls drawn exactly as WTForms draws them, only faster.

WTForms writes each attribute through Markup.format, a string.Formatter call per attribute:
a third of the couple page's drawing time. attributes() writes the same characters with plain
string operations, every key and value escaped; tests/test_form_macros.py compares the two for
every field of every form in Mend.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from markupsafe import Markup, escape
from wtforms.meta import DefaultMeta
from wtforms.widgets import DateTimeLocalInput, HiddenInput, Input, NumberInput, TextArea
from wtforms.widgets.core import clean_key


def _escaped(**params: Any) -> str:
    written = []
    for key, value in sorted(params.items()):
        key = clean_key(key)
        if value is True:
            written.append(str(escape(key)))
        elif value is not False:
            written.append(f'{escape(key)}="{str(escape(value)).replace(chr(34), "&quot;")}"')
    return " ".join(written)


def _safe(html: str) -> Markup:
    # Built only by this module, from escape()d keys, values and text.
    return Markup(html)  # noqa: S704  # nosec B704  # nosemgrep: mend-no-markup-call


def attributes(**params: Any) -> Markup:
    """WTForms' html_params, character for character."""
    return _safe(_escaped(**params))


def _number_params(widget: NumberInput, field: Any, params: dict[str, Any]) -> None:
    for key in ("step", "min", "max"):
        if getattr(widget, key) is not None:
            params.setdefault(key, getattr(widget, key))


def _date_params(widget: Input, field: Any, params: dict[str, Any]) -> None:
    formats = getattr(field, "format", None)
    if formats is None:
        return
    written = formats[0] if isinstance(formats, list) else formats
    for key in ("min", "max"):
        value = params.get(key, getattr(field.flags, key, None))
        if callable(value):
            value = value()
        if hasattr(value, "strftime"):
            params[key] = value.strftime(written)


# The input widgets written here, by the __call__ they would run: what each adds to the
# attributes before Input.__call__ writes them. A widget whose __call__ is another (a new
# WTForms release, a widget of Mend's own) is drawn by WTForms.
_INPUTS: dict[Any, Callable[[Any, Any, dict[str, Any]], None] | None] = {
    Input.__call__: None,
    NumberInput.__call__: _number_params,
    DateTimeLocalInput.__call__: _date_params,  # every date and time input's (their base's)
}


def control(field: Any, attrs: dict[str, Any]) -> Markup:
    """A field's control exactly as ``field(**attrs)`` draws it. Inputs (text, number, email,
    date and time, hidden...) and text areas are written here; any other widget, or a form
    whose meta draws fields its own way, is left to WTForms."""
    widget = field.widget
    kind = type(widget)
    if type(field.meta).render_field is not DefaultMeta.render_field or not (
        kind.__call__ in _INPUTS or kind is TextArea
    ):
        return field(**attrs)
    params = dict(field.render_kw, **attrs) if field.render_kw else dict(attrs)
    flags_set = vars(field.flags)
    if kind is TextArea:
        params.setdefault("id", field.id)
        for key in widget.validation_attrs:
            if key in flags_set and key not in params:
                params[key] = flags_set[key]
        text = escape(field._value())
        return _safe(f"<textarea {_escaped(name=field.name, **params)}>\r\n{text}</textarea>")
    prepare = _INPUTS[kind.__call__]
    if prepare is not None:
        prepare(widget, field, params)
    params.setdefault("id", field.id)
    params.setdefault("type", widget.input_type)
    if "value" not in params:
        params["value"] = field._value()
    datalist = getattr(field, "_datalist", None)
    if datalist is not None and "list" not in params:
        params["list"] = datalist if isinstance(datalist, str) else datalist.id
    for key in widget.validation_attrs:
        if key in flags_set and key not in params:
            value = flags_set[key]
            params[key] = value() if callable(value) else value
    return _safe(f"<input {_escaped(name=field.name, **params)}>")


def hidden_fields(form: Any) -> Markup:
    """Flask-WTF's ``form.hidden_tag()`` (the CSRF token and any other hidden field), the same
    characters, each written by control()."""
    return _safe(
        "\n".join(
            str(control(field, {})) for field in form if isinstance(field.widget, HiddenInput)
        )
    )
