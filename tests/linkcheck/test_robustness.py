"""No exception from URL handling may become a verdict that passes the run.

A URL that cannot be requested is ``broken``/``LINKURL`` (exit 1), decided
when the run is planned; a bug inside the engine is ``LINKERROR``, which fails
the run too and is never cached.  Property tests feed :func:`prepare_url` and
:func:`plan` arbitrary text and URL-shaped text with international, bidi and
punycode hosts.
"""

from __future__ import annotations

import asyncio
import string
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lc_support import ServerThread, check, page, run_linkcheck, verdicts, write_urls
from yarl import URL

from handbook.linkcheck import pipeline
from handbook.linkcheck.extract import Extraction, Link, Occurrence
from handbook.linkcheck.fetch import Checker, checkable_fragment
from handbook.linkcheck.guard import (
    Guard,
    MalformedURLError,
    UnsafeURLError,
    parse_host,
    prepare_url,
)
from handbook.linkcheck.pipeline import plan
from handbook.linkcheck.resolver import FailingResolver
from handbook.linkcheck.settings import Settings, UrlJob
from handbook.linkcheck.verdicts import DEFAULT_FAIL_ON, Verdict, cacheable, internal_error

# -- invalid punycode hosts are malformed URLs ---------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "https://xn--a.com/",
        "https://XN--A.com/",
        "http://xn--.com/",
        "https://www.xn--a.com:8443/path#frag",
        "https://xn--example-176c.com/",  # the punycode of ex\u202eample.com
        "https://ex\u202eample.com/",
        "https://xn--a.com./",
    ],
)
def test_invalid_punycode_is_malformed(text: str) -> None:
    with pytest.raises(MalformedURLError):
        prepare_url(text)


def test_valid_punycode_is_accepted() -> None:
    assert prepare_url("https://xn--bcher-kva.example/").raw_host == "xn--bcher-kva.example"
    assert prepare_url("https://XN--BCHER-KVA.example/").raw_host == "xn--bcher-kva.example"
    assert prepare_url("https://bücher.example/").host == "bücher.example"


def test_parse_host_refuses_invalid_punycode() -> None:
    with pytest.raises(MalformedURLError, match="punycode"):
        parse_host("xn--a.com")
    assert parse_host("xn--bcher-kva.example").text == "xn--bcher-kva.example"


def test_a_bidi_host_in_a_markdown_page_is_broken(tmp_path: Path) -> None:
    md = tmp_path / "page.md"
    md.write_text("# T\n\n[x](https://ex\u202eample.com/)\n", encoding="utf-8")
    run = run_linkcheck([str(md)], tmp_path=tmp_path)
    # markdown-it writes the host as punycode; that punycode does not decode.
    assert run.lines == [
        f"{md}:3: LINKURL https://xn--example-176c.com/: malformed URL: host "
        "'xn--example-176c.com' is not a valid international name (punycode): "
        "decoding with 'idna' codec failed (UnicodeError: Invalid character '\\u202e')"
    ]
    assert run.code == 1


def test_an_invalid_punycode_host_in_a_url_list_is_broken(tmp_path: Path) -> None:
    path = write_urls(tmp_path, "https://xn--a.com/", "https://xn--a.com/#frag")
    for args in ([str(path)], [str(path), "--offline"]):
        run = run_linkcheck(args, tmp_path=tmp_path)
        codes = [line.split(" ")[1] for line in run.lines]
        assert codes == ["LINKURL", "LINKURL"], run
        assert run.code == 1


# -- internal errors fail the run ------------------------------------------------


