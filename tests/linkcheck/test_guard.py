"""The address guard, as pure classification: no look-up, no connection.

Private and other refused ranges appear only here, as table rows.
"""

from __future__ import annotations

import asyncio
import socket

import pytest

from handbook.linkcheck.guard import (
    AllowRule,
    Guard,
    MalformedURLError,
    UnsafeURLError,
    classify_address,
    ends_in_a_number,
    parse_host,
    parse_ipv4,
    prepare_url,
)
from handbook.linkcheck.resolver import (
    GuardedResolver,
    StaticResolver,
    UnsafeAddressError,
    lookup_failed_error,
)

# (address, expected reason fragment, or None when allowed)
ADDRESSES: list[tuple[str, str | None]] = [
    # IPv4: refused
    ("127.0.0.1", "loopback"),
    ("127.255.255.254", "loopback"),
    ("10.1.2.3", "private"),
    ("172.16.0.1", "private"),
    ("172.31.255.255", "private"),
    ("192.168.1.1", "private"),
    ("169.254.169.254", "cloud metadata"),
    ("169.254.1.1", "link-local"),
    ("100.64.0.1", "carrier-grade NAT"),
    ("100.127.255.254", "carrier-grade NAT"),
    ("0.0.0.0", "unspecified"),
    ("0.1.2.3", "unspecified"),
    ("224.0.0.1", "multicast"),
    ("239.255.255.250", "multicast"),
    ("240.0.0.1", "reserved"),
    ("255.255.255.255", "broadcast"),
    ("192.0.2.1", "documentation"),
    ("198.51.100.7", "documentation"),
    ("203.0.113.9", "documentation"),
    ("198.18.0.1", "benchmarking"),
    ("192.0.0.8", "IETF"),
    # IPv4: allowed (public)
    ("93.184.216.34", None),
    ("8.8.8.8", None),
    ("172.32.0.1", None),  # just outside 172.16/12
    ("100.128.0.1", None),  # just outside 100.64/10
    ("11.0.0.1", None),
    # IPv6: refused
    ("::1", "loopback"),
    ("::", "unspecified"),
    ("fe80::1", "link-local"),
    ("fc00::1", "unique local"),
    ("fd12:3456:789a::1", "unique local"),
    ("ff02::1", "multicast"),
    ("fec0::1", "site-local"),
    ("2001:db8::1", "documentation"),
    ("100::1", "discard"),
    # IPv4-mapped: judged by the embedded address
    ("::ffff:127.0.0.1", "IPv4-mapped 127.0.0.1 (loopback)"),
    ("::ffff:7f00:1", "IPv4-mapped 127.0.0.1 (loopback)"),
    ("::ffff:10.0.0.1", "IPv4-mapped 10.0.0.1 (private)"),
    ("::ffff:169.254.169.254", "IPv4-mapped 169.254.169.254"),
    ("::ffff:8.8.8.8", None),
    # IPv4-compatible (deprecated)
    ("::127.0.0.1", "IPv4-compatible 127.0.0.1 (loopback)"),
    ("::8.8.8.8", "IPv4-compatible 8.8.8.8 (deprecated form)"),
    # NAT64, well-known prefix and local-use prefix
    ("64:ff9b::127.0.0.1", "NAT64 127.0.0.1 (loopback)"),
    ("64:ff9b::a00:1", "NAT64 10.0.0.1 (private)"),
    ("64:ff9b::169.254.169.254", "NAT64 169.254.169.254"),
    ("64:ff9b::8.8.8.8", None),
    ("64:ff9b:1::1", "NAT64 local-use"),
    ("64:ff9b:1::a00:1", "NAT64 local-use prefix embedding 10.0.0.1"),
    # 6to4 and Teredo embedding refused addresses
    ("2002:7f00:1::", "6to4 embedding 127.0.0.1 (loopback)"),
    ("2002:c0a8:101::1", "6to4 embedding 192.168.1.1 (private)"),
    ("2002:a9fe:a9fe::", "6to4 embedding 169.254.169.254"),
    ("2001:0:4136:e378:8000:63bf:80ff:fffe", "Teredo client 127.0.0.1"),
    ("2001:0:7f00:1::", "Teredo server 127.0.0.1"),
    ("2001:0:4136:e378:8000:63bf:3fff:fdd2", "Teredo"),
    # IPv6: allowed
    ("2606:2800:220:1:248:1893:25c8:1946", None),
    ("2a00:1450:4001:82b::200e", None),
]


