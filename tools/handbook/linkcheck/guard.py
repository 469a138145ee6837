"""The address guard: which URLs the link checker may connect to.

Links come from pull requests, so a link is untrusted input.  The checker
must never be turned into a way to reach the machine it runs on or its
network (``http://127.0.0.1:8080/admin``, ``http://169.254.169.254/`` cloud
metadata, a name that resolves to ``10.0.0.5``), whatever spelling the link
uses.  Three layers, all here:

1. :func:`prepare_url` parses a URL the way browsers do: only ``http`` and
   ``https``; the host is percent-decoded, IDNA-encoded and, when it "ends in
   a number", parsed with the WHATWG IPv4 parser, so that ``2130706433``,
   ``0x7f.1``, ``017700000001`` and ``127.1`` all become ``127.0.0.1``.  A
   punycode (``xn--``) label that does not decode, or any other host the HTTP
   client could not handle, makes the URL malformed.  The URL that is
   requested carries that canonical host, so what was checked is what is
   connected to.
2. :meth:`Guard.url_refusal` judges what needs no look-up: an address
   (:meth:`Guard.refusal`, :func:`classify_address`: loopback, private,
   link-local, carrier-grade NAT, multicast, reserved, unspecified, and the
   IPv6 forms that embed an IPv4 address (IPv4-mapped, IPv4-compatible,
   NAT64, 6to4, Teredo), judged by the embedded address), and a name whose
   meaning a standard fixes (:func:`special_use_refusal`: ``localhost`` and
   ``*.localhost``, ``*.local``, ``*.home.arpa``, ``*.internal``).  So the
   verdict on such a host is the same with or without a network.
3. :class:`~handbook.linkcheck.resolver.GuardedResolver` (in
   :mod:`handbook.linkcheck.resolver`, so that a run answered entirely from
   the cache never imports aiohttp) is the only name resolver the HTTP
   client uses.
   It refuses the special-use names again, resolves each other host once
   through the injected resolver, drops every address the guard refuses and
   hands the rest to aiohttp, which connects to exactly those addresses:
   there is no second look-up that a short DNS TTL could answer differently
   (DNS rebinding).  If nothing is left the request fails with
   ``UnsafeAddressError``.

``--allow HOST[:PORT]`` (:class:`AllowRule`) opens exactly one host, or one
host and port, e.g. ``127.0.0.1:8123`` for a test server or ``localhost:8000``;
other ports of the same host stay refused.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal
from urllib.parse import unquote

from yarl import URL

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

#: The only schemes the checker requests.
SCHEMES = frozenset({"http", "https"})


class MalformedURLError(ValueError):
    """The text is not a URL that a browser could follow."""


class UnsafeURLError(ValueError):
    """The URL is well formed but the guard refuses it (scheme or address)."""


# --------------------------------------------------------------------------
# Classification of addresses (pure: no look-up, no connection)

_V4_RULES: tuple[tuple[ipaddress.IPv4Network, str], ...] = tuple(
    (ipaddress.IPv4Network(net), reason)
    for net, reason in (
        ("0.0.0.0/8", "unspecified ('this network')"),
        ("10.0.0.0/8", "private"),
        ("100.64.0.0/10", "carrier-grade NAT"),
        ("127.0.0.0/8", "loopback"),
        ("169.254.169.254/32", "link-local (cloud metadata service)"),
        ("169.254.0.0/16", "link-local"),
        ("172.16.0.0/12", "private"),
        ("192.0.0.0/24", "reserved (IETF protocol assignments)"),
        ("192.0.2.0/24", "reserved (documentation)"),
        ("192.88.99.0/24", "reserved (6to4 relay anycast)"),
        ("192.168.0.0/16", "private"),
        ("198.18.0.0/15", "reserved (benchmarking)"),
        ("198.51.100.0/24", "reserved (documentation)"),
        ("203.0.113.0/24", "reserved (documentation)"),
        ("224.0.0.0/4", "multicast"),
        ("255.255.255.255/32", "broadcast"),
        ("240.0.0.0/4", "reserved"),
    )
)

_V6_RULES: tuple[tuple[ipaddress.IPv6Network, str], ...] = tuple(
    (ipaddress.IPv6Network(net), reason)
    for net, reason in (
        ("::/128", "unspecified"),
        ("::1/128", "loopback"),
        ("100::/64", "reserved (discard-only)"),
        ("2001:db8::/32", "reserved (documentation)"),
        ("2001:10::/28", "reserved (ORCHID)"),
        ("2001:20::/28", "reserved (ORCHIDv2)"),
        ("3fff::/20", "reserved (documentation)"),
        ("5f00::/16", "reserved (segment routing)"),
        ("fc00::/7", "private (unique local)"),
        ("fe80::/10", "link-local"),
        ("fec0::/10", "site-local (deprecated)"),
        ("ff00::/8", "multicast"),
    )
)

_MAPPED = ipaddress.IPv6Network("::ffff:0:0/96")
_COMPATIBLE = ipaddress.IPv6Network("::/96")
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.IPv6Network("64:ff9b:1::/48")
_SIX_TO_FOUR = ipaddress.IPv6Network("2002::/16")
_TEREDO = ipaddress.IPv6Network("2001::/32")


def _low32(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address:
    return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)


def classify_address(address: IPAddress | str) -> str | None:
    """Why the checker must not connect to ``address``, or None when it may.

    Pure classification: no look-up and no connection.  IPv6 forms that embed
    an IPv4 address are judged by the embedded address and say so.
    """
    ip = ipaddress.ip_address(address) if isinstance(address, str) else address
    if isinstance(ip, ipaddress.IPv4Address):
        for net, reason in _V4_RULES:
            if ip in net:
                return reason
        return None if ip.is_global else "not globally reachable"
    if ip.scope_id:
        return "IPv6 address with a zone index"
    return _classify_v6(ipaddress.IPv6Address(int(ip)))


def _classify_v6(plain: ipaddress.IPv6Address) -> str | None:
    if plain in _MAPPED:
        inner = _low32(plain)
        why = classify_address(inner)
        return f"IPv4-mapped {inner} ({why})" if why else None
    if plain in _NAT64:
        inner = _low32(plain)
        why = classify_address(inner)
        return f"NAT64 {inner} ({why})" if why else None
    if plain in _NAT64_LOCAL:
        inner = _low32(plain)
        why = classify_address(inner)
        return "NAT64 local-use prefix" + (f" embedding {inner} ({why})" if why else "")
    for net6, reason6 in _V6_RULES:
        if plain in net6:
            return reason6
    if plain in _COMPATIBLE:  # ::a.b.c.d, deprecated; ::/128 and ::1 matched above
        inner = _low32(plain)
        why = classify_address(inner)
        return f"IPv4-compatible {inner}" + (f" ({why})" if why else " (deprecated form)")
    if plain in _SIX_TO_FOUR and plain.sixtofour is not None:
        inner = plain.sixtofour
        why = classify_address(inner)
        if why:
            return f"6to4 embedding {inner} ({why})"
    if plain in _TEREDO and plain.teredo is not None:
        server, client = plain.teredo
        for label, inner in (("server", server), ("client", client)):
            why = classify_address(inner)
            if why:
                return f"Teredo {label} {inner} ({why})"
        return "Teredo (tunnelled, not globally routed)"
    if plain.is_reserved:
        return "reserved"
    return None if plain.is_global else "not globally reachable"


# --------------------------------------------------------------------------
# Hosts and URLs, parsed the way browsers do (WHATWG URL Standard)

# https://url.spec.whatwg.org/#forbidden-domain-code-point
_FORBIDDEN_DOMAIN = frozenset("\x00\t\n\r #/:<>?@[\\]^|%\x7f") | frozenset(
    chr(c) for c in range(0x20)
)


def _ipv4_number(part: str) -> int | None:
    """The WHATWG IPv4 number parser: decimal, 0x hex or 0-prefixed octal."""
    if part == "":
        return None
    radix = 10
    if len(part) >= 2 and part[:2] in ("0x", "0X"):
        part, radix = part[2:], 16
    elif len(part) >= 2 and part[0] == "0":
        part, radix = part[1:], 8
    if part == "":
        return 0
    digits = "0123456789abcdef"[:radix]
    if any(ch not in digits for ch in part.lower()):
        return None
    return int(part, radix)


def ends_in_a_number(host: str) -> bool:
    """WHATWG "ends in a number": whether the host must be parsed as IPv4."""
    parts = host.split(".")
    if parts[-1] == "":
        if len(parts) == 1:
            return False
        parts.pop()
    last = parts[-1]
    if last and last.isascii() and last.isdigit():
        return True
    return _ipv4_number(last) is not None


def parse_ipv4(host: str) -> ipaddress.IPv4Address | None:
    """The WHATWG IPv4 parser: ``127.1``, ``0x7f.1``, ``2130706433`` -> ``127.0.0.1``.

    Returns None where a browser would reject the URL.
    """
    parts = host.split(".")
    if parts[-1] == "" and len(parts) > 1:
        parts.pop()
    if len(parts) > 4:
        return None
    numbers: list[int] = []
    for part in parts:
        number = _ipv4_number(part)
        if number is None:
            return None
        numbers.append(number)
    if any(n > 255 for n in numbers[:-1]):
        return None
    if numbers[-1] >= 256 ** (5 - len(numbers)):
        return None
    value = numbers[-1]
    for i, n in enumerate(numbers[:-1]):
        value += n * 256 ** (3 - i)
    return ipaddress.IPv4Address(value)


@dataclass(frozen=True)
class Host:
    """A parsed host: its canonical text and, for an address, the address."""

    kind: Literal["ipv4", "ipv6", "name"]
    text: str  # dotted IPv4, compressed IPv6 without brackets, or an ASCII name
    address: IPAddress | None = None

    @property
    def url_form(self) -> str:
        return f"[{self.text}]" if self.kind == "ipv6" else self.text


def parse_host(raw: str) -> Host:
    """Parse a URL's host like a browser; raise :class:`MalformedURLError`."""
    if raw == "":
        raise MalformedURLError("the URL has no host")
    if raw.startswith("["):
        if not raw.endswith("]"):
            raise MalformedURLError(f"invalid IPv6 host {raw!r}")
        inner = unquote(raw[1:-1])
        try:
            ip6 = ipaddress.IPv6Address(inner)
        except ValueError as exc:
            raise MalformedURLError(f"invalid IPv6 host {raw!r}") from exc
        return Host("ipv6", str(ip6), ip6)
    if ":" in raw:  # yarl hands IPv6 hosts over without brackets
        try:
            ip6 = ipaddress.IPv6Address(unquote(raw))
        except ValueError as exc:
            raise MalformedURLError(f"invalid host {raw!r}") from exc
        return Host("ipv6", str(ip6), ip6)
    try:
        decoded = unquote(raw, errors="strict") if "%" in raw else raw
    except UnicodeDecodeError as exc:
        raise MalformedURLError(f"host {raw!r} is not valid UTF-8 once decoded") from exc
    if not decoded.isascii():
        try:
            decoded = URL.build(scheme="http", host=decoded).raw_host or ""
        except (ValueError, UnicodeError) as exc:
            raise MalformedURLError(f"invalid international host name {raw!r}") from exc
    host = decoded.lower()
    bad = sorted({ch for ch in host if ch in _FORBIDDEN_DOMAIN})
    if bad:
        raise MalformedURLError(f"host {raw!r} contains forbidden characters {''.join(bad)!r}")
    if ends_in_a_number(host):
        ip4 = parse_ipv4(host)
        if ip4 is None:
            raise MalformedURLError(f"host {raw!r} is neither a valid IPv4 address nor a name")
        return Host("ipv4", str(ip4), ip4)
    name = host[:-1] if host.endswith(".") else host
    labels = name.split(".")
    if any(label == "" for label in labels):
        raise MalformedURLError(f"host {raw!r} has an empty label")
    if any(len(label) > 63 for label in labels) or len(name) > 253:
        raise MalformedURLError(f"host {raw!r} is longer than DNS allows")
    if "xn--" in name:
        # The HTTP client decodes the host (yarl's URL.host): it must decode.
        try:
            URL.build(scheme="http", host=name).host  # noqa: B018
        except ValueError as exc:  # UnicodeError is a ValueError
            raise MalformedURLError(
                f"host {raw!r} is not a valid international name (punycode): {exc}"
            ) from exc
    return Host("name", host)


