"""``handbook bib format``: the canonical layout, idempotent and lossless."""

from __future__ import annotations

import shutil
import stat
from collections import Counter
from pathlib import Path

import pytest

from handbook.bib.cli import main
from handbook.bib.format import FIELD_ORDER, FormatRefused, canonical_text
from handbook.bib.parse import Bibliography, parse_file, parse_text
from handbook.paths import ROOT

from .helpers import BAD, FORMAT, GOOD

MESSY = FORMAT / "messy.bib"
MESSY_EXPECTED = FORMAT / "messy.expected.bib"
REAL = Path(ROOT) / "references.bib"


def content(bib: Bibliography) -> tuple[Counter[tuple[str, str, str]], Counter[str], list[str]]:
    """What formatting must keep: every (key, field, value), comment line and command."""
    fields: Counter[tuple[str, str, str]] = Counter()
    comments: Counter[str] = Counter()
    commands = []
    for item in bib.items:
        comments.update(gap.text for gap in item.before if gap.text)
        if item.is_entry:
            fields.update((item.key or "", f.name, f.value) for f in item.fields)
            fields[(item.key or "", "@type", item.kind)] += 1
        else:
            commands.append(bib.text[item.start : item.end])
    comments.update(gap.text for gap in bib.trailing if gap.text)
    return fields, comments, commands


def copy(src: Path, tmp_path: Path, name: str = "references.bib") -> Path:
    dest = tmp_path / name
    shutil.copyfile(src, dest)
    return dest


def test_messy_file_gets_the_expected_layout() -> None:
    assert canonical_text(parse_file(MESSY)) == MESSY_EXPECTED.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "path", [MESSY_EXPECTED, *sorted(GOOD.glob("*.bib"))], ids=lambda p: p.name
)
def test_canonical_files_are_left_alone(path: Path, capsys) -> None:
    assert canonical_text(parse_file(path)) == path.read_text(encoding="utf-8")
    assert main(["format", "--check", str(path)]) == 0
    assert capsys.readouterr() == ("", "")


def test_write_is_idempotent_and_loses_nothing(tmp_path: Path, capsys) -> None:
    target = copy(MESSY, tmp_path)
    before = content(parse_file(target))
    assert main(["format", "--write", str(target)]) == 0
    assert capsys.readouterr() == ("", f"reformatted {target}\n")
    once = target.read_text(encoding="utf-8")
    assert once == MESSY_EXPECTED.read_text(encoding="utf-8")
    assert content(parse_file(target)) == before
    assert main(["format", "--write", str(target)]) == 0
    assert capsys.readouterr() == ("", "")
    assert target.read_text(encoding="utf-8") == once
    assert main(["format", "--check", str(target)]) == 0


def test_check_reports_the_first_differing_line(tmp_path: Path, capsys) -> None:
    target = copy(MESSY, tmp_path)
    before = target.read_bytes()
    assert main(["format", "--check", str(target)]) == 1
    out, err = capsys.readouterr()
    assert out == (
        f"{target}:5: FMT001 not in the canonical layout (run 'handbook bib format --write')\n"
    )
    assert err == ""
    assert target.read_bytes() == before


