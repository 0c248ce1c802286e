"""hubdash served for real on loopback, the production way (nginx in front of gunicorn) or bare gunicorn.

Used by the serving tests and by `make bench-slow-clients`. nginx runs as the current user from a
throw-away prefix (configuration, pid, temp files and logs in one temporary folder), in front of the
upstream block and the proxy snippet shipped in deploy/nginx/.
"""

from __future__ import annotations

import datetime
import ipaddress
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy" / "nginx"
NGINX = Path(os.environ.get("HUBDASH_NGINX", "/usr/sbin/nginx"))
SIGN_IN = "/accounts/login/"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(url: str, process: subprocess.Popen[bytes], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args!r} exited with {process.returncode} before {url} answered")
        try:
            requests.get(url, timeout=5, allow_redirects=False)
            return
        except requests.RequestException:  # not listening yet, or still loading Django
            time.sleep(0.05)
    raise RuntimeError(f"{url} did not answer within {seconds:.0f} s")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def hubdash_env(var_dir: Path, bind: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "HUBDASH_CACHE_URL"}}
    env.update(
        DJANGO_SETTINGS_MODULE="hubdash.settings",  # the product's settings, not the test suite's
        HUBDASH_ENV="development",
        HUBDASH_DEBUG="false",
        HUBDASH_VAR_DIR=str(var_dir),
        HUBDASH_BIND=bind,
        HF_ENDPOINT="http://127.0.0.1:9",  # no Hub: the pages measured here never call it
        HF_HUB_DISABLE_XET="1",
        **extra,
    )
    return env


def start_gunicorn(env: dict[str, str]) -> subprocess.Popen[bytes]:
    """gunicorn with hubdash's own configuration; its output is kept out of the way."""
    with open(Path(env["HUBDASH_VAR_DIR"]) / "gunicorn.log", "ab") as log:  # gunicorn keeps its own copy
        return subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "-c", "hubdash/gunicorn.conf.py", "hubdash.wsgi"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )


def nginx_binary() -> Path:
    if not os.access(NGINX, os.X_OK):
        raise RuntimeError(
            f"nginx not found at {NGINX}: production serving needs it (apt-get install nginx), "
            "and so do these tests and benchmarks (set HUBDASH_NGINX to use another path)"
        )
    return NGINX