@pytest.mark.parametrize(("address", "expected"), ADDRESSES)
def test_classify_address(address: str, expected: str | None) -> None:
    why = classify_address(address)
    if expected is None:
        assert why is None, f"{address} refused: {why}"
    else:
        assert why is not None, f"{address} allowed"
        assert expected in why


def test_zone_index_is_refused() -> None:
    assert classify_address("fe80::1%eth0") is not None


# The WHATWG IPv4 parser (https://url.spec.whatwg.org/#concept-ipv4-parser)
IPV4_FORMS: list[tuple[str, str | None]] = [
    ("127.0.0.1", "127.0.0.1"),
    ("2130706433", "127.0.0.1"),
    ("0x7f.1", "127.0.0.1"),
    ("0x7F.0.0.1", "127.0.0.1"),
    ("017700000001", "127.0.0.1"),
    ("0177.0.0.1", "127.0.0.1"),
    ("127.1", "127.0.0.1"),
    ("127.0.1", "127.0.0.1"),
    ("127.0.0.1.", "127.0.0.1"),
    ("0", "0.0.0.0"),
    ("0x", "0.0.0.0"),
    ("0xA9FEA9FE", "169.254.169.254"),
    ("169.254.43518", "169.254.169.254"),
    ("0300.0250.1.1", "192.168.1.1"),
    ("10.0x1.1", "10.1.0.1"),
    ("256.1.1.1", None),
    ("1.2.3.4.5", None),
    ("4294967296", None),
    ("1.256.1", None),
    ("09.1.1.1", None),  # 0-prefixed: octal, and 9 is not an octal digit
]


@pytest.mark.parametrize(("host", "expected"), IPV4_FORMS)
def test_whatwg_ipv4_parser(host: str, expected: str | None) -> None:
    assert ends_in_a_number(host)
    parsed = parse_ipv4(host)
    assert (str(parsed) if parsed is not None else None) == expected


@pytest.mark.parametrize("host", ["example.com", "a.b", "1.2.3.example", "0x7f.example", "x"])
def test_names_do_not_end_in_a_number(host: str) -> None:
    assert not ends_in_a_number(host)


NUMERIC_TRICKS = [
    "http://2130706433/",
    "http://0x7f.1/",
    "http://017700000001/",
    "http://127.1/",
    "http://0x7f000001/",
    "http://127.0.0.1./",
    "http://%31%32%37.0.0.1/",
    "http://[::ffff:127.0.0.1]/",
    "http://[::1]:8080/",
    "http://0/",
    "http://0xA9FEA9FE/latest/meta-data/",
    "http://169.254.43518/",
    "HTTP://LOCALHOST.localdomain.127.1/",  # still a number at the end
]


@pytest.mark.parametrize("text", NUMERIC_TRICKS)
def test_numeric_host_tricks_are_normalised_then_refused(text: str) -> None:
    try:
        url = prepare_url(text)
    except MalformedURLError:
        assert "localdomain" in text  # labels then a number: not an IPv4 address
        return
    host = parse_host(url.raw_host or "")
    assert host.address is not None, f"{text} became the name {host.text}"
    assert Guard().url_refusal(url) is not None


def test_prepare_url_rewrites_the_host_to_what_is_connected_to() -> None:
    assert str(prepare_url("http://0x7f.1:8080/a?b#c")) == "http://127.0.0.1:8080/a?b#c"
    assert prepare_url("http://2130706433/").host == "127.0.0.1"
    assert prepare_url("https://EXAMPLE.com/Path").host == "example.com"
    assert prepare_url("https://bücher.example/").raw_host == "xn--bcher-kva.example"


@pytest.mark.parametrize(
    "text",
    [
        "http://[::1",
        "https://",
        "http:///path",
        "http:/x",
        "http://example.com:99999/",
        "http://256.1.1.1/",
        "http://1.2.3.4.5/",
        "https://exa mple.com/",
        "https://exa%20mple.com/",
        "http://a..b/",
        "http://.example.com/",
        "example.com/no-scheme",
        "//example.com/",
        " https://example.com/",
        "https://example.com/\n",
        "http://" + "a" * 64 + ".com/",
    ],
)
def test_malformed_urls(text: str) -> None:
    with pytest.raises(MalformedURLError):
        prepare_url(text)


