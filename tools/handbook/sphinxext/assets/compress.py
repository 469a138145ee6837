"""Pre-compressed files: a reproducible ``.gz`` sibling of every text file worth it.

For hosts that serve them as they are (nginx ``gzip_static``, Caddy
``precompressed``); GitHub Pages compresses by itself.
"""

from __future__ import annotations

import gzip
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

#: Text files worth pre-compressing, and the size below which gzip cannot help.
COMPRESSIBLE = frozenset({".html", ".css", ".js", ".svg", ".xml", ".txt", ".json"})
COMPRESS_MIN_BYTES = 1024


def precompress(outdir: Path, *, level: int = 9) -> int:
    """Write ``X.gz`` next to every compressible file ``X`` of the output; return how many.

    A ``.gz`` newer than its file is kept; one whose file is gone is removed.
    The archives carry no name and no time, so the same file gives the same bytes.
    """
    todo: list[tuple[Path, Path]] = []
    for path in outdir.rglob("*"):
        if path.suffix == ".gz":
            source = path.with_suffix("")
            if not source.is_file() or source.stat().st_size < COMPRESS_MIN_BYTES:
                path.unlink()
            continue
        if path.suffix not in COMPRESSIBLE or not path.is_file():
            continue
        if path.stat().st_size < COMPRESS_MIN_BYTES:
            continue
        archive = path.with_name(path.name + ".gz")
        if archive.is_file() and archive.stat().st_mtime_ns >= path.stat().st_mtime_ns:
            continue
        todo.append((path, archive))

    def compress(job: tuple[Path, Path]) -> None:
        source, archive = job
        data = gzip.compress(source.read_bytes(), compresslevel=level, mtime=0)
        temporary = archive.with_name(archive.name + ".tmp")
        temporary.write_bytes(data)
        temporary.replace(archive)

    with ThreadPoolExecutor(max_workers=min(8, os.cpu_count() or 1)) as pool:
        list(pool.map(compress, todo))
    return len(todo)
