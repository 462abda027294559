"""MendForm: the base of every form in Mend. No text it takes holds a control character."""

from __future__ import annotations

from flask_wtf import FlaskForm

from practice.inputs import REFUSED, has_controls, without_controls


class MendForm(FlaskForm):
    """A FlaskForm that refuses control characters (other than tab, newline and carriage
    return) in every field, with a plain message; PostgreSQL cannot store NUL and no person
    types the others. The words are shown again without them, nothing else taken out."""

    def validate(self, extra_validators=None) -> bool:
        # Cleaned before any validator runs: a validate_<field> that asks the database (is
        # this email taken?) must never send it a NUL.
        refused = []
        for field in self:
            if not has_controls(field.raw_data):
                continue
            field.raw_data = without_controls(field.raw_data)
            if isinstance(field.data, str | list):
                field.data = without_controls(field.data)
            refused.append(field)
        valid = super().validate(extra_validators)
        for field in refused:
            field.errors = [*field.errors, REFUSED]
        return valid and not refused
