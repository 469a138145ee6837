"""The engine's settings are described once (:class:`Settings`), and the command
line and ``[tool.handbook.linkcheck]`` are derived from that description: the
same settings, the same checks, the command line over pyproject.toml over the
default."""

from __future__ import annotations

import argparse
import dataclasses
import tomllib
from pathlib import Path

from lc_support import ServerThread, page, redirect, run_linkcheck, write_urls

from handbook.linkcheck import config
from handbook.linkcheck.cli import build_parser, settings_from
from handbook.linkcheck.config import parse_config
from handbook.linkcheck.settings import Settings, described


def write_config(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "pyproject.toml"
    path.write_text('[project]\nname = "x"\n\n' + body, encoding="utf-8")
    return path


def setting_actions(parser: argparse.ArgumentParser) -> dict[str, argparse.Action]:
    """The parser's options whose destination is a field of :class:`Settings`."""
    names = {item.name for item in dataclasses.fields(Settings)}
    return {action.dest: action for action in parser._actions if action.dest in names}


def test_the_parsers_engine_options_and_the_settings_correspond_one_to_one() -> None:
    parser = build_parser()
    actions = setting_actions(parser)
    on_the_command_line = {item.name: item for item in described() if item.flag is not None}
    assert set(actions) == set(on_the_command_line)
    for name, item in on_the_command_line.items():
        action = actions[name]
        assert action.option_strings == [item.flag]
        assert action.metavar == item.option.metavar
        assert action.default is None  # "not given": pyproject.toml or the default decides
        assert action.help is not None
        assert action.help.replace("%%", "%") == item.help
    # Every option of the "network" group is a setting: none is written by hand.
    (network,) = (g for g in parser._action_groups if g.title == "network")
    assert {action.dest for action in network._group_actions} == {
        name for name, item in on_the_command_line.items() if item.option.group == "network"
    }
    # The network options, in the order --help has always listed them.
    assert [action.option_strings[0] for action in network._group_actions] == [
        "--concurrency",
        "--per-host",
        "--host-interval",
        "--timeout",
        "--deadline",
        "--retries",
        "--backoff",
        "--retry-after-cap",
        "--max-redirects",
        "--anchor-cap",
        "--doi-api",
    ]


def test_the_pyproject_keys_and_the_settings_correspond_one_to_one() -> None:
    keys = {item.key: item.name for item in described() if item.key is not None}
    assert ("ignore", *keys) == config.KNOWN
    # Every setting on the command line may also be given in pyproject.toml,
    # but for --no-anchors, a choice for one run.
    flags = {item.name for item in described() if item.flag is not None}
    assert flags - set(keys.values()) == {"check_anchors"}
    # The module docstring, the reader's list of keys, names every one.
    assert config.__doc__ is not None
    assert [key for key in keys if key not in config.__doc__] == []
    # A field without an option is fixed: neither surface sets it.
    fixed = {f.name for f in dataclasses.fields(Settings)} - {item.name for item in described()}
    assert fixed == {"backoff_cap", "user_agent"}


#: A value for every scalar setting, none the default; and another for the command line.
PYPROJECT = {
    "concurrency": ("7", 7),
    "per-host": ("3", 3),
    "host-interval": ("0.25", 0.25),
    "timeout": ("4", 4.0),
    "deadline": ("99.5", 99.5),
    "retries": ("0", 0),
    "backoff": ("1.5", 1.5),
    "retry-after-cap": ("5", 5.0),
    "max-redirects": ("1", 1),
    "anchor-cap": ("2048", 2048),
    "doi-api": ('"https://handles.example/api"', "https://handles.example/api/"),
}
COMMAND_LINE = {
    "concurrency": ("9", 9),
    "per-host": ("0", 1),  # raised to its least, as the command line always did
    "host-interval": ("0", 0.0),
    "timeout": ("2.5", 2.5),
    "deadline": ("10", 10.0),
    "retries": ("4", 4),
    "backoff": ("0.1", 0.1),
    "retry-after-cap": ("7", 7.0),
    "max-redirects": ("3", 3),
    "anchor-cap": ("10", 1024),
    "doi-api": ("http://127.0.0.1:1/h/", "http://127.0.0.1:1/h/"),
}


def test_every_setting_from_pyproject_and_the_command_line_over_it() -> None:
    keys = {item.key for item in described() if item.option.kind in ("count", "seconds", "url")}
    assert keys == set(PYPROJECT) == set(COMMAND_LINE)  # the tables below are complete
    toml = "[tool.handbook.linkcheck]\n" + "".join(
        f"{key} = {value}\n" for key, (value, _) in PYPROJECT.items()
    )
    project = parse_config(tomllib.loads(toml), text=toml)
    name = {item.key: item.name for item in described()}

    from_pyproject = settings_from(build_parser().parse_args([]), project)
    assert {key: getattr(from_pyproject, name[key]) for key in PYPROJECT} == {
        key: value for key, (_, value) in PYPROJECT.items()
    }
    argv = [arg for key, (given, _) in COMMAND_LINE.items() for arg in (f"--{key}", given)]
    from_both = settings_from(build_parser().parse_args(argv), project)
    assert {key: getattr(from_both, name[key]) for key in COMMAND_LINE} == {
        key: value for key, (_, value) in COMMAND_LINE.items()
    }
    assert settings_from(build_parser().parse_args([])) == Settings()  # nothing given
    no_anchors = settings_from(build_parser().parse_args(["--no-anchors"]), project)
    assert no_anchors.check_anchors is False and no_anchors.concurrency == 7


def test_a_setting_in_pyproject_takes_effect_and_the_command_line_wins(
    servers: ServerThread, tmp_path: Path
) -> None:
    s = servers.web({"/n0": redirect(302, "/n1"), "/n1": redirect(302, "/n2"), "/n2": page("end")})
    write_config(tmp_path, "[tool.handbook.linkcheck]\nmax-redirects = 1\n")
    urls = write_urls(tmp_path, s.url("/n0"))
    run = run_linkcheck([str(urls), "--allow", s.netloc], tmp_path=tmp_path)
    assert run.lines == [
        f"{urls}:1: LINKLOOP {s.url('/n0')}: more than 1 redirects "
        f"(after redirects: 302 {s.url('/n1')} -> 302 {s.url('/n2')})"
    ]
    assert s.hits["/n2"] == 0  # the second redirect was not followed

    run = run_linkcheck([str(urls), "--allow", s.netloc, "--max-redirects", "2"], tmp_path=tmp_path)
    assert run.lines == [f"{urls}:1: LINK302 {s.url('/n0')}: redirects (302) to {s.url('/n2')}"]
    assert s.hits["/n2"] == 1


def test_a_bad_engine_setting_in_pyproject_is_a_config_error_exit_2(tmp_path: Path) -> None:
    write_config(tmp_path, "[tool.handbook.linkcheck]\naccept = []\n\nretry-after-cap = -5\n")
    urls = write_urls(tmp_path, "isbn:0306406152")
    run = run_linkcheck([str(urls)], tmp_path=tmp_path)
    assert (run.code, run.stdout) == (2, "")
    assert run.stderr.endswith(  # the path as display_path shows it, from the working directory
        "pyproject.toml:7: CONFIG tool.handbook.linkcheck.retry-after-cap: "
        "must be a number of seconds, 0 or more, not -5\n"
    )
    assert run.stderr.count("\n") == 1