def _replace_once(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"deploy/nginx/hubdash.conf should say {old!r} once"
    return text.replace(old, new)


def _logs_in(prefix: Path, config: str) -> str:
    """The shipped configuration with its logs (/var/log/nginx/hubdash.*.log) under `prefix`."""
    return config.replace("/var/log/nginx/", f"{prefix}/")


def proxy_snippet(deadlines: dict[str, str] | None = None) -> str:
    """deploy/nginx/hubdash-proxy.conf as shipped, or with some of its deadlines shortened (`{"client_body_timeout":
    "3s"}`): a test of what a deadline does then waits seconds, not the shipped tens of seconds."""
    snippet = (DEPLOY / "hubdash-proxy.conf").read_text()
    for directive, value in (deadlines or {}).items():
        shipped = re.findall(rf"^{directive} (\S+);$", snippet, flags=re.MULTILINE)
        assert len(shipped) == 1, f"deploy/nginx/hubdash-proxy.conf should set {directive} once"
        snippet = _replace_once(snippet, f"{directive} {shipped[0]};", f"{directive} {value};")
    return snippet


def _around(prefix: Path, servers: str, worker_processes: str = "1", deadlines: dict[str, str] | None = None) -> str:
    """A whole nginx.conf, everything it writes kept under `prefix`, with the proxy snippet beside it."""
    snippets = prefix / "snippets"
    snippets.mkdir(exist_ok=True)
    (snippets / "hubdash-proxy.conf").write_text(_logs_in(prefix, proxy_snippet(deadlines)))
    # As root, nginx's workers would switch to `nobody`, who cannot write the temporary folder.
    user = f"user {pwd.getpwuid(os.getuid()).pw_name};" if os.geteuid() == 0 else ""
    return f"""
{user}
daemon off;
worker_processes {worker_processes};
pid {prefix}/nginx.pid;
error_log {prefix}/error.log info;
events {{ worker_connections 4096; }}
http {{
    include /etc/nginx/mime.types;
    access_log off;
    client_body_temp_path {prefix}/client_body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
{servers}
}}
"""


def nginx_config(
    prefix: Path,
    listen_port: int,
    upstream_port: int,
    upstream_keepalive: bool = True,
    worker_processes: str = "1",
    deadlines: dict[str, str] | None = None,
) -> str:
    """deploy/nginx/'s upstream block and proxy snippet, in plain HTTP on a loopback port (the shipped site
    serves pages over HTTPS only). Without `upstream_keepalive`, the upstream block's `keepalive` lines
    are left out: nginx then opens a connection to gunicorn for each request and closes it after."""
    site = (DEPLOY / "hubdash.conf").read_text()
    # Everything before the first server block: the upstream, and the log format the snippet writes with.
    http_level = site[: site.index("\nserver {")]
    assert "upstream hubdash {" in http_level, "deploy/nginx/hubdash.conf has no `upstream hubdash` block"
    upstream_block = _replace_once(http_level, "server 127.0.0.1:8000;", f"server 127.0.0.1:{upstream_port};")
    if not upstream_keepalive:
        kept = [line for line in upstream_block.splitlines() if not re.match(r"\s*keepalive(_\w+)?\s", line)]
        assert len(kept) < len(upstream_block.splitlines()), "the upstream block has no `keepalive` line"
        upstream_block = "\n".join(kept)
    server = f"server {{\n    listen 127.0.0.1:{listen_port};\n    include snippets/hubdash-proxy.conf;\n}}"
    return _around(prefix, upstream_block + "\n" + server, worker_processes, deadlines)


def site_config(prefix: Path, http_port: int, https_port: int, upstream_port: int, static_root: Path) -> str:
    """deploy/nginx/hubdash.conf whole, on loopback ports, with a self-signed certificate for 127.0.0.1
    (`prefix`/certificate.pem)."""
    certificate, key = self_signed_certificate(prefix)
    site = (DEPLOY / "hubdash.conf").read_text()
    for old, new in [
        ("server 127.0.0.1:8000;", f"server 127.0.0.1:{upstream_port};"),
        ("listen 80;", f"listen 127.0.0.1:{http_port};"),
        ("listen [::]:80;", ""),
        ("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;"),
        ("listen [::]:443 ssl http2;", ""),
        ("/etc/letsencrypt/live/hubdash.example.org/fullchain.pem", str(certificate)),
        ("/etc/letsencrypt/live/hubdash.example.org/privkey.pem", str(key)),
        ("alias /srv/hubdash/staticfiles/;", f"alias {static_root}/;"),
    ]:
        site = _replace_once(site, old, new)
    return _around(prefix, _logs_in(prefix, site))


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "hubdash.example.org")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .sign(key, hashes.SHA256())
    )
    certificate_path, key_path = folder / "certificate.pem", folder / "key.pem"
    certificate_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return certificate_path, key_path


def run_nginx(prefix: Path, config: str) -> subprocess.Popen[bytes]:
    """nginx with `config` as the current user, after checking the configuration (`nginx -t`)."""
    nginx = nginx_binary()
    path = prefix / "nginx.conf"
    path.write_text(config)
    error_log = str(prefix / "error.log")
    subprocess.run([nginx, "-t", "-q", "-p", str(prefix), "-c", str(path), "-e", error_log], check=True)
    return subprocess.Popen([nginx, "-p", str(prefix), "-c", str(path), "-e", error_log])


