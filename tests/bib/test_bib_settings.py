"""biblatex's field names, and ``[tool.handbook.bib]`` keeping BibTeX's in some files.

By default ``date`` gives an entry its year and ``journaltitle`` its journal;
a file listed in ``bibtex-only`` (``references.bib``) must use BibTeX's
``year`` and ``journal``, because pybtex's styles know nothing else.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import handbook.paths
from handbook.bib.cli import main
from handbook.bib.settings import Settings, load_settings

from .helpers import GOOD

BIBLATEX = GOOD / "biblatex.bib"

DATED = """@misc{ries2011lean,
  author = {Ries, Eric},
  title = {The Lean Startup},
  date = {1995-03},
}

@misc{riesndlean,
  author = {Ries, Eric},
  title = {The Lean Startup},
  date = {2011-09-13},
}

@misc{ries2011startup,
  author = {Ries, Eric},
  title = {The Lean Startup},
  date = {2011-09-13},
}

@misc{ries2011undated,
  author = {Ries, Eric},
  title = {The Lean Startup},
  date = {sometime},
}
"""


def write_config(tmp_path: Path, body: str) -> Path:
    config = tmp_path / "pyproject.toml"
    config.write_text(f'[project]\nname = "x"\n\n[tool.handbook.bib]\n{body}', encoding="utf-8")
    return config


def test_date_and_journaltitle_count_by_default(capsys) -> None:
    assert main(["check", str(BIBLATEX)]) == 0
    assert capsys.readouterr() == ("", "")


def test_bibtex_only_file_needs_year_and_journal(tmp_path: Path, capsys) -> None:
    config = write_config(tmp_path, 'bibtex-only = ["biblatex.bib"]\n')
    target = tmp_path / "biblatex.bib"
    target.write_bytes(BIBLATEX.read_bytes())
    assert main(["check", "--config", str(config), str(target)]) == 1
    out, err = capsys.readouterr()
    assert err == ""
    assert out == (
        f"{target}:5: BIB006 @article 'paleyes2022challenges' has no journal"
        " (journaltitle is biblatex's: this file is bibtex-only, so give journal)\n"
        f"{target}:5: BIB006 @article 'paleyes2022challenges' has no year"
        " (date is biblatex's: this file is bibtex-only, so give year)\n"
        f"{target}:17: BIB006 @book 'ries2011lean' has no year"
        " (date is biblatex's: this file is bibtex-only, so give year)\n"
    )


def test_other_files_keep_biblatex_names_under_the_same_config(tmp_path: Path, capsys) -> None:
    config = write_config(tmp_path, 'bibtex-only = ["references.bib"]\n')
    assert main(["check", "--config", str(config), str(BIBLATEX)]) == 0
    assert capsys.readouterr() == ("", "")


def test_key_year_is_compared_with_the_year_of_date(tmp_path: Path, capsys) -> None:
    target = tmp_path / "dated.bib"
    target.write_text(DATED, encoding="utf-8")
    assert main(["check", "--select", "BIB008", str(target)]) == 1
    assert capsys.readouterr().out == (
        f"{target}:4: BIB008 key 'ries2011lean' has year 2011 but date = 1995-03\n"
        f"{target}:10: BIB008 key 'riesndlean' says no year but date = 2011-09-13:"
        " use 'ries2011lean'\n"
        f"{target}:22: BIB008 date 'sometime' does not start with a four-digit year\n"
    )


def test_the_repository_settings_make_references_bib_bibtex_only() -> None:
    root = Path(handbook.paths.ROOT)
    settings = load_settings(root / "pyproject.toml")
    assert not settings.biblatex_names(root / "references.bib")
    assert settings.biblatex_names(BIBLATEX)
    assert Settings().biblatex_names(root / "references.bib")


def test_default_config_is_the_repository_pyproject(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    write_config(tmp_path, 'bibtex-only = ["references.bib"]\n')
    (tmp_path / "references.bib").write_text(
        "@misc{ries2011lean, author = {Ries, Eric}, title = {T}, date = {2011}}\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(handbook.paths, "ROOT", tmp_path)
    monkeypatch.chdir(tmp_path)
    assert main(["check", "--select", "BIB008"]) == 1
    assert capsys.readouterr().out == (
        "references.bib:1: BIB008 key 'ries2011lean' has year 2011 but the entry has no year"
        " field (date is biblatex's: this file is bibtex-only, so give year)\n"
    )


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        (
            'bibtex-onyl = ["references.bib"]\n',
            5,
            "tool.handbook.bib.bibtex-onyl: unknown setting (known: bibtex-only)",
        ),
        (
            'bibtex-only = "references.bib"\n',
            5,
            "tool.handbook.bib.bibtex-only: must be a list of paths, not a string",
        ),
        (
            'bibtex-only = ["references.bib", 3]\n',
            5,
            "tool.handbook.bib.bibtex-only[1]: must be a path (a string), not a number",
        ),
    ],
)
def test_a_bad_setting_is_unusable_input(
    body: str, line: int, message: str, tmp_path: Path, capsys
) -> None:
    config = write_config(tmp_path, body)
    assert main(["check", "--config", str(config), str(BIBLATEX)]) == 2
    assert capsys.readouterr() == ("", f"{config}:{line}: CONFIG {message}\n")


def test_a_table_that_is_not_a_table(tmp_path: Path, capsys) -> None:
    config = tmp_path / "pyproject.toml"
    config.write_text("[tool.handbook]\nbib = 1\n", encoding="utf-8")
    assert main(["check", "--config", str(config), str(BIBLATEX)]) == 2
    assert capsys.readouterr() == (
        "",
        f"{config}:2: CONFIG tool.handbook.bib: must be a table, not a number\n",
    )


def test_config_that_is_not_toml(tmp_path: Path, capsys) -> None:
    config = tmp_path / "pyproject.toml"
    config.write_text("[tool.handbook.bib\n", encoding="utf-8")
    assert main(["check", "--config", str(config), str(BIBLATEX)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith(f"{config}:1: CONFIG not valid TOML: ")
    assert err.count("\n") == 1


def test_missing_config_is_unusable_input(tmp_path: Path, capsys) -> None:
    config = tmp_path / "nope.toml"
    assert main(["check", "--config", str(config), str(BIBLATEX)]) == 2
    assert capsys.readouterr() == ("", f"{config}:1: INPUT no such file\n")


def test_no_table_means_the_defaults(tmp_path: Path) -> None:
    config = tmp_path / "pyproject.toml"
    config.write_text('[project]\nname = "x"\n', encoding="utf-8")
    assert load_settings(config) == Settings()
