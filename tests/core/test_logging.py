"""No secret reaches a log: every token shape is redacted, on every handler, Django's own included."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from hubdash.core.logging import redact, register_secret
from tests.personas import ALICE_TOKEN

ROOT = Path(__file__).resolve().parents[2]

DEMO_TOKEN = "hf_demo_alice_write"  # letters and underscores only, like hubsim's demo tokens


@pytest.mark.parametrize(
    "secret",
    [
        ALICE_TOKEN,
        DEMO_TOKEN,
        "hf_" + "abcdefghABCDEFGHijklmnopQRSTUVwxyz",  # a real token's shape, no digit in it
        "hf_oauth_Zx9yW8vU7tS6rQ5pO4n",  # an OAuth access token
        "api_org_abcdefghij",  # the old API tokens
    ],
)
def test_every_token_shape_is_redacted(secret):
    for text in (f"token {secret}.", f"Authorization: Bearer {secret}", f"HF_TOKEN={secret}", f"x_{secret}"):
        cleaned = redact(text)
        assert secret not in cleaned and "[redacted]" in cleaned, text


def test_oauth_fields_urls_and_hubdash_own_secrets_are_redacted():
    assert redact("access_token=s.3cr3t.value&state=ok") == "access_token=[redacted]&state=ok"
    assert redact('{"refresh_token": "r3fr3sh-v4lue", "n": 1}') == '{"refresh_token": "[redacted]", "n": 1}'
    assert redact("client_secret='abc-123-def'") == "client_secret='[redacted]'"
    assert redact("redis://:p4ssw0rd-long@cache:6379/0") == "redis://:[redacted]@cache:6379/0"
    token_key = settings.HUBDASH_TOKEN_KEYS[0].split(":", 1)[1]
    assert settings.SECRET_KEY not in redact(f"key {settings.SECRET_KEY}")
    assert token_key not in redact(f"key {token_key}")
    register_secret("webhook-secret-of-the-team")
    assert redact("got webhook-secret-of-the-team from the Hub") == "got [redacted] from the Hub"


def test_names_that_only_look_like_tokens_are_kept():
    kept = "in hf_hub_download, hf_raise_for_status(response) with HF_ENDPOINT and hf_abc; https://huggingface.co/x"
    assert redact(kept) == kept


LOG_THROUGH_DJANGO = r"""
import json, logging, sys
import django
django.setup()
from django.conf import settings
from hubdash.core.logging import RedactTokens
assert settings.DEBUG  # development: Django's own console handler would be on
token = sys.argv[1]
logging.getLogger("django.request").warning("Bad Request: /account/token/?t=%s", token)
logging.getLogger("django.server").info('"GET /?t=%s HTTP/1.1" 200 5', token, extra={"status_code": 200})
logging.getLogger("django.security.csrf").warning("Forbidden with Bearer %s", token)
logging.getLogger("hubdash.hub").error("Hub refused %s", token)
logging.getLogger("huggingface_hub.utils._http").warning("Retrying with %s", token)
logging.getLogger("axes").warning("AXES: failure with key %s", settings.SECRET_KEY)
try:
    raise RuntimeError("connect_token(" + token + ")")
except RuntimeError:
    logging.getLogger("django.request").exception("Internal Server Error: /account/token/")
unfiltered = [
    f"{name or 'root'}: {handler!r}"
    for name, logger in [("", logging.getLogger()), *logging.Logger.manager.loggerDict.items()]
    if isinstance(logger, logging.Logger)
    for handler in logger.handlers
    if not any(isinstance(f, RedactTokens) for f in handler.filters)
]
print(json.dumps(unfiltered))
"""


def test_records_printed_in_development_are_redacted_on_every_handler(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HUBDASH_", "DJANGO_"))}
    env.update(HUBDASH_ENV="development", HUBDASH_VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="hubdash.settings")
    result = subprocess.run(
        [sys.executable, "-c", LOG_THROUGH_DJANGO, DEMO_TOKEN],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []  # no handler anywhere without the filter
    printed = result.stderr
    assert DEMO_TOKEN not in printed and "demo_alice" not in printed
    messages = ("Bad Request: /account/token/", "GET /?t=", "Forbidden with", "Hub refused", "Retrying with", "AXES")
    for message in messages:
        assert printed.count(message) == 1, message  # printed once, not again by a handler of Django's own
    assert "RuntimeError: connect_token([redacted])" in printed
    assert printed.count("[redacted]") == 7


def test_the_configured_webhook_secrets_are_redacted_from_start_up():
    script = (
        "import django; django.setup(); from hubdash.core.logging import redact; print(redact('got team-hook-s3cret'))"
    )
    env = {**os.environ, "HUBDASH_WEBHOOK_SECRETS": "team-hook-s3cret,older-hook-s3cret"}
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "got [redacted]"
