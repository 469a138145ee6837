"""The resolver layer of the address guard (see :mod:`handbook.linkcheck.guard`).

:class:`GuardedResolver` wraps the injected resolver for aiohttp's
``TCPConnector(resolver=...)``.  :class:`SystemResolver` is the default
resolver (the system's ``getaddrinfo``); :class:`StaticResolver` and
:class:`FailingResolver` are resolvers from a table, for tests and for runs
that must not send a packet.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import socket
import threading
from collections.abc import Mapping, Sequence
from typing import Any

from aiohttp.abc import AbstractResolver, ResolveResult

from handbook.linkcheck.guard import Guard

#: getaddrinfo errors that mean "this name does not exist" (a definitive answer),
#: as opposed to "the look-up failed" (EAI_AGAIN, EAI_FAIL: no network, a flaky
#: resolver).
NAME_NOT_FOUND_ERRNOS = frozenset(
    code
    for code in (getattr(socket, "EAI_NONAME", None), getattr(socket, "EAI_NODATA", None))
    if code is not None
)


class UnsafeAddressError(OSError):
    """Raised by :class:`GuardedResolver` when every address of a name is refused."""


class GuardedResolver(AbstractResolver):
    """Resolve once through ``inner``, keep only the addresses the guard allows.

    aiohttp's ``TCPConnector(resolver=...)`` connects to exactly the addresses
    this returns, so the address that was checked is the address that is
    connected to.  (aiohttp skips the resolver for hosts that are IP
    literals; :meth:`Guard.url_refusal` judges those before the request.)

    Names whose meaning a standard fixes (``localhost``, ``*.local`` ...,
    :meth:`Guard.name_refusal`) are refused without a look-up.

    Look-up outcomes are counted for the "no network" diagnosis, and a
    failed look-up is remembered for the rest of the run so that a dead name
    is not asked about again for each of its links.  Only a name that
    resolved to an address the guard allows (:attr:`usable_hosts`) shows
    that there is a network: with none, the machine's own ``/etc/hosts``
    still answers for ``localhost`` and its own name, with loopback.
    """

    def __init__(self, inner: AbstractResolver, guard: Guard, *, owns_inner: bool = False) -> None:
        self.inner = inner
        self.guard = guard
        self.owns_inner = owns_inner
        #: names the inner resolver answered for, whatever the addresses ...
        self.resolved_hosts: set[str] = set()
        #: ... and those with at least one address the guard allows.
        self.usable_hosts: set[str] = set()
        self.not_found_hosts: set[str] = set()
        self.failed_hosts: dict[str, str] = {}
        self._failures: dict[tuple[str, int], OSError] = {}

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        why = self.guard.name_refusal(host, port)
        if why is not None:
            raise UnsafeAddressError(why)
        key = (host, int(family))
        if key in self._failures:
            raise self._failures[key]
        try:
            results = await self.inner.resolve(host, port, family)
        except OSError as exc:
            if isinstance(exc, socket.gaierror) and exc.errno in NAME_NOT_FOUND_ERRNOS:
                self.not_found_hosts.add(host)
            else:
                self.failed_hosts[host] = str(exc) or type(exc).__name__
            self._failures[key] = exc
            raise
        self.resolved_hosts.add(host)
        kept: list[ResolveResult] = []
        refused: list[str] = []
        for result in results:
            why = self.guard.refusal(result["host"], port, host)
            if why is None:
                kept.append(result)
            else:
                refused.append(why)
        if not kept:
            detail = "; ".join(dict.fromkeys(refused)) or "no addresses"
            raise UnsafeAddressError(f"{host} resolves only to refused addresses: {detail}")
        self.usable_hosts.add(host)
        return kept

    async def close(self) -> None:
        if self.owns_inner:
            await self.inner.close()


def not_found_error(host: str) -> socket.gaierror:
    """The error getaddrinfo raises for a name that does not exist (NXDOMAIN)."""
    return socket.gaierror(socket.EAI_NONAME, f"Name or service not known: {host}")


def lookup_failed_error(host: str) -> socket.gaierror:
    """The error getaddrinfo raises when the look-up itself fails (no network)."""
    return socket.gaierror(socket.EAI_AGAIN, f"Temporary failure in name resolution: {host}")


class StaticResolver(AbstractResolver):
    """A resolver from a table, for tests and offline runs: no traffic at all.

    ``table`` maps a host name to its addresses, or to an exception to raise.
    Names not in the table raise ``default`` (NXDOMAIN unless given), which
    may also be a callable taking the host name.
    """

    def __init__(
        self,
        table: Mapping[str, Sequence[str] | BaseException] | None = None,
        default: BaseException | None = None,
    ) -> None:
        self.table = dict(table or {})
        self.default = default
        self.calls: list[str] = []

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        self.calls.append(host)
        entry = self.table.get(host.rstrip(".").lower())
        if entry is None:
            raise self.default if self.default is not None else not_found_error(host)
        if isinstance(entry, BaseException):
            raise entry
        results: list[ResolveResult] = []
        for address in entry:
            ip = ipaddress.ip_address(address)
            fam = socket.AF_INET6 if ip.version == 6 else socket.AF_INET
            if family not in (socket.AF_UNSPEC, fam):
                continue
            results.append(
                ResolveResult(
                    hostname=host,
                    host=str(ip),
                    port=port,
                    family=fam,
                    proto=0,
                    flags=socket.AI_NUMERICHOST | socket.AI_NUMERICSERV,
                )
            )
        if not results:
            raise socket.gaierror(getattr(socket, "EAI_NODATA", socket.EAI_NONAME), host)
        return results

    async def close(self) -> None:
        return None


class FailingResolver(StaticResolver):
    """Every look-up fails as it does with no network (EAI_AGAIN).

    Use it to run the checker over real links without sending a packet:
    every link is reported ``unchecked`` and the run says "no network".
    """

    def __init__(self) -> None:
        super().__init__({}, default=lookup_failed_error("*"))


class SystemResolver(AbstractResolver):
    """The system's ``getaddrinfo``, each look-up in its own daemon thread.

    aiohttp's ``ThreadedResolver`` uses the event loop's default executor,
    whose threads ``asyncio.run`` (and the interpreter, at exit) wait for: a
    look-up stuck on a dead name server would keep the run alive past its
    deadline.  A daemon thread is simply abandoned.
    """

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[list[Any]] = loop.create_future()

        def deliver(infos: list[Any] | None, error: BaseException | None) -> None:
            if future.done():
                return
            if error is not None:
                future.set_exception(error)
            else:
                future.set_result(infos or [])

        def work() -> None:
            try:
                infos = socket.getaddrinfo(
                    host, port, family, socket.SOCK_STREAM, 0, socket.AI_ADDRCONFIG
                )
            except BaseException as exc:  # handed over to the loop, raised there
                outcome: tuple[list[Any] | None, BaseException | None] = (None, exc)
            else:
                outcome = (list(infos), None)
            # RuntimeError: the loop is closed, nobody is waiting any more.
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(deliver, *outcome)

        threading.Thread(target=work, name=f"resolve {host}", daemon=True).start()
        infos = await future
        results: list[ResolveResult] = []
        for fam, _, proto, _, address in infos:
            if fam not in (socket.AF_INET, socket.AF_INET6):
                continue
            addr = address  # (host, port) or (host, port, flowinfo, scope_id)
            results.append(
                ResolveResult(
                    hostname=host,
                    host=str(addr[0]),
                    port=int(addr[1]),
                    family=int(fam),
                    proto=int(proto),
                    flags=socket.AI_NUMERICHOST | socket.AI_NUMERICSERV,
                )
            )
        return results

    async def close(self) -> None:
        return None
