"""Arrears' own commands start without Django's system checks (half a second of every
start: `core.commands`), except `serve`, which takes a configuration into service; Django's
`check` and `migrate` keep them, so a configuration error still stops them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import get_commands, load_command_class


def test_only_serve_of_arrears_own_commands_runs_the_system_checks() -> None:
    own = {name: app for name, app in get_commands().items() if app.startswith("arrears.")}
    checked = {
        name for name, app in own.items() if load_command_class(app, name).requires_system_checks
    }

    assert len(own) >= 25, sorted(own)
    assert checked == {"serve"}


# Django's check and migrate run the checks in their own handle (whatever their
# requires_system_checks says): a configuration error still stops them.
@pytest.mark.parametrize("command", ["check", "migrate"])
def test_check_and_migrate_still_stop_on_a_production_configuration_error(
    command: str, tmp_path: Path
) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "arrears", command],
        env={
            "PATH": "/usr/bin:/bin",
            "ARREARS_DATA_DIR": str(tmp_path),
            "ARREARS_REQUIRE_SECRET": "1",
            "ARREARS_SECRET_KEY": "k" * 60,
            "ARREARS_SMS_PROVIDER": "dev",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert done.returncode != 0
    assert "arrears.outreach.E001" in done.stderr + done.stdout


# scikit-learn (and SciPy under it) takes about a second to import: `arrears case` once
# spent 1.5 s where the other commands spend 0.5, because the score it shows was read
# through the training module. Only the demo, which trains a model, may load it. numpy
# (50-70 ms) was loaded by `arrears cycle` and `arrears worker` through the score step;
# only the demo and the benchmarks, which build portfolios, may load it when they start.
_LOADS_EVERY_COMMAND = """
import sys
import django
django.setup()
from django.core.management import get_commands, load_command_class
loading = []
for name, app in sorted(get_commands().items()):
    if app.startswith("arrears.") and name not in sys.argv[2:]:
        load_command_class(app, name)
        if sys.argv[1] in sys.modules:
            loading.append(name)
            break
print(loading)
"""


@pytest.mark.parametrize(
    ("module", "allowed"), [("sklearn", ["demo"]), ("numpy", ["demo", "bench"])]
)
def test_no_command_but_the_demo_imports_heavy_libraries_when_it_starts(
    tmp_path: Path, module: str, allowed: list[str]
) -> None:
    done = subprocess.run(
        [sys.executable, "-c", _LOADS_EVERY_COMMAND, module, *allowed],
        env={
            "PATH": "/usr/bin:/bin",
            "ARREARS_DATA_DIR": str(tmp_path),
            "DJANGO_SETTINGS_MODULE": "arrears.config.settings",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
