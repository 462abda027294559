"""A wheel installed into a fresh venv carries templates, report designs and static files."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

CHECK = """
import sys, practice
from practice import create_app
assert "site-packages" in practice.__file__, practice.__file__
app = create_app({"ENV": "testing", "SECRET_KEY": "wheel-test-key-long-enough-for-mend",
                  "DATABASE_URL": "sqlite://"})
html = app.test_client().get("/login").get_data(as_text=True)
assert "Sign in" in html and "mend.css" in html, html[:500]
css = app.test_client().get("/static/mend.css")
assert css.status_code == 200, css.status_code
from practice.paths import REPORTS_DIR, TEMPLATES_DIR
assert (REPORTS_DIR / "README.md").is_file()
assert str(REPORTS_DIR).startswith(str(practice.__path__[0]))
print("wheel ok", TEMPLATES_DIR)
"""


@pytest.mark.slow
def test_wheel_installs_and_renders_the_login_page(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "build",
            "--wheel",
            "--no-isolation",
            "--outdir",
            str(dist),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    wheel = next(dist.glob("*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in (
        "practice/templates/base.html",
        "practice/templates/auth/login.html",
        "practice/reports/README.md",
        "practice/static/mend.css",
        "practice/migrations/env.py",
        "practice/data/common_passwords.txt",
    ):
        assert required in names, required

    target = tmp_path / "venv"
    venv.create(target, with_pip=True)
    python = target / "bin" / "python"
    site = Path(
        subprocess.check_output(
            [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], text=True
        ).strip()
    )
    subprocess.run(
        [python, "-m", "pip", "install", "--no-deps", "--no-index", "-q", str(wheel)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    # Dependencies come from the test environment, appended after the venv's own packages so
    # the wheel's copy of `practice` is the one imported, not this checkout.
    deps = sysconfig.get_paths()["purelib"]
    (site / "zz_test_dependencies.pth").write_text(deps + "\n")
    result = subprocess.run(
        [python, "-I", "-c", CHECK], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert "wheel ok" in result.stdout
    assert str(site) in result.stdout

    # The console script works from the installed wheel too, migrations included.
    env = {"PATH": "/usr/bin:/bin", "PRACTICE_INSTANCE_PATH": str(tmp_path / "instance")}
    upgraded = subprocess.run(
        [target / "bin" / "practice", "db", "upgrade"], env=env, capture_output=True, text=True
    )
    assert upgraded.returncode == 0, upgraded.stderr
    assert (tmp_path / "instance" / "practice.db").is_file()
