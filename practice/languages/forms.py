"""The language chooser's form."""

from __future__ import annotations

from wtforms import HiddenField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from practice.forms import MendForm
from practice.i18n import LANGUAGES
from practice.i18n import lazy_gettext as _l


class LanguageForm(MendForm):
    language = SelectField(
        _l("Language"),
        choices=[
            SelectChoice("", _l("As my browser asks")),
            *(SelectChoice(code, name) for code, name in LANGUAGES.items()),
        ],
        validators=[Optional()],
    )
    next = HiddenField(validators=[Optional(), Length(max=500)])
