"""``handbook linkcheck`` end to end: inputs, output formats, exit status, cache."""

from __future__ import annotations

import io
import json
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from lc_support import ServerThread, page, run_linkcheck, status, write_urls

from handbook.cli import main as handbook_main
from handbook.findings import Finding
from handbook.linkcheck import fetch
from handbook.linkcheck.cli import main
from handbook.linkcheck.report import JSON_SCHEMA, Record, findings
from handbook.linkcheck.resolver import StaticResolver
from handbook.linkcheck.verdicts import Result, Verdict


def validate(instance: Any, schema: dict[str, Any], where: str = "$") -> None:
    """A small JSON Schema check, enough for the keywords JSON_SCHEMA uses."""
    kinds = {
        "object": dict,
        "array": list,
        "string": str,
        "integer": int,
        "boolean": bool,
        "null": type(None),
    }
    if "const" in schema:
        assert instance == schema["const"], where
    if "enum" in schema:
        assert instance in schema["enum"], f"{where}: {instance!r} not in {schema['enum']}"
    if "type" in schema:
        types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        ok = any(
            isinstance(instance, kinds[t]) and not (t == "integer" and isinstance(instance, bool))
            for t in types
        )
        assert ok, f"{where}: {instance!r} is not {types}"
    if "minimum" in schema and isinstance(instance, int):
        assert instance >= schema["minimum"], where
    if isinstance(instance, dict):
        for key in schema.get("required", []):
            assert key in instance, f"{where}: missing {key}"
        props = schema.get("properties", {})
        if schema.get("additionalProperties") is False:
            extra = set(instance) - set(props)
            assert not extra, f"{where}: unexpected {extra}"
        for key, value in instance.items():
            if key in props:
                validate(value, props[key], f"{where}.{key}")
    if isinstance(instance, list):
        assert len(instance) >= schema.get("minItems", 0), where
        for i, item in enumerate(instance):
            validate(item, schema.get("items", {}), f"{where}[{i}]")


def test_json_report_follows_its_schema(servers: ServerThread, tmp_path: Path) -> None:
    s = servers.web({"/ok": page('<p id="a">'), "/moved": status(301, {"Location": "/ok"})})
    bib = tmp_path / "refs.bib"
    bib.write_text(
        "@book{b,\n"
        "  isbn = {9780307887894},\n"
        f"  url = {{{s.url('/moved')}}},\n"
        "}\n"
        "@book{broken,\n  title = {x,\n}\n",
        encoding="utf-8",
    )
    urls = write_urls(tmp_path, s.url("/ok#a"), s.url("/moved"), "ftp://x/", "http://[::1")
    out = tmp_path / "out" / "report.json"
    run = run_linkcheck(
        [str(urls), str(bib), "--allow", s.netloc, "--format", "json", "--output", str(out)],
        tmp_path=tmp_path,
    )
    assert run.stdout == ""
    assert [p.name for p in out.parent.iterdir()] == ["report.json"]  # no temporary left
    doc = json.loads(out.read_text(encoding="utf-8"))
    validate(doc, JSON_SCHEMA)
    assert doc["summary"]["ok"] == 2
    assert doc["summary"]["redirected"] == 1
    assert doc["summary"]["unsafe"] == 1
    assert doc["summary"]["broken"] == 1
    assert [p["code"] for p in doc["problems"]] == ["LINKINPUT"]
    moved = next(r for r in doc["records"] if r["url"] == s.url("/moved"))
    assert moved["occurrences"] == [
        {"path": str(bib), "line": 3, "key": "b"},
        {"path": str(urls), "line": 2, "key": None},
    ]
    assert moved["checked_at"].endswith("Z")
    assert run.code == 1


def test_text_lines_are_sorted_path_line_code(servers: ServerThread, tmp_path: Path) -> None:
    s = servers.web({"/ok": page("x")})
    b = write_urls(tmp_path, s.url("/missing1"), s.url("/ok"), name="b.txt")
    a = write_urls(tmp_path, s.url("/ok"), s.url("/missing2"), s.url("/missing1"), name="a.txt")
    run = run_linkcheck([str(b), str(a), "--allow", s.netloc], tmp_path=tmp_path)
    assert run.lines == [
        f"{a}:2: LINK404 {s.url('/missing2')}: 404 Not Found",
        f"{a}:3: LINK404 {s.url('/missing1')}: 404 Not Found",
        f"{b}:1: LINK404 {s.url('/missing1')}: 404 Not Found",
    ]
    assert run.code == 1


