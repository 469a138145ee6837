"""Helpers for the link checker's tests: servers on 127.0.0.1, port 0, nowhere else.

A :class:`ServerThread` runs one event loop in a thread.  On it, :meth:`web`
starts an aiohttp web server whose paths are served by plain functions and
which counts every request it receives; :meth:`raw` starts a bare TCP server
for what aiohttp would not do (accept and never answer, drip a byte a second,
reset the connection).  The checker runs in the test's own thread with its
own loop, exactly as ``handbook linkcheck`` does.

:class:`VirtualClock` is the engine's clock in tests about time: politeness
intervals, ``Retry-After`` pauses, backoff and the overall deadline then take
no real time and are asserted exactly, in engine time (:func:`run_engine`).
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import io
import itertools
import json
import math
import threading
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path
from typing import Any

from aiohttp import web
from aiohttp.abc import AbstractResolver

from handbook.linkcheck.cli import main
from handbook.linkcheck.fetch import Checker, RunReport
from handbook.linkcheck.guard import Guard, prepare_url
from handbook.linkcheck.resolver import StaticResolver
from handbook.linkcheck.settings import Settings, UrlJob

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
RawHandler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]

LOCAL = "127.0.0.1"


class WebServer:
    """An aiohttp server on 127.0.0.1 that counts requests per path."""

    def __init__(self, routes: dict[str, Handler]) -> None:
        self.routes = dict(routes)
        self.hits: Counter[str] = Counter()
        self.methods: list[tuple[str, str]] = []
        self.port = 0
        self._runner: web.AppRunner | None = None

    @property
    def total(self) -> int:
        return sum(self.hits.values())

    @property
    def netloc(self) -> str:
        return f"{LOCAL}:{self.port}"

    def url(self, path: str = "/") -> str:
        return f"http://{LOCAL}:{self.port}{path}"

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        self.hits[request.path] += 1
        self.methods.append((request.method, request.path))
        handler = self.routes.get(request.path)
        if handler is None:
            return web.Response(status=404, text="not found")
        return await handler(request)

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._dispatch)
        self._runner = web.AppRunner(
            app, shutdown_timeout=0.2, handler_cancellation=True, access_log=None
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, LOCAL, 0)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()


class RawServer:
    """A bare TCP server on 127.0.0.1; tracks its connections to close them all."""

    def __init__(self, handler: RawHandler) -> None:
        self.handler = handler
        self.connections = 0
        self.port = 0
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    def url(self, path: str = "/") -> str:
        return f"http://{LOCAL}:{self.port}{path}"

    @property
    def netloc(self) -> str:
        return f"{LOCAL}:{self.port}"

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self._writers.add(writer)
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)  # type: ignore[arg-type]
        try:
            await self.handler(reader, writer)
        except (ConnectionError, asyncio.CancelledError, OSError):
            pass
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, LOCAL, 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
        for task in list(self._tasks):
            task.cancel()
        for writer in list(self._writers):
            writer.close()
        await asyncio.sleep(0.05)
        if self._server is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 1)


class ServerThread:
    """One event loop in a daemon thread, hosting every server of a test."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._thread.start()
        self._servers: list[WebServer | RawServer] = []

    def _call(self, coro: Awaitable[Any]) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(10)  # type: ignore[arg-type]

    def web(self, routes: dict[str, Handler] | None = None) -> WebServer:
        server = WebServer(routes or {})
        self._call(server.start())
        self._servers.append(server)
        return server

    def raw(self, handler: RawHandler) -> RawServer:
        server = RawServer(handler)
        self._call(server.start())
        self._servers.append(server)
        return server

    def close(self) -> None:
        for server in reversed(self._servers):
            self._call(server.stop())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(5)
        self.loop.close()


# -- handlers ---------------------------------------------------------------


def status(code: int, headers: dict[str, str] | None = None, body: str = "") -> Handler:
    async def handler(request: web.Request) -> web.StreamResponse:
        return web.Response(status=code, headers=headers or {}, text=body)

    return handler


def redirect(code: int, location: str) -> Handler:
    return status(code, {"Location": location})


def page(body: str, content_type: str = "text/html") -> Handler:
    async def handler(request: web.Request) -> web.StreamResponse:
        return web.Response(text=body, content_type=content_type)

    return handler


# -- running the checker -----------------------------------------------------


class Run:
    """The outcome of one ``handbook linkcheck`` run in-process."""

    def __init__(self, code: int, stdout: str, stderr: str) -> None:
        self.code = code
        self.stdout = stdout
        self.stderr = stderr

    @property
    def lines(self) -> list[str]:
        return self.stdout.splitlines()

    def __repr__(self) -> str:
        return f"Run(code={self.code}, stdout={self.stdout!r}, stderr={self.stderr!r})"


#: Small timeouts and no politeness delay: the suite stays fast.
FAST = [
    "--timeout",
    "1",
    "--retries",
    "1",
    "--backoff",
    "0.01",
    "--host-interval",
    "0",
    "--deadline",
    "20",
    "--no-progress",
    "--quiet",
]


def run_linkcheck(
    args: list[str],
    *,
    tmp_path: Path,
    resolver: Any = None,
    cache: bool = False,
    clock: Callable[[], float] | None = None,
    fast: bool = True,
) -> Run:
    """Run ``handbook linkcheck ARGS`` with a resolver that never leaves the table."""
    out, err = io.StringIO(), io.StringIO()
    argv = (FAST if fast else []) + list(args)  # the test's own options win
    argv += ["--cache", str(tmp_path / "cache.sqlite3")] if cache else ["--no-cache"]
    argv += ["--root", str(tmp_path)]
    kwargs: dict[str, Any] = {}
    if clock is not None:
        kwargs["clock"] = clock
    code = main(
        argv,
        resolver=resolver if resolver is not None else StaticResolver(),
        stdout=out,
        stderr=err,
        **kwargs,
    )
    return Run(code, out.getvalue(), err.getvalue())