def prepare_url(text: str) -> URL:
    """The URL to request for ``text``, with a canonical host.

    Raises :class:`MalformedURLError` for text that is not an absolute
    http(s) URL a browser could follow, and :class:`UnsafeURLError` for any
    other scheme.  Addresses are not judged here (see :class:`Guard`).
    """
    stripped = text.strip()
    if stripped != text or any(ch in text for ch in "\t\n\r"):
        raise MalformedURLError("the URL contains white space at its ends or a line break")
    if ":" not in text:
        raise MalformedURLError("not an absolute URL (no scheme)")
    scheme = text.split(":", 1)[0].lower()
    if not scheme or not (scheme[0].isalpha() and all(c.isalnum() or c in "+-." for c in scheme)):
        raise MalformedURLError("not an absolute URL (invalid scheme)")
    if scheme not in SCHEMES:
        raise UnsafeURLError(f"scheme {scheme!r} is refused: only http and https are checked")
    try:
        url = URL(text)
        port = url.port
    except (ValueError, TypeError) as exc:
        raise MalformedURLError(str(exc) or "unparsable URL") from exc
    if not text[len(scheme) + 1 :].startswith("//") or url.raw_host is None:
        raise MalformedURLError("the URL has no host")
    if url.explicit_port == 0 or port is None:
        raise MalformedURLError("invalid port")
    host = parse_host(url.raw_host)
    try:
        if host.text != url.raw_host:
            url = url.with_host(host.text)
        url.host  # noqa: B018  (what the HTTP client reads must be readable)
    except ValueError as exc:  # UnicodeError is a ValueError
        raise MalformedURLError(f"invalid host {url.raw_host!r}: {exc}") from exc
    return url


