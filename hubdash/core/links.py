"""Links for long lists: reverse() once per URL name, then fill in each row's arguments.

A feed page or a Team page links every row to a repo or a person; reverse() costs tens of microseconds
a call, and fifty rows of it were a tenth of the page. A pattern is made once (per script prefix) from
sample arguments that its converters accept, and each link is a string join after that.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import quote

from django.urls import get_script_prefix, reverse

# What reverse() leaves unquoted in a path (django.urls.resolvers: RFC 3986 sub-delimiters and "/~:@").
_SAFE = "!$&'()*+,;=/~:@"
# Samples that the URL converters accept and that appear nowhere else in a URL.
PK_SAMPLE = 2147483647
REPO_SAMPLES = ("zq9namespace", "zq9name")


def link(name: str, *args: str | int, samples: tuple[str | int, ...]) -> str:
    """The URL `reverse(name, args=args)` would give, for arguments of the kind `samples` are.

    The arguments are not checked against the URL's converters (callers pass values they have already
    checked, such as stored repo ids); a wrong one makes a link that answers 404, never an exception."""
    pieces = _pattern(get_script_prefix(), name, samples)
    out = [pieces[0]]
    for arg, piece in zip(args, pieces[1:], strict=True):
        out.append(quote(str(arg), safe=_SAFE))
        out.append(piece)
    return "".join(out)


@lru_cache(maxsize=128)
def _pattern(prefix: str, name: str, samples: tuple[str | int, ...]) -> tuple[str, ...]:
    rest = reverse(name, args=list(samples))
    pieces = []
    for sample in samples:
        if rest.count(str(sample)) != 1:  # found elsewhere in the URL, it would be filled in the wrong place
            raise ValueError(f"{name}: the sample {sample!r} must appear in its URL exactly once")
        head, _, rest = rest.partition(str(sample))
        pieces.append(head)
    pieces.append(rest)
    return tuple(pieces)