def test_malformed_urls_dois_and_isbns_in_pages_and_bib(tmp_path: Path) -> None:
    md = tmp_path / "page.md"
    md.write_text(
        "# Page\n"
        "\n"
        "[v6](http://[::1) and\n"
        "[space](<https://exa mple.com/>) [port](https://example.com:99999/)\n"
        "[doi](https://doi.org/10.abc/x) [isbn](isbn:978-0-307-88789-5)\n"
        "[numeric](http://256.1.1.1/)\n",
        encoding="utf-8",
    )
    bib = tmp_path / "refs.bib"
    bib.write_text(
        "@book{bad,\n"
        "  url = {htp//no-scheme.example},\n"
        "  doi = {11.1234/x},\n"
        "  isbn = {978-0-307-88789-5},\n"
        "}\n"
        "@book{short,\n"
        "  isbn = {97803078878},\n"
        "  url = {file:///etc/passwd},\n"
        "}\n",
        encoding="utf-8",
    )
    run = run_linkcheck([str(md), str(bib)], tmp_path=tmp_path)
    assert "Traceback" not in run.stderr
    got = [line.split(" ", 2)[:2] for line in run.lines]
    assert got == [
        [f"{md}:3:", "LINKURL"],
        [f"{md}:4:", "LINKURL"],
        [f"{md}:4:", "LINKURL"],
        [f"{md}:5:", "DOISYNTAX"],
        [f"{md}:5:", "ISBNSUM"],
        [f"{md}:6:", "LINKURL"],
        [f"{bib}:2:", "LINKURL"],
        [f"{bib}:3:", "DOISYNTAX"],
        [f"{bib}:4:", "ISBNSUM"],
        [f"{bib}:7:", "ISBNSYNTAX"],
        [f"{bib}:8:", "LINKUNSAFE"],
    ]
    assert "(entry bad)" in run.lines[6]
    assert run.code == 1


def test_github_annotations(tmp_path: Path) -> None:
    urls = write_urls(tmp_path, "http://[::1")
    run = run_linkcheck([str(urls), "--format", "github"], tmp_path=tmp_path)
    assert run.lines == [
        f"::error file={str(urls).replace(':', '%3A')},line=1,title=Broken link::"
        "LINKURL http://[::1: "
        "malformed URL: Invalid IPv6 URL"
    ]


def test_fail_on(servers: ServerThread, tmp_path: Path) -> None:
    s = servers.web({"/forbidden": status(403)})
    urls = write_urls(tmp_path, s.url("/forbidden"), s.url("/missing"))
    base = [str(urls), "--allow", s.netloc]
    assert run_linkcheck(base, tmp_path=tmp_path).code == 1
    assert run_linkcheck([*base, "--fail-on", "none"], tmp_path=tmp_path).code == 0
    assert run_linkcheck([*base, "--fail-on", "blocked"], tmp_path=tmp_path).code == 1
    assert run_linkcheck([*base, "--fail-on", "timeout"], tmp_path=tmp_path).code == 0


@pytest.mark.parametrize("fail_on", [[], ["--fail-on", "none"]])
def test_input_skipped_as_unreadable_is_a_finding_exit_1(
    tmp_path: Path, fail_on: list[str]
) -> None:
    """LINKINPUT: part of the input was skipped, so the run cannot be clean,
    whatever --fail-on says; it is a finding (1), not unusable input (2)."""
    bib = tmp_path / "refs.bib"
    bib.write_text("@book{broken,\n  title = {x,\n}\n", encoding="utf-8")
    run = run_linkcheck([str(bib), *fail_on], tmp_path=tmp_path)
    assert run.lines == [
        f"{bib}:2: LINKINPUT value of field 'title' in entry 'broken' is never closed "
        "(unbalanced braces or quotes; end of file reached); its links are skipped"
    ]
    assert run.code == 1

    doctrees = tmp_path / "doctrees"
    doctrees.mkdir()
    (doctrees / "page.doctree").write_bytes(b"not a pickle")
    run = run_linkcheck(["--doctrees", str(doctrees), *fail_on], tmp_path=tmp_path)
    assert run.lines == [
        "doctrees/page.doctree:1: LINKINPUT cannot read doctree: invalid load key, 'n'."
    ]
    assert run.code == 1


