"""Memoise pybtex's plugin look-up for the length of a build.

Why the patch exists
    pybtex finds its plugins (styles, backends) with ``pybtex.plugin.find_plugin``,
    which asks ``importlib.metadata.entry_points`` on every call; that reads the
    metadata of every installed distribution.  sphinxcontrib-bibtex calls it for
    every citation it resolves (the ``plaintext`` backend) and pybtex for every
    ``render_as``, also when the bibliography is formatted at the start of every
    build.  Profiled on the 200-page benchmark book (cProfile, ``benchmarks/build.py``):
    1,283 calls cost 8.4 s of a 74.8 s build.  Without the profiler, two runs
    each with the memo off, then on: clean build 11.6/10.5 s -> 7.9/7.9 s,
    no-op rebuild 2.9/3.0 s -> 1.7/2.1 s.

What it does
    From ``config-inited`` to ``build-finished`` the module attribute
    ``pybtex.plugin.entry_points`` is replaced by :class:`PluginLookupMemo`,
    which answers a repeated query from a cache.  Installed distributions do not
    change during a build; plugins registered at run time
    (``pybtex.plugin.register_plugin``, as ``handbook.sphinxext._bibstyle``
    does) are still looked up first by pybtex, before any entry point, so they
    are found exactly as without the memo.  The output does not change.

When it can go
    When pybtex caches its own entry-point look-ups (pybtex 0.26 does not), or
    when sphinxcontrib-bibtex stops looking a backend up per citation: remove
    this module and the ``setup_extension`` call in ``readinglist``, then check
    with ``benchmarks/build.py --profile 200`` that ``entry_points`` no longer
    shows among the costliest calls.

Loaded by ``handbook.sphinxext.readinglist``, the extension that brings
sphinxcontrib-bibtex and pybtex into the build.  Configuration: ``pybtexmemo``
(default ``True``) turns the memo off when false.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import handbook

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.config import Config
    from sphinx.util.typing import ExtensionMetadata


class PluginLookupMemo:
    """``importlib.metadata.entry_points`` memoised, as pybtex's plugin module calls it."""

    def __init__(self, lookup: Callable[..., Any]) -> None:
        self.lookup = lookup
        self.cache: dict[tuple[tuple[str, Any], ...], Any] = {}

    def __call__(self, *args: Any, **params: Any) -> Any:
        if args:
            return self.lookup(*args, **params)
        key = tuple(sorted(params.items()))
        try:
            return self.cache[key]
        except KeyError:
            found = self.cache[key] = self.lookup(**params)
            return found
        except TypeError:  # an unhashable parameter: not worth caching
            return self.lookup(**params)


def install() -> None:
    """Memoise pybtex's entry-point queries until :func:`remove`."""
    import pybtex.plugin

    if not isinstance(pybtex.plugin.entry_points, PluginLookupMemo):
        pybtex.plugin.entry_points = PluginLookupMemo(pybtex.plugin.entry_points)  # type: ignore[assignment]


def remove() -> None:
    """Put pybtex's own entry-point look-up back."""
    import pybtex.plugin

    memo = pybtex.plugin.entry_points
    if isinstance(memo, PluginLookupMemo):
        pybtex.plugin.entry_points = memo.lookup  # type: ignore[assignment]


def on_config_inited(app: Sphinx, config: Config) -> None:
    if config.pybtexmemo:
        install()


def on_build_finished(app: Sphinx, exception: Exception | None) -> None:
    remove()


def setup(app: Sphinx) -> ExtensionMetadata:
    app.add_config_value("pybtexmemo", True, "", types=frozenset({bool}))
    app.connect("config-inited", on_config_inited)
    app.connect("build-finished", on_build_finished)
    return {
        "version": handbook.__version__,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
