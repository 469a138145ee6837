"""The guard's verdict on a host does not depend on the network.

``localhost``, ``*.local``, ``*.home.arpa`` and ``*.internal`` are refused
before any look-up, online and ``--offline`` alike.  And "no network" is
recognised by the failure to reach the outside: names that only the machine's
own ``/etc/hosts`` answers (with loopback, which the guard refuses) prove
nothing.
"""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from lc_support import ServerThread, check, page, records, run_linkcheck, verdicts, write_urls

from handbook.linkcheck.resolver import StaticResolver, lookup_failed_error, not_found_error


@pytest.mark.parametrize("offline", [False, True])
def test_localhost_is_unsafe_online_and_offline(tmp_path: Path, offline: bool) -> None:
    path = write_urls(
        tmp_path,
        "http://localhost/",
        "http://app.localhost:3000/",
        "http://metadata.google.internal/computeMetadata/v1/",
        "http://printer.local/",
        "http://nas.home.arpa/",
    )
    # Were the names looked up, this table would answer with public addresses.
    table = {
        name: ["93.184.216.34"]
        for name in (
            "localhost",
            "app.localhost",
            "metadata.google.internal",
            "printer.local",
            "nas.home.arpa",
        )
    }
    resolver = StaticResolver(table)
    args = [str(path), "--offline"] if offline else [str(path)]
    run = run_linkcheck(args, tmp_path=tmp_path, resolver=resolver)
    assert run.lines == [
        f"{path}:1: LINKUNSAFE http://localhost/: localhost is loopback (RFC 6761)",
        f"{path}:2: LINKUNSAFE http://app.localhost:3000/: app.localhost is loopback (RFC 6761)",
        f"{path}:3: LINKUNSAFE http://metadata.google.internal/computeMetadata/v1/: "
        "metadata.google.internal is in .internal, the top-level domain reserved for "
        "private use (ICANN), e.g. cloud metadata services",
        f"{path}:4: LINKUNSAFE http://printer.local/: "
        "printer.local is a link-local multicast DNS name (RFC 6762)",
        f"{path}:5: LINKUNSAFE http://nas.home.arpa/: nas.home.arpa is a home network name "
        "(RFC 8375)",
    ]
    assert run.code == 1
    assert resolver.calls == []


def test_allow_opens_localhost(servers: ServerThread, tmp_path: Path) -> None:
    s = servers.web({"/": page("x")})
    resolver = StaticResolver({"localhost": ["127.0.0.1"]})
    url = f"http://localhost:{s.port}/"
    code, found, _ = check(tmp_path, [url], f"localhost:{s.port}", resolver=resolver)
    assert verdicts(found) == {url: ("ok", None)}
    assert code == 0
    assert s.total == 1


# -- no network, with only /etc/hosts answering ---------------------------------------

OUTSIDE = [f"https://site{i}.example/page" for i in range(4)] + ["doi:10.1000/182"]


@pytest.mark.parametrize(
    "failure",
    [lookup_failed_error("*"), not_found_error("*")],
    ids=["EAI_AGAIN", "NXDOMAIN"],
)
def test_names_only_etc_hosts_answers_prove_no_network(tmp_path: Path, failure: OSError) -> None:
    # The machine's own name resolves (to loopback); every other look-up fails.
    resolver = StaticResolver({"myhost": ["127.0.1.1"]}, default=failure)
    path = write_urls(tmp_path, *OUTSIDE, "http://myhost/")
    run = run_linkcheck([str(path)], tmp_path=tmp_path, resolver=resolver)
    # Only the link to the machine itself is reported (refused by the guard);
    # the others are unchecked, said once, not one LINKLOOKUP or LINKDNS each.
    assert run.lines == [
        f"{path}:6: LINKUNSAFE http://myhost/: myhost resolves only to refused addresses: "
        "127.0.1.1 is loopback"
    ]
    assert run.code == 1  # that one link is unsafe; no network failure fails the run
    assert run.stderr.count("no network:") == 1
    assert "myhost" in resolver.calls  # it was looked up, and answered
    as_json = run_linkcheck([str(path), "--format", "json"], tmp_path=tmp_path, resolver=resolver)
    found = {url: verdict for url, (verdict, _) in verdicts(records(as_json.stdout)).items()}
    assert found == {
        **dict.fromkeys(OUTSIDE[:4], "unchecked"),
        "https://doi.org/10.1000/182": "unchecked",
        "http://myhost/": "unsafe",
    }
    # Without the link to the machine itself, the run passes: nothing failed.
    clean = write_urls(tmp_path, *OUTSIDE, name="outside.txt")
    run = run_linkcheck([str(clean)], tmp_path=tmp_path, resolver=resolver)
    assert (run.lines, run.code, run.stderr.count("no network:")) == ([], 0, 1)


def test_an_allowed_local_server_answering_keeps_failures_errors(
    servers: ServerThread, tmp_path: Path
) -> None:
    s = servers.web({"/": page("x")})
    resolver = StaticResolver({"myhost": ["127.0.0.1"]}, default=lookup_failed_error("*"))
    local = f"http://myhost:{s.port}/"
    path = write_urls(tmp_path, *OUTSIDE[:3], local)
    run = run_linkcheck([str(path), "--allow", s.netloc], tmp_path=tmp_path, resolver=resolver)
    assert [line.split(" ")[1] for line in run.lines] == ["LINKLOOKUP"] * 3
    assert "no network" not in run.stderr
    assert run.code == 0  # a failed look-up is "could not verify", not broken


def test_an_allowed_name_that_resolves_is_evidence_of_a_network(tmp_path: Path) -> None:
    # The name resolves to an address the guard allows, but nothing answers there.
    closed = _closed_port()
    resolver = StaticResolver({"myhost": ["127.0.0.1"]}, default=not_found_error("*"))
    path = write_urls(tmp_path, *OUTSIDE[:3], f"http://myhost:{closed}/")
    run = run_linkcheck(
        [str(path), "--allow", f"127.0.0.1:{closed}"], tmp_path=tmp_path, resolver=resolver
    )
    assert [line.split(" ")[1] for line in run.lines] == ["LINKDNS"] * 3 + ["LINKCONN"]
    assert "no network" not in run.stderr
    assert run.code == 1


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
