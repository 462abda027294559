"""The client's real address behind a reverse proxy, believed only from proxies we trust.

The sign-in throttle and the audit trail read request.remote_addr. Behind a proxy that is the
proxy's address unless X-Forwarded-For is read, and anyone can send that header, so it is read
only on connections that come from an address in PRACTICE_TRUSTED_PROXIES.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable
from typing import Any

from werkzeug.middleware.proxy_fix import ProxyFix

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(spec: str | None) -> tuple[Network, ...]:
    """The addresses or networks (CIDR) of a comma-separated PRACTICE_TRUSTED_PROXIES value."""
    networks = []
    for part in (spec or "").split(","):
        part = part.strip()
        if not part:
            continue
        try:
            # Strict, like gunicorn's forwarded_allow_ips: 10.0.0.1/8 is a mistake, not 10/8.
            networks.append(ipaddress.ip_network(part))
        except ValueError:
            raise ValueError(f"{part!r} is not an IP address or network") from None
    return tuple(networks)


def is_trusted(address: str | None, networks: Iterable[Network]) -> bool:
    """Whether a peer address lies in one of the trusted networks."""
    try:
        peer = ipaddress.ip_address(address or "")
    except ValueError:
        return False
    return any(peer in network for network in networks)


class TrustedProxyFix:
    """Werkzeug's ProxyFix for one proxy hop, applied only to connections from a trusted proxy."""

    def __init__(self, app: Callable[..., Any], networks: tuple[Network, ...]) -> None:
        self.app = app
        self.networks = networks
        self.fixed = ProxyFix(app, x_for=1, x_proto=1)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if is_trusted(environ.get("REMOTE_ADDR"), self.networks):
            return self.fixed(environ, start_response)
        return self.app(environ, start_response)