def write_urls(tmp_path: Path, *urls: str, name: str = "urls.txt") -> Path:
    path = tmp_path / name
    path.write_text("".join(f"{url}\n" for url in urls), encoding="utf-8")
    return path


def records(run_stdout: str) -> dict[str, dict[str, Any]]:
    """The records of a ``--format json`` report, by URL."""
    doc = json.loads(run_stdout)
    return {record["url"]: record for record in doc["records"]}


def check(
    tmp_path: Path,
    urls: list[str],
    *allow: str,
    resolver: Any = None,
    extra: Iterable[str] = (),
) -> tuple[int, dict[str, dict[str, Any]], str]:
    """``handbook linkcheck`` on a URL list: exit status, records by URL, stderr."""
    path = write_urls(tmp_path, *urls)
    args = [str(path), "--format", "json", *extra]
    for netloc in allow:
        args += ["--allow", netloc]
    run = run_linkcheck(args, tmp_path=tmp_path, resolver=resolver)
    return run.code, records(run.stdout), run.stderr


def verdicts(found: dict[str, dict[str, Any]]) -> dict[str, tuple[str, str | None]]:
    return {url: (rec["verdict"], rec["code"]) for url, rec in found.items()}


# -- engine time -----------------------------------------------------------------


class VirtualClock:
    """A :class:`~handbook.linkcheck.fetch.Clock` whose time moves only when the engine waits.

    ``sleep(s)`` takes no real time.  Whenever the event loop has nothing
    else ready to run, the earliest sleeper is woken and the clock jumps to
    its wake-up time: a discrete-event simulation of the engine's waits.
    Requests in flight (waiting for a socket) take no engine time at all, so
    every time the engine computes (a start ``interval`` apart, a
    ``Retry-After`` pause, the deadline) is exact and the same on every
    machine.  ("Nothing else ready" is read from the loop's ready queue,
    ``_ready``, an implementation detail of asyncio's own event loops.)

    Time never passes ``stop_at`` on its own: a sleeper due then or later (the
    run's deadline) waits for :meth:`release`, which a test calls when it has
    seen what must happen before the deadline.  ``waits`` records every
    completed sleep as ``(began, seconds)``.
    """

    def __init__(self, *, stop_at: float = math.inf) -> None:
        self.stop_at = stop_at
        self.waits: list[tuple[float, float]] = []
        self._now = 0.0
        self._sleepers: list[tuple[float, int, float, asyncio.Future[None]]] = []
        self._order = itertools.count()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._pump_scheduled = False

    def now(self) -> float:
        return self._now

    async def sleep(self, seconds: float) -> None:
        loop = asyncio.get_running_loop()
        self._loop = loop
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        waiter: asyncio.Future[None] = loop.create_future()
        heapq.heappush(self._sleepers, (self._now + seconds, next(self._order), self._now, waiter))
        self._schedule()
        await waiter

    def release(self, until: float = math.inf) -> None:
        """Let time run on, up to ``until``."""
        self.stop_at = until
        self._schedule()

    def release_threadsafe(self, until: float = math.inf) -> None:
        """:meth:`release`, from another thread (a server's, a look-up's)."""
        self.stop_at = until  # first: whichever pump runs next sees it
        loop = self._loop
        if loop is not None:
            with contextlib.suppress(RuntimeError):  # the loop is gone: nothing waits
                loop.call_soon_threadsafe(self._schedule)

    def _schedule(self) -> None:
        if self._loop is not None and not self._pump_scheduled:
            self._pump_scheduled = True
            self._loop.call_soon(self._pump)

    def _pump(self) -> None:
        self._pump_scheduled = False
        while self._sleepers and self._sleepers[0][3].done():  # cancelled sleeps
            heapq.heappop(self._sleepers)
        if not self._sleepers or self._sleepers[0][0] >= self.stop_at:
            return
        if getattr(self._loop, "_ready", None):  # something else can run first
            self._schedule()
            return
        due, _, began, waiter = heapq.heappop(self._sleepers)
        self._now = max(self._now, due)
        self.waits.append((began, due - began))
        waiter.set_result(None)
        self._schedule()


#: Engine settings for tests on engine time: no real timer fires while a local
#: server answers (the per-request timeout is real time), no politeness delay.
ENGINE = Settings(timeout=30.0, retries=1, backoff=0.01, host_interval=0.0, deadline=100.0)


def run_engine(
    urls: list[str],
    *,
    allow: Iterable[str] = (),
    settings: Settings = ENGINE,
    clock: VirtualClock | None = None,
    resolver: AbstractResolver | None = None,
    system_resolver: bool = False,
    wall_clock: Callable[[], float] | None = None,
    progress: Callable[[int], None] | None = None,
) -> RunReport:
    """Run the engine itself on ``urls``; results are keyed by the URLs as given.

    The clock defaults to a :class:`VirtualClock` that holds at the deadline.
    The resolver defaults to an empty :class:`StaticResolver`;
    ``system_resolver=True`` uses the engine's own default (the system's).
    """
    jobs = [UrlJob(url, prepare_url(url)) for url in urls]
    engine_clock = clock if clock is not None else VirtualClock(stop_at=settings.deadline)
    checker = Checker(
        settings,
        Guard(list(allow)),
        resolver=None if system_resolver else (resolver or StaticResolver()),
        clock=engine_clock,
        progress=progress,
        wall_clock=wall_clock if wall_clock is not None else time.time,
    )
    return asyncio.run(checker.run(jobs))
