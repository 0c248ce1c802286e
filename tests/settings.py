"""hubdash's settings for the test suite: the product's own, with a fast password hasher.

Fixtures create a few users per test, and PBKDF2 at Django's 1,000,000 iterations costs over a second
each. The fast hasher keeps Django's PBKDF2 algorithm name with one iteration, so a hash made here still
verifies in a hubdash process on the product's settings (PBKDF2 reads the iterations from the hash).
Tests about hashing, sign-in throttling and password checks put the product's hashers back
(`real_password_hashing` in tests/conftest.py).
"""

import tests.environment  # noqa: F401 (first: an xdist worker loads these settings before any conftest)
from hubdash.settings import *  # noqa: F403

PASSWORD_HASHERS = ["tests.hashers.FastPBKDF2PasswordHasher"]

# The Django test client builds its middleware for every client: WhiteNoise's, reading every collected static
# file each time, cost a sixth of the suite's time. tests/static_files.py reads them once per process.
MIDDLEWARE = [
    "tests.static_files.WhiteNoiseMiddleware" if name == "whitenoise.middleware.WhiteNoiseMiddleware" else name
    for name in MIDDLEWARE  # noqa: F405
]
