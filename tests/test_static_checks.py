"""Static analysis as part of the suite: bandit and Mend's own semgrep rules, run offline from
the tools' own environment (tests/static_tools.py).

Each rule is also run on tests/static_fixtures, where it must fire: a rule that silently stops
matching would otherwise pass forever.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections import Counter
from pathlib import Path

from tests.static_tools import tool

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "static_fixtures"


def _bandit(target: Path) -> list[dict]:
    """Medium and high findings of bandit over target."""
    result = subprocess.run(
        [tool("bandit"), "-r", str(target), "--severity-level", "medium", "-f", "json", "-q"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert result.stdout, result.stderr
    report = json.loads(result.stdout)
    assert report["errors"] == [], report["errors"]
    return report["results"]


def _semgrep(*targets: Path) -> list[dict]:
    """Findings of the rules in .semgrep/, offline: no registry, no metrics, no version check."""
    env = dict(os.environ, SEMGREP_ENABLE_VERSION_CHECK="0", SEMGREP_SEND_METRICS="off")
    result = subprocess.run(
        [
            tool("semgrep"),
            "scan",
            "--config",
            str(ROOT / ".semgrep"),
            "--metrics=off",
            "--disable-version-check",
            "--json",
            "--quiet",
            *[str(target) for target in targets],
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
        env=env,
    )
    assert result.stdout, result.stderr
    report = json.loads(result.stdout)
    assert report["errors"] == [], report["errors"]
    return report["results"]


def _where(finding: dict) -> str:
    return f"{finding['path']}:{finding['start']['line']} {finding['check_id']}"


def test_bandit_finds_nothing_unexplained_in_practice() -> None:
    findings = _bandit(ROOT / "practice")
    assert [f"{f['filename']}:{f['line_number']} {f['test_id']}" for f in findings] == []


def test_every_bandit_exception_names_its_check_and_says_why() -> None:
    for path in (ROOT / "practice").rglob("*.py"):
        lines = path.read_text(encoding="utf-8").splitlines()
        for number, line in enumerate(lines):
            if "nosec" not in line:
                continue
            where = f"{path.relative_to(ROOT)}:{number + 1}"
            assert re.search(r"nosec B\d{3}", line), f"{where}: name the check (# nosec Bxxx)"
            reason_after = re.search(r"nosec B\d{3}\s*-\s*\w", line)
            reason_above = number > 0 and lines[number - 1].strip().startswith("#")
            assert reason_after or reason_above, f"{where}: say in one line why it is safe"


def test_bandit_really_reports_medium_findings() -> None:
    found = Counter(f["test_id"] for f in _bandit(FIXTURES))
    assert found["B704"] == 1  # Markup(note)
    assert found["B608"] == 6  # SQL built with formatting


def test_semgrep_rules_find_nothing_in_the_app() -> None:
    findings = _semgrep(ROOT / "practice", ROOT / "templates", ROOT / "reports")
    assert [_where(f) for f in findings] == []


def test_every_semgrep_rule_fires_on_its_fixture() -> None:
    rules = {
        path.stem: re.findall(r"^\s*- id: (\S+)", path.read_text(), re.M)
        for path in (ROOT / ".semgrep").glob("*.yml")
    }
    every_rule = {rule for ids in rules.values() for rule in ids}
    found = Counter(
        (Path(f["path"]).name, f["check_id"].rsplit(".", 1)[-1]) for f in _semgrep(FIXTURES)
    )
    assert found == {
        ("unsafe_template.html", "mend-no-safe-filter"): 2,
        ("unsafe_template.html", "mend-no-autoescape-off"): 1,
        ("unsafe_markup.py", "mend-no-markup-call"): 1,
        ("unsafe_markup.py", "mend-no-markup-filter"): 1,
        ("template_string.py", "mend-no-render-template-string"): 1,
        ("formatted_sql.py", "mend-no-formatted-sql"): 6,
        ("model_query.py", "mend-no-model-query"): 1,
    }
    # No rule is left without a fixture, and the clean file and |markdown are left alone.
    assert {rule for _file, rule in found} == every_rule


def test_the_static_tools_stay_out_of_the_app_environment() -> None:
    """The README's test command installs the `test` extra; the tools have their own group."""
    import tomllib

    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    names = {
        re.split(r"[<>=!~\[ ]", requirement, maxsplit=1)[0].lower()
        for extra in pyproject["project"]["optional-dependencies"].values()
        for requirement in extra
    }
    assert names.isdisjoint({"semgrep", "bandit", "ruff"}), names
    static = pyproject["dependency-groups"]["static"]
    assert {re.split(r"[<>=]", r, maxsplit=1)[0] for r in static} == {"ruff", "bandit", "semgrep"}