# --------------------------------------------------------------------------
# Names whose meaning a standard fixes (pure: no look-up)

#: (name, why): the name itself and every name under it.
SPECIAL_USE_NAMES: tuple[tuple[str, str], ...] = (
    ("localhost", "is loopback (RFC 6761)"),
    ("local", "is a link-local multicast DNS name (RFC 6762)"),
    ("home.arpa", "is a home network name (RFC 8375)"),
    (
        "internal",
        "is in .internal, the top-level domain reserved for private use (ICANN), "
        "e.g. cloud metadata services",
    ),
)


def special_use_refusal(name: str) -> str | None:
    """Why the name ``name`` is refused whatever it resolves to, or None.

    ``localhost`` and ``*.localhost`` are always loopback (RFC 6761), ``*.local``
    is link-local multicast DNS (RFC 6762), ``*.home.arpa`` is a home network
    (RFC 8375), and ``*.internal`` is ICANN's private-use top-level domain
    (``metadata.google.internal`` is a cloud metadata service).  Compared
    case-insensitively, with or without the trailing dot.  ``.test``,
    ``.example`` and ``.invalid`` are not refused here: nothing answers for
    them on a real network, and a look-up says so.
    """
    host = name.lower().removesuffix(".")
    for suffix, why in SPECIAL_USE_NAMES:
        if host == suffix or host.endswith("." + suffix):
            return f"{host} {why}"
    return None


