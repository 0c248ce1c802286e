"""`make demo`: hubsim with the demo world, and hubdash pointed at it with a connected account.

Everything stays on loopback; the demo's database and secrets live under var/demo/.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HUBSIM_PORT = int(os.environ.get("HUBSIM_PORT", "8765"))
USERNAME, PASSWORD = "demo", "demo-password-123"


def main() -> int:
    env = dict(
        os.environ,
        HF_ENDPOINT=f"http://127.0.0.1:{HUBSIM_PORT}",
        HUBDASH_VAR_DIR=str(ROOT / "var" / "demo"),
        HF_HUB_DISABLE_XET="1",
    )
    env.pop("DATABASE_URL", None)
    python = sys.executable
    hubsim = subprocess.Popen(
        [python, "-m", "tests.hubsim", "--port", str(HUBSIM_PORT), "--seed", "demo"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    print(hubsim.stdout.readline().strip(), flush=True)  # type: ignore[union-attr]
    try:
        manage = [python, "manage.py"]
        subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
        exists = subprocess.run(
            [
                *manage,
                "shell",
                "-c",
                "from django.contrib.auth.models import User; "
                f"print(User.objects.filter(username='{USERNAME}').exists())",
            ],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        if exists != "True":
            subprocess.run(
                [*manage, "createsuperuser", "--noinput", "--username", USERNAME, "--email", "demo@example.com"],
                cwd=ROOT,
                env=dict(env, DJANGO_SUPERUSER_PASSWORD=PASSWORD),
                check=True,
            )
        subprocess.run(
            [*manage, "connect_token", USERNAME],
            cwd=ROOT,
            env=env,
            check=True,
            input="hf_demo_alice_write\n",
            text=True,
        )
        print(
            f"\nhubdash demo at http://127.0.0.1:8000 — sign in as {USERNAME} / {PASSWORD} "
            "(connected to the demo Hub as alice). Ctrl-C stops both.\n",
            flush=True,
        )
        gunicorn = subprocess.Popen(
            [str(Path(python).parent / "gunicorn"), "-c", "hubdash/gunicorn.conf.py", "hubdash.wsgi"], cwd=ROOT, env=env
        )
        try:
            gunicorn.wait()
        except KeyboardInterrupt:
            gunicorn.terminate()
            gunicorn.wait(timeout=10)
    finally:
        hubsim.terminate()
        hubsim.wait(timeout=10)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(0)
