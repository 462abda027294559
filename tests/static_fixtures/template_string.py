from flask import render_template_string


def page(note: str) -> str:
    return render_template_string("<p>" + note + "</p>")
