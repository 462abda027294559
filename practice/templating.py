"""Jinja filters and globals for the web pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import Flask, has_request_context, request
from markupsafe import Markup
from wtforms.widgets import Select

from practice.audit.words import place as audit_place
from practice.controls import attributes, control, hidden_fields
from practice.i18n import lazy_gettext as _l
from practice.markdown import render_markdown
from practice.messages.text import render_message
from practice.models import utcnow
from practice.numfmt import decimal, number, percent, points, signed
from practice.stages import STAGES
from practice.timefmt import (
    format_date,
    format_datetime,
    format_since,
    format_time,
    format_weekday,
    practice_zone,
)

WHO_LABELS = {
    "each": _l("Each partner"),
    "injured": _l("Injured partner"),
    "involved": _l("Involved partner"),
    "together": _l("Both together"),
}
VISIBILITY_LABELS = {
    "clinician": _l("Private to the clinician"),
    "shared": _l("Shared with the partner"),
    "mutual": _l("Mutual (seen once both have answered)"),
}


def format_day(day) -> str:
    """'Tue 3 Dec' (in the reader's language)."""
    return format_weekday(day)


@dataclass(frozen=True)
class ChoiceOption:
    value: str
    label: Any
    checked: bool


def choice_options(field) -> list[ChoiceOption]:
    """A radio or checkbox group's options as plain values, for the option_input macro: what
    iterating the WTForms field yields, without a field object per option (a 0-10 scale has
    eleven, on the busiest page partners use). For fields without render_kw, as Mend's are."""
    return [
        ChoiceOption(str(choice.value), choice.label or choice.value, choice.selected)
        for choice in field.iter_choices()
    ]


def plain_select(field) -> bool:
    """True for a single dropdown the select_input macro draws exactly as WTForms' Select:
    no option groups, no attributes of its own on any option."""
    widget = field.widget
    return (
        type(widget) is Select
        and not widget.multiple
        and not field.has_groups()
        and not any(choice.render_kw for choice in field.iter_choices())
    )


def select_params(field, attrs: dict[str, Any]) -> Markup:
    """The <select> tag's attributes as WTForms' Select writes them (its id, the validation
    flags it copies, the given attributes, its name; in html_params' order)."""
    params = {"id": field.id, **attrs}
    flags_set = vars(field.flags)
    for key in Select.validation_attrs:
        if key in flags_set and key not in params:
            params[key] = flags_set[key]
    return attributes(name=field.name, **params)


LINKS_KEPT = 20_000


def remembered_links(app: Flask):
    """url_for for the pages, remembering the links it built.

    A page names the same links on every view (the navigation, a couple's dozen actions), and
    building one through the URL map costs more than the rest of its line. Within a request a
    link depends only on its endpoint, its values and the path Mend is served under (the
    script root), so those are the key. Anything else that can change a link goes through
    Flask each time: no request, a URL default function, an _external, _anchor, _method or
    _scheme argument, an endpoint relative to the blueprint, a value that cannot be a key
    (a list for a query string).
    """
    built = app.url_for
    kept: dict[tuple, str] = {}

    def url_for(endpoint: str, /, **values: Any) -> str:
        if (
            endpoint[:1] == "."
            or app.url_default_functions
            or not has_request_context()
            or any(name[:1] == "_" for name in values)
        ):
            return built(endpoint, **values)
        key = (endpoint, request.script_root, *values.items())
        try:
            return kept[key]
        except KeyError:
            pass
        except TypeError:  # a value that cannot be a key
            return built(endpoint, **values)
        link = built(endpoint, **values)
        if len(kept) >= LINKS_KEPT:
            kept.clear()  # many couples' links: start again rather than grow without end
        kept[key] = link
        return link

    return url_for


def compile_templates(app: Flask) -> int:
    """Compile every page template into the app's template cache; returns how many."""
    names = app.jinja_env.list_templates(extensions=["html"])
    for name in names:
        app.jinja_env.get_template(name)
    return len(names)


def unread_messages() -> int:
    """The signed-in partner's unread messages (for the navigation), counted once a page."""
    from flask import g
    from flask_login import current_user

    from practice.db import db
    from practice.messages.services import unread_for_client

    if not (current_user.is_authenticated and current_user.is_client):
        return 0
    if "unread_messages" not in g:
        g.unread_messages = unread_for_client(db.session, current_user.id)
    return g.unread_messages


def register_template_helpers(app: Flask) -> None:
    from practice.exercises.services import title_for_reader

    """Add Mend's filters (dates in the practice's zone, dates and numbers in the reader's
    language) and globals (stages)."""
    app.jinja_env.filters["datetime"] = lambda value: format_datetime(value, practice_zone())
    app.jinja_env.filters["date"] = lambda value: format_date(value, practice_zone())
    app.jinja_env.filters["time"] = lambda value: format_time(value, practice_zone())
    app.jinja_env.filters["decimal"] = decimal
    app.jinja_env.filters["number"] = number
    app.jinja_env.filters["percent"] = percent
    app.jinja_env.filters["message_text"] = render_message
    app.jinja_env.filters["since"] = lambda value: format_since(value, utcnow(), practice_zone())
    app.jinja_env.globals["STAGES"] = STAGES
    app.jinja_env.filters["markdown"] = render_markdown
    app.jinja_env.filters["day"] = format_day
    app.jinja_env.filters["signed"] = signed
    app.jinja_env.filters["points"] = points
    app.jinja_env.globals["WHO_LABELS"] = WHO_LABELS
    app.jinja_env.globals["exercise_title"] = title_for_reader
    app.jinja_env.globals["VISIBILITY_LABELS"] = VISIBILITY_LABELS
    app.jinja_env.globals["timedelta1"] = timedelta(days=1)
    app.jinja_env.globals["choice_options"] = choice_options
    app.jinja_env.globals["plain_select"] = plain_select
    app.jinja_env.globals["select_params"] = select_params
    app.jinja_env.globals["control"] = control
    app.jinja_env.globals["hidden_fields"] = hidden_fields
    app.jinja_env.globals["audit_place"] = audit_place
    app.jinja_env.globals["url_for"] = remembered_links(app)
    app.jinja_env.globals["unread_messages"] = unread_messages