@pytest.mark.parametrize(
    "text", ["ftp://example.com/", "file:///etc/passwd", "javascript:alert(1)", "gopher://x/"]
)
def test_only_http_and_https(text: str) -> None:
    with pytest.raises(UnsafeURLError):
        prepare_url(text)


@pytest.mark.parametrize(
    ("text", "host", "port"),
    [
        ("127.0.0.1:8080", "127.0.0.1", 8080),
        ("127.0.0.1", "127.0.0.1", None),
        ("[::1]:8080", "::1", 8080),
        ("::1", "::1", None),
        ("localhost", "localhost", None),
        ("Example.TEST:443", "example.test", 443),
        ("0x7f.1:80", "127.0.0.1", 80),
    ],
)
def test_allow_rules(text: str, host: str, port: int | None) -> None:
    assert AllowRule.parse(text) == AllowRule(host, port)


@pytest.mark.parametrize("text", ["127.0.0.1:0", "127.0.0.1:70000", "[::1", "a b:80", "x:y"])
def test_bad_allow_rules(text: str) -> None:
    with pytest.raises(ValueError, match="invalid --allow"):
        AllowRule.parse(text)


def test_allow_opens_exactly_the_port() -> None:
    guard = Guard(["127.0.0.1:8080"])
    assert guard.url_refusal(prepare_url("http://127.0.0.1:8080/")) is None
    assert guard.url_refusal(prepare_url("http://0x7f.1:8080/")) is None
    assert guard.url_refusal(prepare_url("http://127.0.0.1:8081/")) is not None
    assert guard.url_refusal(prepare_url("http://127.0.0.2:8080/")) is not None
    assert guard.url_refusal(prepare_url("http://[::1]:8080/")) is not None
    everything = Guard(["127.0.0.1"])
    assert everything.url_refusal(prepare_url("http://127.0.0.1:1/")) is None


def test_names_are_judged_after_resolving() -> None:
    assert Guard().url_refusal(prepare_url("http://example.test/")) is None
    assert Guard().url_refusal(prepare_url("https://www.example.com/")) is None


# Names whose meaning is fixed by a standard: refused before any look-up.
SPECIAL_NAMES: list[tuple[str, str]] = [
    ("http://localhost/", "localhost is loopback (RFC 6761)"),
    ("http://LOCALHOST/", "localhost is loopback (RFC 6761)"),
    ("http://localhost./", "localhost is loopback (RFC 6761)"),
    ("http://localhost:8000/admin", "localhost is loopback (RFC 6761)"),
    ("http://api.localhost/", "api.localhost is loopback (RFC 6761)"),
    ("http://a.b.LocalHost./", "a.b.localhost is loopback (RFC 6761)"),
    ("http://printer.local/", "printer.local is a link-local multicast DNS name (RFC 6762)"),
    ("http://Printer.LOCAL./", "printer.local is a link-local multicast DNS name (RFC 6762)"),
    ("http://local/", "local is a link-local multicast DNS name (RFC 6762)"),
    ("http://nas.home.arpa/", "nas.home.arpa is a home network name (RFC 8375)"),
    ("http://NAS.Home.Arpa./", "nas.home.arpa is a home network name (RFC 8375)"),
    (
        "http://metadata.google.internal/computeMetadata/v1/",
        "metadata.google.internal is in .internal, the top-level domain reserved for "
        "private use (ICANN), e.g. cloud metadata services",
    ),
    (
        "http://db.INTERNAL./",
        "db.internal is in .internal, the top-level domain reserved for "
        "private use (ICANN), e.g. cloud metadata services",
    ),
]


@pytest.mark.parametrize(("text", "reason"), SPECIAL_NAMES)
def test_special_use_names_are_refused_before_any_look_up(text: str, reason: str) -> None:
    assert Guard().url_refusal(prepare_url(text)) == reason