# --------------------------------------------------------------------------
# The policy: addresses, plus what --allow opens


@dataclass(frozen=True)
class AllowRule:
    """One ``--allow HOST[:PORT]``: a host (name or address), and a port or any port."""

    host: str
    port: int | None = None

    @classmethod
    def parse(cls, text: str) -> AllowRule:
        """``127.0.0.1:8080``, ``[::1]:8080``, ``::1``, ``localhost``, ``example.test:443``."""
        value = text.strip()
        port: int | None = None
        if value.startswith("["):
            end = value.find("]")
            if end < 0:
                raise ValueError(f"invalid --allow {text!r}: unbalanced '['")
            host_part, rest = value[: end + 1], value[end + 1 :]
            if rest:
                if not rest.startswith(":"):
                    raise ValueError(f"invalid --allow {text!r}")
                port = _parse_port(rest[1:], text)
        elif value.count(":") == 1:
            host_part, port_text = value.split(":")
            port = _parse_port(port_text, text)
        elif value.count(":") > 1:  # a bare IPv6 address, no port
            host_part = f"[{value}]"
        else:
            host_part = value
        try:
            host = parse_host(host_part)
        except MalformedURLError as exc:
            raise ValueError(f"invalid --allow {text!r}: {exc}") from exc
        return cls(host.text.rstrip(".") if host.kind == "name" else host.text, port)

    def matches(self, host: str, port: int | None) -> bool:
        return self.host == host and (self.port is None or self.port == port)

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port is None else f"{host}:{self.port}"


