"""Print the `static` dependency group of pyproject.toml (ruff, bandit, semgrep), one a line,
for `pip install` into the tools' own environment (.venv-static/) without the app."""

import tomllib
from pathlib import Path

pyproject = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text())
print("\n".join(pyproject["dependency-groups"]["static"]))
