"""`practice serve`: Mend under gunicorn (`practice run` stays Flask's development server)."""

from __future__ import annotations

import gc
import logging
from typing import Any

import click
from flask import Flask
from flask.cli import ScriptInfo, pass_script_info
from flask_babel import gettext as _
from gunicorn.app.base import BaseApplication

from practice import gunicorn_conf
from practice.templating import compile_templates

log = logging.getLogger(__name__)


class MendServer(BaseApplication):
    """Gunicorn serving the app the CLI already built, with practice.gunicorn_conf's settings."""

    def __init__(self, flask_app: Flask, overrides: dict[str, Any]) -> None:
        self.flask_app = flask_app
        self.overrides = overrides
        super().__init__(prog="practice serve")

    def load_config(self) -> None:
        fixed = {name: getattr(gunicorn_conf, name) for name in dir(gunicorn_conf)}
        chosen = {**fixed, **gunicorn_conf.options(self.flask_app.config), **self.overrides}
        for name, value in chosen.items():
            if name in self.cfg.settings:
                self.cfg.set(name, value)

    def load(self) -> Flask:
        # Called once, in the master (preload_app): the page templates are compiled here, so
        # every worker, a recycled one too, starts with them instead of compiling its own.
        compile_templates(self.flask_app)
        # What the master built lives as long as the workers: out of the garbage collector's
        # sight (gc.freeze), their collections stay short and the pages stay shared after fork.
        gc.collect()
        gc.freeze()
        return self.flask_app


@click.command("serve")
@click.option("--bind", default=None, help="Address to listen on (default: PRACTICE_BIND).")
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Worker processes (default: PRACTICE_WEB_WORKERS, or 2 x cores + 1, at most 8).",
)
@click.option(
    "--allow-development",
    is_flag=True,
    help="Serve an instance that is not in production (a load test on demo data, say).",
)
@pass_script_info
def serve_command(
    info: ScriptInfo, bind: str | None, workers: int | None, allow_development: bool
) -> None:
    """Serve Mend with gunicorn: the production web process. SIGTERM stops it gracefully."""
    app = info.load_app()
    if not app.config["PRODUCTION"] and not allow_development:
        with app.app_context():
            problem = _(
                "PRACTICE_ENV is %(env)s: `practice serve` is the production web server. Set "
                "PRACTICE_ENV=production, or add --allow-development to serve this instance "
                "anyway (for a load test on demo data); `practice run` is the development "
                "server.",
                env=app.config["ENV"],
            )
        raise click.ClickException(problem)
    overrides: dict[str, Any] = {}
    if bind:
        overrides["bind"] = [bind]
    if workers:
        overrides["workers"] = workers
    server = MendServer(app, overrides)
    if server.cfg.workers > 1 and not app.config["REDIS_URL"]:
        log.warning(
            "PRACTICE_REDIS_URL is not set, so each of the %s workers keeps its own sign-in "
            "throttle counters and allows that many more attempts. Set PRACTICE_REDIS_URL to "
            "share them.",
            server.cfg.workers,
        )
    server.run()