@pytest.mark.parametrize(
    "args",
    [
        ["missing.txt"],
        ["--fail-on", "sometimes", "x.txt"],
        ["--allow", "127.0.0.1:99999", "x.txt"],
        ["--max-age", "soon", "x.txt"],
        ["--ignore", "(", "x.txt"],
        ["--frobnicate"],
    ],
)
def test_unusable_input_exits_2(tmp_path: Path, args: list[str]) -> None:
    (tmp_path / "x.txt").write_text("https://example.com/\n")
    err = io.StringIO()
    argv = [str(tmp_path / a) if a.endswith(".txt") else a for a in args]
    assert main(argv, stdout=io.StringIO(), stderr=err) == 2


def test_a_missing_path_exits_2(tmp_path: Path) -> None:
    run = run_linkcheck([str(tmp_path / "missing.txt")], tmp_path=tmp_path)
    assert run.code == 2
    assert "no such file" in run.stderr


def test_dispatch_from_the_handbook_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert handbook_main(["linkcheck", "--help"]) == 0
    assert "--fail-on" in capsys.readouterr().out


def test_summary_table_and_progress_only_on_a_terminal(
    servers: ServerThread, tmp_path: Path
) -> None:
    s = servers.web({"/ok": page("x")})
    urls = write_urls(tmp_path, s.url("/ok"), s.url("/missing"))

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    plain, tty = io.StringIO(), Terminal()
    args = [str(urls), "--allow", s.netloc, "--no-cache", "--host-interval", "0"]
    main(args, resolver=StaticResolver(), stdout=io.StringIO(), stderr=plain)
    main(args, resolver=StaticResolver(), stdout=io.StringIO(), stderr=tty)
    assert "Link check" in plain.getvalue()
    assert "broken" in plain.getvalue() and "ok" in plain.getvalue()
    assert "\x1b[" not in plain.getvalue()  # no progress bar, no colour in a log
    assert "checking links" not in plain.getvalue()
    assert "checking links" in tty.getvalue()


# -- the cache, end to end -------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def test_a_fresh_cache_sends_nothing_and_opens_no_session(
    servers: ServerThread, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = servers.web({"/ok": page('<b id="x">'), "/gone": status(404)})
    urls = write_urls(tmp_path, s.url("/ok"), s.url("/ok#x"), s.url("/gone"), "isbn:0306406152")
    clock = Clock()
    args = [str(urls), "--allow", s.netloc, "--format", "json"]
    first = run_linkcheck(args, tmp_path=tmp_path, cache=True, clock=clock)
    assert sorted(s.methods) == [("GET", "/gone"), ("GET", "/ok"), ("HEAD", "/gone")]
    sent = s.total

    def no_session(*a: object, **k: object) -> None:
        raise AssertionError("an HTTP session was created")

    monkeypatch.setattr(fetch.aiohttp, "ClientSession", no_session)
    clock.now += 3600
    second = run_linkcheck(args, tmp_path=tmp_path, cache=True, clock=clock)
    assert s.total == sent  # not one request
    assert json.loads(second.stdout)["summary"] == json.loads(first.stdout)["summary"]
    assert all(r["cached"] for r in json.loads(second.stdout)["records"] if r["kind"] == "url")
    assert second.code == first.code == 1
    monkeypatch.undo()

    clock.now += 2 * 86400  # the 404 (failure TTL 1 day) is stale, the successes are not
    third = run_linkcheck(args, tmp_path=tmp_path, cache=True, clock=clock)
    assert s.total > sent
    assert s.hits["/ok"] == 1
    cached = {r["url"]: r["cached"] for r in json.loads(third.stdout)["records"]}
    assert cached[s.url("/gone")] is False and cached[s.url("/ok")] is True


def test_a_warm_run_imports_neither_aiohttp_nor_asyncio(
    servers: ServerThread, tmp_path: Path
) -> None:
    """Answered from the cache, a run is mostly interpreter start-up: the pipeline
    imports the engine only when something is to be fetched."""
    s = servers.web({"/ok": page("x")})
    urls = write_urls(tmp_path, s.url("/ok"), "isbn:0306406152")
    args = [str(urls), "--allow", s.netloc, "--no-progress", "--quiet"]
    args += ["--cache", str(tmp_path / "cache.sqlite3"), "--root", str(tmp_path)]
    assert main(args, resolver=StaticResolver(), stdout=io.StringIO(), stderr=io.StringIO()) == 0
    code = (
        "import sys\n"
        "from handbook.linkcheck.cli import main\n"
        f"status = main({args!r})\n"
        "print(status, sorted({'aiohttp', 'asyncio', 'rich'} & set(sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=60
    )
    assert (done.stdout, done.stderr) == ("0 []\n", "")
    assert s.total == 1  # the second run asked nothing


