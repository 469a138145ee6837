"""handbook.sphinxext.assets.compress: reproducible .gz siblings of text files."""

from __future__ import annotations

import gzip
import os
from pathlib import Path

from handbook.sphinxext.assets.compress import COMPRESS_MIN_BYTES, precompress

BIG = "x" * COMPRESS_MIN_BYTES


def test_gzip_siblings(tmp_path: Path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "index.html").write_text(BIG)
    (tmp_path / "sub" / "style.css").write_text(BIG + "y")
    (tmp_path / "small.js").write_text("x")
    (tmp_path / "image.png").write_bytes(BIG.encode())
    assert precompress(tmp_path) == 2
    for name in ("index.html", "sub/style.css"):
        archive = (tmp_path / f"{name}.gz").read_bytes()
        assert gzip.decompress(archive) == (tmp_path / name).read_bytes()
        assert archive[4:8] == b"\0\0\0\0"  # no time: the same file gives the same bytes
    assert not (tmp_path / "small.js.gz").exists()
    assert not (tmp_path / "image.png.gz").exists()


def test_only_what_changed_is_compressed_again_and_orphans_go(tmp_path: Path):
    (tmp_path / "a.html").write_text(BIG)
    (tmp_path / "b.html").write_text(BIG)
    assert precompress(tmp_path) == 2
    assert precompress(tmp_path) == 0
    (tmp_path / "a.html").write_text(BIG + "changed")
    archive = tmp_path / "a.html.gz"
    os.utime(archive, ns=(0, 0))  # older than its file, as after an edit
    (tmp_path / "b.html").unlink()
    assert precompress(tmp_path) == 1
    assert gzip.decompress(archive.read_bytes()) == (BIG + "changed").encode()
    assert not (tmp_path / "b.html.gz").exists()