def test_an_internal_error_in_the_engine_fails_the_run(
    servers: ServerThread, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = servers.web({"/p": page('<p id="a">')})

    def boom(*args: object, **kwargs: object) -> Any:
        raise RuntimeError("boom")

    with monkeypatch.context() as patch:
        patch.setattr(Checker, "_judge_anchor", boom)
        path = write_urls(tmp_path, s.url("/p") + "#a")
        run = run_linkcheck([str(path), "--allow", s.netloc], tmp_path=tmp_path, cache=True)
    assert run.lines == [f"{path}:1: LINKERROR {s.url('/p')}#a: internal error: RuntimeError: boom"]
    assert run.code == 1
    # Never cached: the next run checks the link again, and it is fine.
    again = run_linkcheck([str(path), "--allow", s.netloc], tmp_path=tmp_path, cache=True)
    assert (again.lines, again.code) == ([], 0)
    assert s.hits["/p"] == 2


def test_an_unexpected_exception_from_a_request_fails_the_run(
    servers: ServerThread, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = servers.web({"/p": page("x")})

    async def broken_once(*args: object, **kwargs: object) -> Any:
        raise KeyError("no such thing")

    monkeypatch.setattr(Checker, "_once", broken_once)
    code, found, _ = check(tmp_path, [s.url("/p")], s.netloc)
    assert verdicts(found) == {s.url("/p"): ("broken", "LINKERROR")}
    assert found[s.url("/p")]["message"] == "internal error: KeyError: 'no such thing'"
    assert code == 1


def test_a_unicode_error_inside_the_http_client_is_a_malformed_url(
    servers: ServerThread, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = servers.web({"/p": page("x")})

    async def idna_fails(*args: object, **kwargs: object) -> Any:
        raise UnicodeError("decoding with 'idna' codec failed")

    monkeypatch.setattr(Checker, "_once", idna_fails)
    code, found, _ = check(tmp_path, [s.url("/p")], s.netloc)
    assert verdicts(found) == {s.url("/p"): ("broken", "LINKURL")}
    assert code == 1


def test_internal_errors_are_failing_by_default() -> None:
    internal = internal_error("internal error: x")
    assert (internal.verdict, internal.code) == (Verdict.BROKEN, "LINKERROR")
    assert internal.verdict in DEFAULT_FAIL_ON
    assert not cacheable(internal)


# -- properties: prepare_url and plan never let a bad URL pass --------------------

BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
LABEL_CHARS = string.ascii_letters + string.digits + "-_."
labels = st.one_of(
    st.text(LABEL_CHARS, min_size=1, max_size=12),
    st.text(min_size=1, max_size=8),  # any unicode at all
    st.builds(lambda a, b: a + b, st.text(LABEL_CHARS, max_size=6), st.sampled_from(BIDI)),
    st.builds(lambda s: "xn--" + s, st.text(LABEL_CHARS, max_size=12)),
    st.builds(lambda s: "XN--" + s, st.text(string.ascii_lowercase, max_size=8)),
    st.sampled_from(["xn--a", "xn--bcher-kva", "xn--ls8h", "xn--", "0x7f", "127", "1", "%41"]),
)
hosts = st.one_of(
    st.lists(labels, min_size=1, max_size=4).map(".".join),
    st.lists(labels, min_size=1, max_size=3).map(lambda parts: ".".join(parts) + "."),
    st.builds(lambda s: f"[{s}]", st.text("0123456789abcdef:.%", max_size=20)),
    st.sampled_from(["localhost", "LOCALHOST.", "a.local", "x.internal", "h.home.arpa"]),
)
url_texts = st.builds(
    lambda scheme, userinfo, host, port, path: f"{scheme}://{userinfo}{host}{port}{path}",
    st.sampled_from(["http", "https", "HTTP", "hTtPs", "ftp", "h\u0130tp"]),
    st.sampled_from(["", "user@", "u:p@", "@"]),
    hosts,
    st.one_of(st.just(""), st.integers(-1, 70000).map(lambda n: f":{n}"), st.just(":x")),
    st.one_of(st.just("/"), st.text(max_size=12).map(lambda s: "/" + s)),
)
any_text = st.one_of(st.text(), url_texts)
#: Mostly names the engine would look up: international, bidi, punycode.
name_urls = st.builds(
    lambda scheme, parts, tld, path: f"{scheme}://{'.'.join(parts)}.{tld}/{path}",
    st.sampled_from(["http", "https"]),
    st.lists(labels, min_size=1, max_size=3),
    st.sampled_from(["com", "example", "xn--p1ai", "рф", "TEST", "xn--a", "local"]),
    st.text(max_size=8),
)


def _plan_one(text: str) -> Any:
    extraction = Extraction(links=[Link(text, "url", Occurrence("page.md", 1))])
    planned = plan(extraction, Guard())
    assert len(planned) == 1
    return next(iter(planned.values()))


@given(any_text)
@settings(max_examples=600, suppress_health_check=[HealthCheck.too_slow])
def test_prepare_url_raises_only_its_own_errors(text: str) -> None:
    try:
        url = prepare_url(text)
    except (MalformedURLError, UnsafeURLError):
        return
    # What the engine and aiohttp do with an accepted URL must not raise either.
    assert url.raw_host
    assert url.host
    assert url.scheme in ("http", "https")
    assert url.port is not None
    str(url)
    url.with_fragment(None)
    checkable_fragment(url)
    Guard().url_refusal(url)
    assert prepare_url(str(url)).raw_host == url.raw_host  # the canonical host is stable


@given(any_text)
@settings(max_examples=600, suppress_health_check=[HealthCheck.too_slow])
def test_plan_never_lets_a_rejected_url_pass(text: str) -> None:
    try:
        prepare_url(text)
    except (MalformedURLError, UnsafeURLError) as exc:
        rejected: Exception | None = exc
    else:
        rejected = None
    item = _plan_one(text)
    if rejected is not None:
        assert item.job is None
        assert item.result is not None
        assert item.result.verdict in DEFAULT_FAIL_ON
        expected = "LINKURL" if isinstance(rejected, MalformedURLError) else "LINKUNSAFE"
        assert item.result.code == expected
    else:
        # Either checked over the network, or refused by the guard (which fails too).
        assert (item.job is None) == (item.result is not None)
        if item.result is not None:
            assert item.result.verdict is Verdict.UNSAFE


def _no_connections(*args: object, **kwargs: object) -> Any:
    raise AssertionError("the property test must not open a connection")


@given(st.lists(st.one_of(name_urls, url_texts), min_size=1, max_size=4))
@settings(max_examples=80, suppress_health_check=[HealthCheck.too_slow])
def test_the_engine_never_passes_or_crashes_on_an_accepted_url(texts: list[str]) -> None:
    jobs: list[UrlJob] = []
    for text in texts:
        try:
            url = prepare_url(text)
        except (MalformedURLError, UnsafeURLError):
            continue
        if parse_host(url.raw_host or "").kind != "name":
            continue  # an address literal would be connected to without a look-up
        if Guard().url_refusal(url) is None:
            jobs.append(UrlJob(str(url), url))
    if not jobs:
        return

    async def go() -> dict[str, Any]:
        loop = asyncio.get_running_loop()
        loop.create_connection = _no_connections  # type: ignore[method-assign]
        checker = Checker(Settings(retries=0), Guard(), resolver=FailingResolver())
        report = await checker.run(jobs)
        return {key: (r.verdict, r.code) for key, r in report.results.items()}

    results = asyncio.run(go())
    assert set(results) == {job.key for job in jobs}
    assert set(results.values()) == {(Verdict.UNCHECKED, "LINKUNCHECKED")}, results


def test_plan_turns_any_exception_from_url_handling_into_a_failing_verdict(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def crash(text: str) -> URL:
        raise RecursionError("deep")

    monkeypatch.setattr(pipeline, "prepare_url", crash)
    item = _plan_one("https://example.com/")
    assert item.job is None
    assert (item.result.verdict, item.result.code, item.result.message) == (
        Verdict.BROKEN,
        "LINKURL",
        "malformed URL: cannot be read (RecursionError: deep)",
    )


@given(st.sampled_from(["url", "doi", "isbn"]), any_text)
@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
def test_plan_never_raises_whatever_the_kind(kind: str, text: str) -> None:
    extraction = Extraction(links=[Link(text, kind, Occurrence("refs.bib", 1))])  # type: ignore[arg-type]
    planned = plan(extraction, Guard())
    assert len(planned) == 1
    item = next(iter(planned.values()))
    # Decided here (ok only for a valid ISBN), or left to the network.
    assert (item.result is None) != (item.job is None)
    if item.result is not None and item.result.verdict not in DEFAULT_FAIL_ON:
        assert (kind, item.result.verdict) == ("isbn", Verdict.OK)


def test_an_unusable_doi_api_url_fails_the_run(tmp_path: Path) -> None:
    path = write_urls(tmp_path, "doi:10.1000/182")
    run = run_linkcheck([str(path), "--doi-api", "https://xn--a.example/api/"], tmp_path=tmp_path)
    assert [line.split(" ")[1] for line in run.lines] == ["LINKURL"]
    assert "DOI API URL unusable: host 'xn--a.example' is not a valid international" in run.stdout
    assert run.code == 1
    run = run_linkcheck([str(path), "--doi-api", "ftp://doi.example/api/"], tmp_path=tmp_path)
    assert [line.split(" ")[1] for line in run.lines] == ["LINKUNSAFE"]
    assert run.code == 1
