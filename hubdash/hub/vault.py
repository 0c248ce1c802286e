"""Encryption of stored Hub tokens: AES-GCM under keys of their own, newest first, bound to the user.

The user id is the associated data, so a ciphertext copied onto another user's row does not decrypt.
A missing or wrong key is an error, never a silent fall-back.
"""

from __future__ import annotations

import base64
import os
import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

NONCE_BYTES = 12


class TokenKeyError(Exception):
    """The stored token cannot be decrypted with the configured keys."""


def parse_keys(specs: list[str]) -> list[tuple[str, bytes]]:
    keys = []
    for spec in specs:
        key_id, sep, encoded = spec.strip().partition(":")
        if not sep or not key_id:
            raise TokenKeyError("HUBDASH_TOKEN_KEYS entries must look like id:base64key")
        try:
            key = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
        except ValueError:
            raise TokenKeyError(f"token key {key_id!r} is not valid base64") from None
        if len(key) != 32:
            raise TokenKeyError(f"token key {key_id!r} must be 32 bytes (AES-256)")
        keys.append((key_id, key))
    if not keys:
        raise TokenKeyError("HUBDASH_TOKEN_KEYS is empty")
    if len({k for k, _ in keys}) != len(keys):
        raise TokenKeyError("HUBDASH_TOKEN_KEYS has the same key id twice")
    return keys


def _keys() -> list[tuple[str, bytes]]:
    return parse_keys(settings.HUBDASH_TOKEN_KEYS)


def newest_key_id() -> str:
    return _keys()[0][0]


def _aad(user_id: int) -> bytes:
    return f"hubdash-hub-token:{user_id}".encode()


def seal(token: str, user_id: int) -> tuple[str, bytes]:
    """Encrypt under the newest key: (key id, nonce + ciphertext)."""
    key_id, key = _keys()[0]
    nonce = os.urandom(NONCE_BYTES)
    return key_id, nonce + AESGCM(key).encrypt(nonce, token.encode(), _aad(user_id))


def unseal(key_id: str, blob: bytes | memoryview, user_id: int) -> str:
    keys = dict(_keys())
    if key_id not in keys:
        raise TokenKeyError(f"the key {key_id!r} that encrypted this token is no longer configured")
    data = bytes(blob)  # databases hand back memoryview
    try:
        plain = AESGCM(keys[key_id]).decrypt(data[:NONCE_BYTES], data[NONCE_BYTES:], _aad(user_id))
    except InvalidTag:
        raise TokenKeyError(f"the key {key_id!r} does not decrypt this token (wrong key or tampered data)") from None
    return plain.decode()


def keys_work() -> bool:
    """Whether a token sealed now opens again (for the health check): a random probe, never a stored token."""
    probe = secrets.token_hex(8)
    key_id, blob = seal(probe, 0)
    return unseal(key_id, blob, 0) == probe
