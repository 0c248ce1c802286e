"""The address a request came from, as far as hubdash can know it without being lied to.

Behind a reverse proxy every request arrives from the proxy. Its `X-Forwarded-For` names the client,
but a client can send that header too: only the entries appended by proxies we trust count. So the
header is read only when HUBDASH_BEHIND_PROXY is on and the connection itself comes from one of
HUBDASH_FORWARDED_ALLOW_IPS (the list gunicorn trusts), and then from the right: the first entry that
is not one of our proxies is the client. Anything left of it was written by the client and is ignored.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def client_ip(request: HttpRequest) -> str | None:
    """The client's address (normalised), or None when the connection has none (a Unix socket)."""
    peer = _parse(request.META.get("REMOTE_ADDR", ""))
    # A Unix socket has no peer address; only a local process can connect to it, as gunicorn assumes.
    peer_is_proxy = peer is None or _trusted(peer)
    if not (settings.BEHIND_PROXY and peer_is_proxy):
        return str(peer) if peer is not None else None
    client = peer
    for entry in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        hop = _parse(entry)
        if hop is None:
            break  # not an address: the chain is broken here, so keep the last hop we could read
        client = hop
        if not _trusted(hop):
            break
    return str(client) if client is not None else None


def _parse(value: str) -> IPAddress | None:
    value = value.strip()
    if value.startswith("["):  # "[2001:db8::1]:443"
        value = value[1 : value.find("]")] if "]" in value else value
    elif value.count(":") == 1:  # "192.0.2.1:443"
        value = value.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped or address


def _trusted(address: IPAddress) -> bool:
    allow_all, networks = _trusted_networks(tuple(settings.FORWARDED_ALLOW_IPS))
    return allow_all or any(address in network for network in networks)


@lru_cache(maxsize=4)
def _trusted_networks(entries: tuple[str, ...]) -> tuple[bool, tuple[IPNetwork, ...]]:
    return "*" in entries, tuple(ipaddress.ip_network(entry, strict=False) for entry in entries if entry != "*")
