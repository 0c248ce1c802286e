"""The SQLite database is readable by hubdash's user alone, like the secret files beside it."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.long
def test_the_sqlite_database_is_created_for_its_owner_only(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(HUBDASH_VAR_DIR=str(tmp_path), HUBDASH_ENV="development")
    # Under a permissive umask too: the mode is hubdash's choice, not the shell's.
    script = "import os, sys; os.umask(0o002); sys.argv = ['manage.py', 'migrate', '--noinput']; "
    script += "from django.core.management import execute_from_command_line; "
    script += "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'hubdash.settings'); execute_from_command_line(sys.argv)"
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    files = sorted(tmp_path.glob("hubdash.sqlite3*"))
    assert tmp_path / "hubdash.sqlite3" in files and (tmp_path / "hubdash.sqlite3").stat().st_size > 0  # migrated
    assert {path.name: stat.filemode(path.stat().st_mode) for path in files} == {
        path.name: "-rw-------" for path in files
    }
    secrets = [tmp_path / "secret_key", tmp_path / "token_keys"]
    assert all(stat.S_IMODE(path.stat().st_mode) == 0o600 for path in secrets)
