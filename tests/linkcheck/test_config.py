"""``[tool.handbook.linkcheck]`` in pyproject.toml: validation, and what each setting does."""

from __future__ import annotations

import asyncio
import time
import tomllib
from pathlib import Path

import pytest
from aiohttp import web
from lc_support import ServerThread, page, run_linkcheck, status, write_urls

from handbook.linkcheck.config import ConfigError, load_config, parse_config
from handbook.linkcheck.settings import Settings
from handbook.paths import ROOT
from handbook.pyproject import locate


def write_config(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "pyproject.toml"
    path.write_text('[project]\nname = "x"\n\n' + body, encoding="utf-8")
    return path


def test_the_projects_own_settings_are_valid() -> None:
    config = load_config(ROOT / "pyproject.toml")
    assert all(rule.reason for rule in config.ignore)
    assert config.source == "pyproject.toml"


def test_no_table_means_no_settings(tmp_path: Path) -> None:
    config = load_config(write_config(tmp_path, "[tool.ruff]\nline-length = 100\n"))
    assert config.ignore == () and config.given == {} and config.settings() == Settings()
    assert load_config(tmp_path / "missing.toml").ignore == ()


def test_a_full_valid_table(tmp_path: Path) -> None:
    path = write_config(
        tmp_path,
        """\
[tool.handbook.linkcheck]
accept = [403, 503]
per-host = 3
timeout = 30
doi-api = "https://handles.example/api"

[[tool.handbook.linkcheck.ignore]]
pattern = '^https://www\\.linkedin\\.com/'
reason = "LinkedIn answers 999 to every robot"

[[tool.handbook.linkcheck.ignore]]
pattern = "example\\\\.invalid"
reason = "  a placeholder in an example  "

[tool.handbook.linkcheck.hosts."DOI.org"]
concurrency = 4
interval = 0.2
headers = { Accept = "application/json", "X-Token" = "t" }

[tool.handbook.linkcheck.hosts."127.0.0.1:8080"]
accept = [401]
""",
    )
    config = load_config(path)
    settings = config.settings()
    assert settings.accept == {403, 503}
    assert (settings.per_host, settings.timeout) == (3, 30.0)
    assert settings.doi_api == "https://handles.example/api/"  # a base, as on the command line
    assert settings.concurrency == Settings().concurrency  # not given: the default
    assert [rule.reason for rule in config.ignore] == [
        "LinkedIn answers 999 to every robot",
        "a placeholder in an example",
    ]
    assert config.ignore[0].matches("https://www.linkedin.com/in/x")
    assert config.ignore[1].matches("https://example.invalid/")
    doi, local = settings.hosts
    assert (doi.host, doi.port, doi.concurrency, doi.interval) == ("doi.org", None, 4, 0.2)
    assert doi.headers == (("Accept", "application/json"), ("X-Token", "t"))
    assert (local.host, local.port, local.accept) == ("127.0.0.1", 8080, {401})
    assert settings.host("doi.org", 443) is doi
    assert settings.host("127.0.0.1", 8080) is local
    assert settings.host("127.0.0.1", 8081) is None


BAD = [
    (
        "[tool.handbook.linkcheck]\nignore_urls = []\n",
        "pyproject.toml:5: CONFIG tool.handbook.linkcheck.ignore_urls: unknown setting "
        "(known here: ignore, accept, hosts, concurrency, per-host, host-interval, timeout, "
        "deadline, retries, backoff, retry-after-cap, max-redirects, anchor-cap, doi-api)",
    ),
    (
        "[tool.handbook.linkcheck]\nno-anchors = true\n",
        "pyproject.toml:5: CONFIG tool.handbook.linkcheck.no-anchors: unknown setting "
        "(known here: ignore, accept, hosts, concurrency, per-host, host-interval, timeout, "
        "deadline, retries, backoff, retry-after-cap, max-redirects, anchor-cap, doi-api)",
    ),
    (
        "[tool.handbook.linkcheck]\naccept = []\ntimeout = -1\n",
        "pyproject.toml:6: CONFIG tool.handbook.linkcheck.timeout: "
        "must be a number of seconds, 0 or more, not -1",
    ),
    (
        "[tool.handbook.linkcheck]\nhost-interval = '1s'\n",
        "pyproject.toml:5: CONFIG tool.handbook.linkcheck.host-interval: "
        "must be a number of seconds, 0 or more, not '1s'",
    ),
    (
        "[tool.handbook.linkcheck]\ndeadline = nan\n",
        "pyproject.toml:5: CONFIG tool.handbook.linkcheck.deadline: "
        "must be a number of seconds, 0 or more, not nan",
    ),
    (
        "[tool.handbook.linkcheck]\nconcurrency = 0\n",
        "pyproject.toml:5: CONFIG tool.handbook.linkcheck.concurrency: "
        "must be a whole number of at least 1, not 0",
    ),
    (
        "[tool.handbook.linkcheck]\nretries = 1.5\n",
        "pyproject.toml:5: CONFIG tool.handbook.linkcheck.retries: "
        "must be a whole number of at least 0, not 1.5",
    ),
    (
        "[tool.handbook.linkcheck]\nper-host = true\n",
        "pyproject.toml:5: CONFIG tool.handbook.linkcheck.per-host: "
        "must be a whole number of at least 1, not True",
    ),
    (
        "[tool.handbook.linkcheck]\nanchor-cap = 100\n",
        "pyproject.toml:5: CONFIG tool.handbook.linkcheck.anchor-cap: "
        "must be a whole number of at least 1024, not 100",
    ),
    (
        "[tool.handbook.linkcheck]\ndoi-api = 3\n",
        "pyproject.toml:5: CONFIG tool.handbook.linkcheck.doi-api: must be a URL (a string), not 3",
    ),
    (
        "[[tool.handbook.linkcheck.ignore]]\npattern = 'x'\n",
        "pyproject.toml:4: CONFIG tool.handbook.linkcheck.ignore[0].reason: required: "
        "say why the link cannot or need not be checked",
    ),
    (
        "[[tool.handbook.linkcheck.ignore]]\npattern = 'a'\nreason = 'ok'\n\n"
        "[[tool.handbook.linkcheck.ignore]]\npattern = 'b'\nreason = ''\n",
        "pyproject.toml:10: CONFIG tool.handbook.linkcheck.ignore[1].reason: "
        "must say, in words, why the link is ignored",
    ),
    (
        "[[tool.handbook.linkcheck.ignore]]\npattern = '('\nreason = 'r'\n",
        "pyproject.toml:5: CONFIG tool.handbook.linkcheck.ignore[0].pattern: invalid regular "
        "expression '(': missing ), unterminated subpattern at position 0",
    ),
    (
        "[[tool.handbook.linkcheck.ignore]]\nreason = 'r'\n",
        "pyproject.toml:4: CONFIG tool.handbook.linkcheck.ignore[0].pattern: required: "
        "the regular expression to ignore",
    ),
    (
        "[tool.handbook.linkcheck]\nignore = 'x'\n",
        "pyproject.toml:5: CONFIG tool.handbook.linkcheck.ignore: must be an array of tables "
        "([[tool.handbook.linkcheck.ignore]]), not a string",
    ),
    (
        "[tool.handbook.linkcheck]\naccept = [200, 301]\n",
        "pyproject.toml:5: CONFIG tool.handbook.linkcheck.accept[1]: 301 is a redirect: "
        "redirects are followed, never accepted",
    ),
    (
        "[tool.handbook.linkcheck]\naccept = ['403']\n",
        "pyproject.toml:5: CONFIG tool.handbook.linkcheck.accept[0]: '403' is not an HTTP "
        "status code (100-599)",
    ),
    (
        '[tool.handbook.linkcheck.hosts."example.com"]\nconcurrency = 0\n',
        'pyproject.toml:5: CONFIG tool.handbook.linkcheck.hosts."example.com".concurrency: '
        "must be a whole number of at least 1, not 0",
    ),
    (
        '[tool.handbook.linkcheck.hosts."example.com"]\ninterval = "1s"\n',
        'pyproject.toml:5: CONFIG tool.handbook.linkcheck.hosts."example.com".interval: '
        "must be a number of seconds from 0 to 60, not '1s'",
    ),
    (
        '[tool.handbook.linkcheck.hosts."example.com"]\nheaders = { Host = "evil" }\n',
        'pyproject.toml:5: CONFIG tool.handbook.linkcheck.hosts."example.com".headers.Host: '
        "is set by the checker and cannot be overridden",
    ),
    (
        '[tool.handbook.linkcheck.hosts."example.com"]\nheaders = { "Bad Name" = "x" }\n',
        'pyproject.toml:5: CONFIG tool.handbook.linkcheck.hosts."example.com".headers'
        '."Bad Name": is not a valid HTTP header name',
    ),
    (
        '[tool.handbook.linkcheck.hosts."example.com"]\nretries = 3\n',
        'pyproject.toml:5: CONFIG tool.handbook.linkcheck.hosts."example.com".retries: '
        "unknown setting (known here: concurrency, interval, headers, accept)",
    ),
    (
        '[tool.handbook.linkcheck.hosts."https://example.com/"]\nconcurrency = 1\n',
        'pyproject.toml:4: CONFIG tool.handbook.linkcheck.hosts."https://example.com/": '
        "'https://example.com/' is not a host name (write it without scheme or path)",
    ),
    (
        "[tool.handbook]\nlinkcheck = 3\n",
        "pyproject.toml:5: CONFIG tool.handbook.linkcheck: must be a table, not a number",
    ),
    (
        "[tool.handbook.linkcheck\n",
        "pyproject.toml:4: CONFIG not valid TOML: Expected ']' at the end of a table "
        "declaration (at line 4, column 25)",
    ),
]


@pytest.mark.parametrize(("body", "message"), BAD)
def test_bad_settings_name_the_key_and_line(tmp_path: Path, body: str, message: str) -> None:
    path = write_config(tmp_path, body)
    with pytest.raises(ConfigError) as caught:
        load_config(path, display="pyproject.toml")
    assert str(caught.value) == message


def test_bad_settings_exit_2_with_the_message(tmp_path: Path) -> None:
    write_config(tmp_path, "[[tool.handbook.linkcheck.ignore]]\npattern = 'x'\n")
    urls = write_urls(tmp_path, "isbn:0306406152")
    run = run_linkcheck([str(urls)], tmp_path=tmp_path)
    assert run.code == 2
    assert run.stdout == ""
    assert "pyproject.toml:4: CONFIG tool.handbook.linkcheck.ignore[0].reason: required" in (
        run.stderr
    )


def test_a_key_path_without_a_line_when_the_file_hides_it() -> None:
    """Settings given as a dotted key in another table: the error still names the key."""
    text = "[tool]\nhandbook = { linkcheck = { accept = [301] } }\n"
    with pytest.raises(ConfigError) as caught:
        parse_config(tomllib.loads(text), text=text)
    assert caught.value.dotted == "tool.handbook.linkcheck.accept[0]"
    assert caught.value.line == 2  # the nearest enclosing key that the file shows


def test_locate_reads_headers_arrays_and_dotted_keys() -> None:
    text = (
        "# comment\n"
        "[tool.handbook.linkcheck]\n"
        'description = """\n'
        "accept = [1]\n"
        '"""\n'
        "accept = [403]\n"
        "[[tool.handbook.linkcheck.ignore]]\n"
        "pattern = 'a'\n"
        "[[tool.handbook.linkcheck.ignore]]\n"
        "pattern = 'b'\n"
        "[tool.handbook.linkcheck.hosts.'a.example']\n"
        "headers.Accept = 'x'\n"
    )
    table = ("tool", "handbook", "linkcheck")
    assert locate(text, (*table, "accept")) == 6
    assert locate(text, (*table, "ignore", 1, "pattern")) == 10
    assert locate(text, (*table, "ignore", 1, "reason")) == 9
    assert locate(text, (*table, "hosts", "a.example", "headers", "Accept")) == 12
    assert locate(text, ("project", "name")) is None


# -- what the settings do, end to end (servers on 127.0.0.1 only) --------------


def test_ignore_rules_report_ignored_with_their_reason(
    servers: ServerThread, tmp_path: Path
) -> None:
    s = servers.web({"/ok": page("x")})
    write_config(
        tmp_path,
        "[[tool.handbook.linkcheck.ignore]]\n"
        f"pattern = '{s.port}/private'\n"
        "reason = 'behind a login'\n",
    )
    urls = write_urls(tmp_path, s.url("/ok"), s.url("/private/page"))
    run = run_linkcheck([str(urls), "--allow", s.netloc, "--format", "json"], tmp_path=tmp_path)
    assert run.code == 0
    assert s.hits["/private/page"] == 0
    assert '"verdict": "ignored", "code": "LINKIGNORED", "message": "ignored: behind a login"' in (
        run.stdout
    )


def test_accepted_statuses_globally_and_per_host(servers: ServerThread, tmp_path: Path) -> None:
    a = servers.web({"/teapot": status(418), "/gone": status(410)})
    b = servers.web({"/teapot": status(418), "/auth": status(401)})
    write_config(
        tmp_path,
        "[tool.handbook.linkcheck]\naccept = [410]\n\n"
        f'[tool.handbook.linkcheck.hosts."127.0.0.1:{b.port}"]\naccept = [418]\n',
    )
    urls = write_urls(tmp_path, a.url("/teapot"), a.url("/gone"), b.url("/teapot"), b.url("/auth"))
    run = run_linkcheck([str(urls), "--allow", a.netloc, "--allow", b.netloc], tmp_path=tmp_path)
    assert run.lines == [
        f"{urls}:1: LINK418 {a.url('/teapot')}: 418 I'm a Teapot",
        f"{urls}:4: LINK401 {b.url('/auth')}: 401 Unauthorized (the site refuses robots)",
    ]
    assert run.code == 0  # 401 is blocked, which never fails; 410 and b's 418 are accepted


def test_per_host_headers_concurrency_and_interval(servers: ServerThread, tmp_path: Path) -> None:
    seen: list[tuple[str | None, float]] = []
    in_flight = [0, 0]  # now, most

    async def slow(request: web.Request) -> web.StreamResponse:
        seen.append((request.headers.get("X-Handbook"), time.monotonic()))
        in_flight[0] += 1
        in_flight[1] = max(in_flight[1], in_flight[0])
        try:
            await asyncio.sleep(0.05)
        finally:
            in_flight[0] -= 1
        return web.Response(text="ok")

    s = servers.web({f"/{i}": slow for i in range(4)})
    write_config(
        tmp_path,
        f'[tool.handbook.linkcheck.hosts."127.0.0.1:{s.port}"]\n'
        "concurrency = 1\ninterval = 0.1\nheaders = { X-Handbook = 'yes' }\n",
    )
    urls = write_urls(tmp_path, *(s.url(f"/{i}") for i in range(4)))
    run = run_linkcheck([str(urls), "--allow", s.netloc, "--per-host", "8"], tmp_path=tmp_path)
    assert run.code == 0, run
    assert [header for header, _ in seen] == ["yes"] * 4
    assert in_flight[1] == 1
    starts = sorted(at for _, at in seen)
    # Four starts 0.1 s apart (measured at the server, so with some slack).
    assert starts[-1] - starts[0] >= 0.25