@pytest.mark.parametrize(
    "host",
    [
        "example.test",
        "example.example",
        "nx.invalid",
        "localhost.example.com",
        "mylocalhost",
        "localhost-1.example",
        "local.example.com",
        "internal.example.com",
        "home.arpa.example",
        "notlocal",
        "xinternal",
    ],
)
def test_other_names_are_left_to_the_look_up(host: str) -> None:
    assert Guard().url_refusal(prepare_url(f"http://{host}/")) is None


def test_allow_opens_a_special_use_name() -> None:
    guard = Guard(["localhost:8000"])
    assert guard.url_refusal(prepare_url("http://localhost:8000/")) is None
    assert guard.url_refusal(prepare_url("http://LOCALHOST.:8000/")) is None
    assert guard.url_refusal(prepare_url("http://localhost:8001/")) is not None
    assert guard.url_refusal(prepare_url("http://api.localhost:8000/")) is not None
    assert Guard(["printer.local"]).url_refusal(prepare_url("http://printer.local:631/")) is None


def test_the_guarded_resolver_refuses_special_use_names_too() -> None:
    inner = StaticResolver({"localhost": ["93.184.216.34"], "x.internal": ["93.184.216.34"]})
    resolver = GuardedResolver(inner, Guard(["localhost:8000"]))
    with pytest.raises(UnsafeAddressError, match=r"x\.internal is in \.internal"):
        _resolve(resolver, "x.internal")
    with pytest.raises(UnsafeAddressError, match=r"localhost is loopback \(RFC 6761\)"):
        _resolve(resolver, "localhost", 8001)
    assert _resolve(resolver, "localhost", 8000) == ["93.184.216.34"]
    assert inner.calls == ["localhost"]  # refused names are not even looked up


def _resolve(resolver: GuardedResolver, host: str, port: int = 80) -> list[str]:
    async def go() -> list[str]:
        return [r["host"] for r in await resolver.resolve(host, port, socket.AF_UNSPEC)]

    return asyncio.run(go())


def test_guarded_resolver_keeps_only_allowed_addresses() -> None:
    table = {
        "mixed.test": ["10.0.0.1", "93.184.216.34", "::1"],
        "internal.test": ["10.0.0.1", "169.254.169.254"],
        "public.test": ["93.184.216.34"],
        "local.test": ["127.0.0.1"],
    }
    resolver = GuardedResolver(StaticResolver(table), Guard(["local.test:8000"]))
    assert _resolve(resolver, "mixed.test") == ["93.184.216.34"]
    assert _resolve(resolver, "public.test") == ["93.184.216.34"]
    with pytest.raises(UnsafeAddressError, match=r"10\.0\.0\.1 is private.*cloud metadata"):
        _resolve(resolver, "internal.test")
    assert _resolve(resolver, "local.test", 8000) == ["127.0.0.1"]  # allowed by name and port
    with pytest.raises(UnsafeAddressError, match="loopback"):
        _resolve(resolver, "local.test", 8001)
    assert resolver.resolved_hosts == {"mixed.test", "internal.test", "public.test", "local.test"}
    # Evidence of a network: a name that resolved to an address the guard allows.
    assert resolver.usable_hosts == {"mixed.test", "public.test", "local.test"}


def test_names_that_resolve_only_to_refused_addresses_prove_no_network() -> None:
    # What /etc/hosts answers with no network: the machine's own names, loopback.
    inner = StaticResolver({"myhost": ["127.0.1.1"], "myhost.lan": ["127.0.0.1", "::1"]})
    resolver = GuardedResolver(inner, Guard())
    for host in ("myhost", "myhost.lan"):
        with pytest.raises(UnsafeAddressError):
            _resolve(resolver, host)
    assert resolver.resolved_hosts == {"myhost", "myhost.lan"}
    assert resolver.usable_hosts == set()


def test_guarded_resolver_remembers_failures_and_sorts_them() -> None:
    inner = StaticResolver({"down.test": lookup_failed_error("down.test")})
    resolver = GuardedResolver(inner, Guard())
    for _ in range(3):
        with pytest.raises(socket.gaierror):
            _resolve(resolver, "nx.test")
        with pytest.raises(socket.gaierror):
            _resolve(resolver, "down.test")
    assert inner.calls == ["nx.test", "down.test"]  # asked once each
    assert resolver.not_found_hosts == {"nx.test"}
    assert set(resolver.failed_hosts) == {"down.test"}