def start_nginx(
    prefix: Path, listen_port: int, upstream_port: int, deadlines: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    return run_nginx(prefix, nginx_config(prefix, listen_port, upstream_port, deadlines=deadlines))


# Made once per test process by `migrated`: a database migrated by the product's settings, and whether the
# static files were collected (unless `make test` collected them after the last edit). Migrating took 3-8 s a
# stack and collecting 2-4 s, for what every stack shares.
_TEMPLATES: dict[str, Path] = {}
_COLLECTED: list[bool] = []
DATABASE_FILE = "hubdash.sqlite3"  # under HUBDASH_VAR_DIR (hubdash/settings.py)


def _copy_database(source: Path, var_dir: Path) -> None:
    """The SQLite database of `source` into `var_dir`, with its write-ahead log if one was left."""
    var_dir.mkdir(parents=True, exist_ok=True)
    for part in source.parent.glob(DATABASE_FILE + "*"):
        shutil.copy2(part, var_dir / part.name)  # keeps its owner-only mode


def migrated(env: dict[str, str], admin: bool = False) -> None:
    """The database under env's HUBDASH_VAR_DIR migrated (with an `admin` account if asked), as `manage.py
    migrate` would leave it: a copy of one made once per test process. Static files collected once too, if
    they were not collected since the last edit."""
    if env.get("DATABASE_URL"):
        raise ValueError("migrated() copies SQLite databases; DATABASE_URL names another")
    key = "admin" if admin else "bare"
    if key not in _TEMPLATES:
        folder = Path(tempfile.mkdtemp(prefix=f"hubdash-template-{key}-"))
        template_env = dict(env, HUBDASH_VAR_DIR=str(folder))
        manage = [sys.executable, "manage.py"]
        subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=template_env, check=True)
        if admin:
            subprocess.run(
                [*manage, "createsuperuser", "--noinput", "--username", "admin", "--email", "admin@example.com"],
                cwd=ROOT,
                env=dict(template_env, DJANGO_SUPERUSER_PASSWORD=secrets.token_urlsafe(16)),
                check=True,
                capture_output=True,
            )
        _TEMPLATES[key] = folder / DATABASE_FILE
    _copy_database(_TEMPLATES[key], Path(env["HUBDASH_VAR_DIR"]))
    manifest = ROOT / "staticfiles" / "staticfiles.json"
    if not manifest.exists() or not (_COLLECTED or _collected_after_the_last_edit(manifest)):
        collect = [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"]
        into_the_checkout = {name: value for name, value in env.items() if name != "HUBDASH_STATIC_ROOT"}
        subprocess.run(collect, cwd=ROOT, env=into_the_checkout, check=True)
        _COLLECTED.append(True)


def _collected_after_the_last_edit(manifest: Path) -> bool:
    """Whether the static files were collected (as `make test` does before the suite) after the last edit of
    a file under static/: then they need no collecting again."""
    edited = max((path.stat().st_mtime for path in (ROOT / "static").rglob("*") if path.is_file()), default=0.0)
    return manifest.stat().st_mtime >= edited


def prepare(env: dict[str, str]) -> None:
    """Migrate the throw-away database, add an account (else every page leads to the first-run form),
    and collect static files (the sign-in page needs them)."""
    migrated(env, admin=True)


def csrf_token(page: str) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert found is not None, "no form on the page"
    return found[1]


def sign_in(browser: requests.Session, site: str, username: str, password: str, verify: str | bool = True) -> int:
    """Sign in through the form as a browser does (with Origin and Referer); the answer's status."""
    form = browser.get(site + SIGN_IN, verify=verify, timeout=10)
    answer = browser.post(
        site + SIGN_IN,
        data={"username": username, "password": password, "csrfmiddlewaretoken": csrf_token(form.text)},
        headers={"Origin": site, "Referer": site + SIGN_IN},
        allow_redirects=False,
        verify=verify,
        timeout=10,
    )
    return answer.status_code


@dataclass
class Served:
    url: str  # where clients connect: nginx, or gunicorn itself
    port: int
    var_dir: Path  # hubdash's, with gunicorn's log (gunicorn.log)
    gunicorn_pid: int  # its master's


@contextmanager
def serving(behind_nginx: bool, nginx_deadlines: dict[str, str] | None = None, **gunicorn_env: str) -> Iterator[Served]:
    """hubdash on free loopback ports: gunicorn alone, or nginx in front of it (with deploy/nginx/'s
    deadlines, or some of them shortened: `proxy_snippet`)."""
    folder = Path(tempfile.mkdtemp(prefix="hubdash-serving-"))
    var_dir = folder / "var"
    gunicorn_port = free_port()
    env = hubdash_env(var_dir, f"127.0.0.1:{gunicorn_port}", **gunicorn_env)
    prepare(env)
    processes: list[subprocess.Popen[bytes]] = []
    try:
        processes.append(start_gunicorn(env))
        wait_for(f"http://127.0.0.1:{gunicorn_port}{SIGN_IN}", processes[0])
        port = gunicorn_port
        if behind_nginx:
            nginx_prefix = folder / "nginx"
            nginx_prefix.mkdir()
            port = free_port()
            processes.append(start_nginx(nginx_prefix, port, gunicorn_port, nginx_deadlines))
            wait_for(f"http://127.0.0.1:{port}{SIGN_IN}", processes[-1])
        yield Served(f"http://127.0.0.1:{port}", port, var_dir, processes[0].pid)
    finally:
        for process in reversed(processes):
            stop(process)
        shutil.rmtree(folder, ignore_errors=True)
