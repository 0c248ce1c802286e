"""The test suite's password hashers (see tests/settings.py and `real_password_hashing` in tests/conftest.py)."""

from __future__ import annotations

from django.contrib.auth.hashers import PBKDF2PasswordHasher


class FastPBKDF2PasswordHasher(PBKDF2PasswordHasher):
    iterations = 1


class RememberingPBKDF2PasswordHasher(PBKDF2PasswordHasher):
    """Django's PBKDF2 hasher at its full count, which derives each (password, salt, count) once per process.

    A derivation is a pure function of the three, so a repeat (the same wrong password typed five times
    against the same stored salt, the right one after the account was made with it) gives what Django's
    hasher would compute again; each new one costs the full count, a quarter of a second.
    """

    _derived: dict[tuple[str, str, int], str] = {}  # noqa: RUF012 - one table for the process, on purpose

    def encode(self, password: str, salt: str, iterations: int | None = None) -> str:
        key = (password, salt, iterations or self.iterations)
        if key not in self._derived:
            self._derived[key] = super().encode(password, salt, iterations)
        return self._derived[key]
