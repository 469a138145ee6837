"""Helpers for the link checker's tests: servers on 127.0.0.1, port 0, nowhere else.

A :class:`ServerThread` runs one event loop in a thread.  On it, :meth:`web`
starts an aiohttp web server whose paths are served by plain functions and
which counts every request it receives; :meth:`raw` starts a bare TCP server
for what aiohttp would not do (accept and never answer, drip a byte a second,
reset the connection).  The checker runs in the test's own thread with its
own loop, exactly as ``handbook linkcheck`` does.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import threading
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from aiohttp import web

from handbook.linkcheck.cli import main
from handbook.linkcheck.resolver import StaticResolver

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
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

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