def test_no_cache_and_max_age(servers: ServerThread, tmp_path: Path) -> None:
    s = servers.web({"/ok": page("x")})
    urls = write_urls(tmp_path, s.url("/ok"))
    clock = Clock()
    args = [str(urls), "--allow", s.netloc]
    run_linkcheck(args, tmp_path=tmp_path, cache=True, clock=clock)
    assert s.total == 1
    run_linkcheck([*args, "--no-cache"], tmp_path=tmp_path, cache=False, clock=clock)
    assert s.total == 2
    clock.now += 7200
    run_linkcheck([*args, "--max-age", "1h"], tmp_path=tmp_path, cache=True, clock=clock)
    assert s.total == 3
    run_linkcheck(args, tmp_path=tmp_path, cache=True, clock=clock)
    assert s.total == 3


def test_seeded_spread_end_to_end(servers: ServerThread, tmp_path: Path) -> None:
    from handbook.linkcheck.cache import Cache

    s = servers.web({f"/{i}": page("x") for i in range(20)})
    urls = write_urls(tmp_path, *(s.url(f"/{i}") for i in range(20)))
    clock = Clock()
    code = main(
        [
            str(urls),
            "--allow",
            s.netloc,
            "--cache",
            str(tmp_path / "c.sqlite3"),
            "--quiet",
            "--host-interval",
            "0",
            "--root",
            str(tmp_path),
        ],
        resolver=StaticResolver(),
        clock=clock,
        rng=random.Random(1),
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    assert code == 0
    with Cache(tmp_path / "c.sqlite3", clock=clock) as cache:
        ages = {cache.expiry(s.url(f"/{i}")) for i in range(20)}
    assert len(ages) == 20  # every link its own expiry


def test_findings_skip_ok_ignored_and_no_network_unchecked() -> None:
    def rec(verdict: Verdict, message: str = "m") -> Record:
        from handbook.linkcheck.extract import Occurrence

        return Record(
            "url",
            f"https://{verdict.value}/",
            Result(verdict, "C", message),
            [Occurrence("p.md", 1)],
        )

    lines = findings(
        [
            rec(Verdict.OK),
            rec(Verdict.IGNORED),
            rec(Verdict.UNCHECKED, "not checked: no network: x"),
            rec(Verdict.TIMEOUT),
        ],
        no_network="no network: x",
    )
    assert lines == [Finding("p.md", 1, "C", "https://timeout/: m")]


def test_a_missing_path_is_one_input_line(tmp_path: Path) -> None:
    missing = tmp_path / "missing.txt"
    run = run_linkcheck([str(missing)], tmp_path=tmp_path)
    assert run.code == 2
    assert f"{missing}:1: INPUT no such file\n" in run.stderr


@pytest.mark.parametrize(
    ("where", "message"),
    [
        ("dir", "is a directory; give the report's file name"),
        ("file/report.json", "cannot be made: {tmp}/file is not a directory"),
        ("file/deeper/report.json", "cannot be made: {tmp}/file is not a directory"),
    ],
)
def test_an_unusable_output_exits_2_before_checking_anything(
    tmp_path: Path, where: str, message: str
) -> None:
    """Even root cannot write under a regular file; nothing is checked, nothing written."""
    (tmp_path / "dir").mkdir()
    (tmp_path / "file").write_text("a file, not a folder\n")
    urls = write_urls(tmp_path, "isbn:9780306406157")
    output = tmp_path / where
    err = io.StringIO()
    out = io.StringIO()
    code = main([str(urls), "--no-cache", "--output", str(output)], stdout=out, stderr=err)
    assert (code, out.getvalue()) == (2, "")
    assert err.getvalue() == (
        f"handbook linkcheck: --output {output}: {message.format(tmp=tmp_path)}\n"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dir", "file", "urls.txt"]
    assert list((tmp_path / "dir").iterdir()) == []


def test_a_failed_write_of_the_report_is_exit_2_without_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from handbook.linkcheck import cli

    def refuse(path: Path, text: str, **options: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(cli, "write_atomically", refuse)
    urls = write_urls(tmp_path, "isbn:9780306406157")
    err = io.StringIO()
    output = tmp_path / "report.json"
    assert main([str(urls), "--no-cache", "--output", str(output)], stderr=err) == 2
    assert err.getvalue().startswith(
        f"handbook linkcheck: --output {output}: cannot write: No space left on device\n"
    )