def _parse_port(text: str, whole: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise ValueError(f"invalid --allow {whole!r}: bad port {text!r}")
    return int(text)


class Guard:
    """Decides whether a host, address and port may be connected to."""

    def __init__(self, allow: Iterable[AllowRule | str] = ()) -> None:
        self.allow: tuple[AllowRule, ...] = tuple(
            rule if isinstance(rule, AllowRule) else AllowRule.parse(rule) for rule in allow
        )

    def allowed(self, host: str, port: int | None) -> bool:
        """Whether an ``--allow`` rule opens ``host`` (canonical text) on ``port``."""
        host = host.rstrip(".") if ":" not in host else host
        return any(rule.matches(host, port) for rule in self.allow)

    def refusal(
        self, address: IPAddress | str, port: int | None, name: str | None = None
    ) -> str | None:
        """Why connecting to ``address`` on ``port`` (for host ``name``) is refused, or None."""
        ip = ipaddress.ip_address(address) if isinstance(address, str) else address
        if self.allowed(str(ip), port) or (name is not None and self.allowed(name.lower(), port)):
            return None
        why = classify_address(ip)
        if why is None:
            return None
        return f"{ip} is {why}"

    def name_refusal(self, name: str, port: int | None) -> str | None:
        """Why connecting to the host name ``name`` on ``port`` is refused before
        any look-up (a special-use name, :func:`special_use_refusal`), or None."""
        if self.allowed(name.lower(), port):
            return None
        return special_use_refusal(name)

    def url_refusal(self, url: URL) -> str | None:
        """Why ``url`` (from :func:`prepare_url`) is refused before any look-up.

        Pure: hosts that are addresses, and names whose meaning a standard
        fixes (``localhost``, ``*.local`` ...), are judged here, the same with
        or without a network; other names are judged by ``GuardedResolver`` on
        the addresses they resolve to.
        """
        if url.scheme not in SCHEMES:
            return f"scheme {url.scheme!r} is refused: only http and https are checked"
        try:
            host = parse_host(url.raw_host or "")
        except MalformedURLError as exc:
            return str(exc)
        if host.address is None:
            return self.name_refusal(host.text, url.port)
        return self.refusal(host.address, url.port)