def test_check_diff_prints_a_unified_diff(tmp_path: Path, capsys) -> None:
    target = copy(MESSY, tmp_path)
    assert main(["format", "--check", "--diff", str(target)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0].endswith("FMT001 not in the canonical layout (run 'handbook bib format --write')")
    assert out[1:3] == [f"--- {target}", f"+++ {target} (formatted)"]
    assert "-@Book{Zeta2020last," in out
    assert "+@book{Zeta2020last," in out


def test_write_refuses_a_file_that_does_not_parse(tmp_path: Path, capsys) -> None:
    target = copy(BAD / "parse-missing-comma.bib", tmp_path)
    before = target.read_bytes()
    assert main(["format", "--write", str(target)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert f"{target}:10: BIB001 " in err
    assert err.endswith(f"handbook bib: {target} does not parse; not written\n")
    assert target.read_bytes() == before
    with pytest.raises(FormatRefused):
        canonical_text(parse_file(target))


def test_check_on_a_file_that_does_not_parse_is_unusable(tmp_path: Path, capsys) -> None:
    target = copy(BAD / "parse-eof.bib", tmp_path)
    assert main(["format", "--check", str(target)]) == 2
    assert "does not parse; not checked" in capsys.readouterr().err


def test_write_is_atomic_and_keeps_permissions(tmp_path: Path, capsys) -> None:
    target = copy(MESSY, tmp_path)
    target.chmod(0o640)
    assert main(["format", "--write", str(target)]) == 0
    capsys.readouterr()
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["references.bib"]


def test_crlf_and_bom_are_not_canonical(tmp_path: Path, capsys) -> None:
    text = MESSY_EXPECTED.read_text(encoding="utf-8")
    target = tmp_path / "references.bib"
    target.write_bytes(("\ufeff" + text).replace("\n", "\r\n").encode("utf-8"))
    assert main(["format", "--check", str(target)]) == 1
    assert main(["format", "--write", str(target)]) == 0
    capsys.readouterr()
    assert target.read_bytes() == text.encode("utf-8")


def test_field_order_and_unknown_fields() -> None:
    text = "@book{b2020x, zzz = {1}, year = {2020}, aaa = {2}, author = {A}, title = {T}}\n"
    out = canonical_text(parse_text(text))
    assert out == (
        "@book{b2020x,\n  author = {A},\n  title = {T},\n  year = {2020},\n"
        "  aaa = {2},\n  zzz = {1},\n}\n"
    )
    assert FIELD_ORDER[:3] == ("author", "translator", "editor")


def test_sorting_is_case_insensitive_and_stable() -> None:
    text = "@misc{b2020x, title={1}}\n@misc{A2020x, title={2}}\n@misc{a2020x, title={3}}\n"
    out = canonical_text(parse_text(text))
    keys = [line for line in out.splitlines() if line.startswith("@")]
    assert keys == ["@misc{A2020x,", "@misc{a2020x,", "@misc{b2020x,"]


def test_empty_and_comment_only_files() -> None:
    assert canonical_text(parse_text("")) == ""
    assert canonical_text(parse_text("\n\n% only\n\n\n% comments\n\n")) == "% only\n\n% comments\n"


@pytest.mark.real_bib
def test_real_references_bib_formats_idempotently_and_losslessly(tmp_path: Path, capsys) -> None:
    """The formatter on a copy of the real file (which is never touched)."""
    target = copy(REAL, tmp_path)
    bib = parse_file(target)
    assert not bib.errors, bib.errors
    before = content(bib)
    assert main(["format", "--write", str(target)]) == 0
    capsys.readouterr()
    once = target.read_text(encoding="utf-8")
    assert content(parse_file(target)) == before
    assert main(["format", "--write", str(target)]) == 0
    assert target.read_text(encoding="utf-8") == once


ALL_FIXTURES = sorted(FORMAT.glob("*.bib")) + sorted(GOOD.glob("*.bib")) + sorted(BAD.glob("*.bib"))


@pytest.mark.parametrize("path", ALL_FIXTURES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_fixture_that_parses_formats_idempotently_and_losslessly(path: Path) -> None:
    bib = parse_file(path)
    if bib.errors:
        with pytest.raises(FormatRefused):
            canonical_text(bib)
        return
    once = canonical_text(bib)
    again = parse_text(once)
    assert not again.errors
    assert content(again) == content(bib)
    assert canonical_text(again) == once


# -- writing through a symbolic link -------------------------------------------


def test_write_goes_through_a_symlink_to_its_target(tmp_path: Path, capsys) -> None:
    real_dir = tmp_path / "real"
    real_dir.mkdir()
    target = copy(MESSY, real_dir, "refs.bib")
    target.chmod(0o604)
    link = tmp_path / "references.bib"
    link.symlink_to(Path("real") / "refs.bib")
    assert main(["format", "--write", str(link)]) == 0
    assert capsys.readouterr() == ("", f"reformatted {link}\n")
    assert link.is_symlink()
    assert link.readlink() == Path("real") / "refs.bib"
    assert target.read_text(encoding="utf-8") == MESSY_EXPECTED.read_text(encoding="utf-8")
    assert stat.S_IMODE(target.stat().st_mode) == 0o604
    assert sorted(p.name for p in real_dir.iterdir()) == ["refs.bib"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["real", "references.bib"]
    assert main(["format", "--check", str(link)]) == 0


def test_write_through_a_chain_of_symlinks(tmp_path: Path, capsys) -> None:
    target = copy(MESSY, tmp_path, "refs.bib")
    (tmp_path / "middle.bib").symlink_to("refs.bib")
    link = tmp_path / "references.bib"
    link.symlink_to("middle.bib")
    assert main(["format", "--write", str(link)]) == 0
    capsys.readouterr()
    assert link.readlink() == Path("middle.bib")
    assert (tmp_path / "middle.bib").readlink() == Path("refs.bib")
    assert target.read_text(encoding="utf-8") == MESSY_EXPECTED.read_text(encoding="utf-8")


# -- crossref: the referenced entry after every entry that refers to it --------


def entry(key: str, *fields: str, kind: str = "misc") -> str:
    body = "".join(f"  {field},\n" for field in fields)
    return f"@{kind}{{{key},\n{body}}}\n"


def keys_of(text: str) -> list[str]:
    return [line.split("{", 1)[1].rstrip(",") for line in text.splitlines() if line[:1] == "@"]


def test_a_crossreferenced_entry_comes_after_the_entries_that_refer_to_it() -> None:
    text = (
        entry("westfahl:frontier", "editor = {Westfahl, Gary}", "title = {Space and Beyond}")
        + entry("aaa", "title = {A}")
        + entry(
            "westfahl:space",
            "author = {Westfahl, Gary}",
            "title = {The True Frontier}",
            "crossref = {westfahl:frontier}",
            kind="incollection",
        )
        + entry("zzz", "title = {Z}")
    )
    out = canonical_text(parse_text(text))
    assert keys_of(out) == ["aaa", "westfahl:space", "westfahl:frontier", "zzz"]
    assert canonical_text(parse_text(out)) == out


def test_crossref_order_matches_keys_case_insensitively_and_chains() -> None:
    text = (
        entry("c2020volume", "title = {C}")
        + entry("b2020part", "title = {B}", "crossref = {C2020VOLUME}")
        + entry("a2020chapter", "title = {A}", "crossref = {B2020Part}")
        + entry("b2020other", "title = {B2}", "crossref = {c2020volume}")
    )
    out = canonical_text(parse_text(text))
    assert keys_of(out) == ["a2020chapter", "b2020other", "b2020part", "c2020volume"]
    text = entry("a2020x", "title = {A}") + entry("z2020y", "crossref = {A2020X}")
    assert keys_of(canonical_text(parse_text(text))) == ["z2020y", "a2020x"]


def test_crossref_cycles_and_missing_keys_fall_back_to_key_order() -> None:
    text = (
        entry("d2020x", "crossref = {c2020x}")
        + entry("c2020x", "crossref = {d2020x}")
        + entry("b2020x", "crossref = {b2020x}")
        + entry("a2020x", "crossref = {nowhere}")
    )
    out = canonical_text(parse_text(text))
    assert keys_of(out) == ["a2020x", "b2020x", "c2020x", "d2020x"]
    assert canonical_text(parse_text(out)) == out


def test_write_puts_crossreferenced_entries_last_and_bib026_agrees(tmp_path: Path, capsys) -> None:
    fixed = (GOOD / "crossref.bib").read_text(encoding="utf-8")
    first, paper, volume = fixed.split("\n\n@")
    target = tmp_path / "references.bib"
    target.write_text(f"{first}\n\n@{volume.rstrip()}\n\n@{paper}\n", encoding="utf-8")
    assert main(["check", "--select", "BIB026", str(target)]) == 1
    assert capsys.readouterr().out == (
        f"{target}:26: BIB026 crossref 'Cortes2015advances' names the entry at line 5,"
        " which comes before this one (BibTeX needs it after every entry that refers to it:"
        " run 'handbook bib format --write')\n"
    )
    assert main(["format", "--write", str(target)]) == 0
    capsys.readouterr()
    assert target.read_text(encoding="utf-8") == fixed
    assert main(["check", str(target)]) == 0


# -- @comment blocks --------------------------------------------------------------


def test_comment_blocks_are_kept_verbatim_and_idempotently() -> None:
    block = (
        "@Comment{jabref-meta: grouping:\n0 AllEntriesGroup:;\n\n   1 StaticGroup:Foo\\;0\\;;\n}"
    )
    text = (
        "@comment{top}\n\n"
        + entry("b2020x", "title = {B}")
        + "@comment(before a)\n"
        + entry("a2020x", "title = {A}")
        + "\n\n"
        + block
        + "\n\n\n@comment{jabref-meta: databaseType:bibtex;}\n"
    )
    out = canonical_text(parse_text(text))
    assert out == (
        "@comment{top}\n\n"
        "@comment(before a)\n"
        + entry("a2020x", "title = {A}")
        + "\n"
        + entry("b2020x", "title = {B}")
        + "\n"
        + block
        + "\n\n@comment{jabref-meta: databaseType:bibtex;}\n"
    )
    assert canonical_text(parse_text(out)) == out


def test_jabref_file_formats_without_change_and_check_is_clean(tmp_path: Path, capsys) -> None:
    target = copy(GOOD / "jabref.bib", tmp_path)
    assert main(["format", "--write", str(target)]) == 0
    assert main(["check", str(target)]) == 0
    assert capsys.readouterr() == ("", "")
    assert target.read_bytes() == (GOOD / "jabref.bib").read_bytes()
