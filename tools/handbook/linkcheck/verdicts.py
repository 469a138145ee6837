"""Verdicts, finding codes and the result of checking one link.

Every link, DOI and ISBN gets exactly one verdict.  Each verdict other than
``ok`` and ``ignored`` prints as ``path:line: CODE message`` lines, one per
place the link occurs.  By default only ``broken`` and ``unsafe`` make the
exit status 1 (``--fail-on`` changes that); so does any ``LINKINPUT`` finding
(below), whatever ``--fail-on`` says.  A link the checker could not judge
because of its own bug is ``broken`` (``LINKERROR``): an internal error never
lets a run pass.

============  =====================  ==================================================
verdict       code                   meaning
============  =====================  ==================================================
ok            (none)                 2xx (or a status accepted by the settings); DOI
                                     registered; ISBN checksum valid; target exists
redirected    LINK301, LINK308       permanent redirect: the new URL is suggested
redirected    LINK302/303/307        temporary redirect, reported with where it ends
broken        LINK404, LINK410       Not Found, Gone (also after redirects)
broken        LINKDNS                the host name does not exist (NXDOMAIN)
broken        LINKANCHOR             no element of the page has the #fragment as its
                                     ``id`` (nor an ``<a>`` as its ``name``)
broken        LINKURL                malformed URL (no host, bad port, bad IPv4, a
                                     punycode host that does not decode ...; also an
                                     unusable ``--doi-api`` URL)
broken        LINKERROR              a bug in the checker (an unexpected exception):
                                     fails the run, with the exception in the message,
                                     never a traceback; never cached
broken        DOI404                 DOI not registered (handle API responseCode 100 or
                                     HTTP 404)
broken        DOISYNTAX              malformed DOI (not ``10.<registrant>/<suffix>``)
broken        ISBNSUM                ISBN check digit wrong
broken        ISBNSYNTAX             not an ISBN (length, characters, prefix)
broken        LINKTARGET             an internal reference ({doc}, {ref}, {term}, {cite},
                                     a relative link) has no target
blocked       LINK401, LINK403,      the site refuses robots; reported, never failing
              LINK451, LINK999
blocked       LINKBOT                a known bot wall (Cloudflare challenge, AWS WAF,
                                     DataDome, Akamai) whatever the status
rate_limited  LINK429                still 429 after the allowed retries, or asked to
                                     wait longer than the cap or the deadline allows
timeout       LINKTIMEOUT            no complete answer within the per-request timeout
error         LINK<status>           any other status (5xx after retries, 400, 405 ...)
error         LINKCONN               connection refused or reset, bad HTTP
error         LINKTLS                TLS/certificate failure
error         LINKLOOKUP             the DNS look-up failed (not NXDOMAIN)
error         LINKLOOP               redirect loop or too many redirects
error         LINKREDIRECT           redirect to a malformed URL
error         LINKCAP                #fragment not seen within the byte cap
error         DOIERROR               unexpected answer from the DOI handle API
ignored       LINKIGNORED            matched an ignore rule of pyproject.toml (the message
                                     gives its reason) or ``--ignore``; not printed
unsafe        LINKUNSAFE             refused by the address guard (private address,
                                     ``localhost``, ``*.local``, ``*.home.arpa``,
                                     ``*.internal``, non-http(s) scheme, also on a
                                     redirect hop)
unchecked     LINKUNCHECKED          the overall deadline ran out, or no network
============  =====================  ==================================================

``blocked``, ``rate_limited``, ``timeout``, ``error`` and ``unchecked`` are the
"could not verify" verdicts: the reports list them apart from broken links
(:data:`handbook.linkcheck.report.COULD_NOT_VERIFY`).

With no network (or ``--offline``) the unchecked links are not listed one by
one: the run says ``no network: ...`` once, on stderr.

Input that cannot be read as links (a ``.bib`` syntax error, an unreadable
doctree or build environment) is reported as ``LINKINPUT`` and skipped.  It is
a finding, not a verdict: part of the input went unchecked, so the run is not
clean and exits 1, whatever ``--fail-on`` says (the project's rule: 0 clean,
1 findings, 2 unusable input).  Input that cannot be used at all (a missing
file, not UTF-8) is ``INPUT`` and exits 2.  ``handbook bib check`` says what
is wrong with the bibliography's syntax.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace
from http import HTTPStatus


class Verdict(enum.StrEnum):
    OK = "ok"
    REDIRECTED = "redirected"
    BROKEN = "broken"
    BLOCKED = "blocked"
    RATE_LIMITED = "rate_limited"
    TIMEOUT = "timeout"
    ERROR = "error"
    IGNORED = "ignored"
    UNSAFE = "unsafe"
    UNCHECKED = "unchecked"


#: Exit status 1 for these unless ``--fail-on`` says otherwise.
DEFAULT_FAIL_ON: frozenset[Verdict] = frozenset({Verdict.BROKEN, Verdict.UNSAFE})
#: Kept in the cache for the success TTL.
CACHE_SUCCESS: frozenset[Verdict] = frozenset({Verdict.OK, Verdict.REDIRECTED})
#: Kept in the cache for the failure TTL.  Transient verdicts (timeout, error,
#: rate_limited, unchecked) are never cached: the next run asks again.
CACHE_FAILURE: frozenset[Verdict] = frozenset({Verdict.BROKEN, Verdict.BLOCKED})
#: Not printed as problem lines.
QUIET: frozenset[Verdict] = frozenset({Verdict.OK, Verdict.IGNORED})
#: Never cached, whatever the verdict: a bug in the checker says nothing about
#: the link, and the next run must ask again.
NEVER_CACHED: frozenset[str] = frozenset({"LINKERROR"})

PERMANENT_REDIRECTS = frozenset({301, 308})
REDIRECTS = frozenset({301, 302, 303, 307, 308})
BLOCKED_STATUSES = frozenset({401, 403, 451, 999})
BROKEN_STATUSES = frozenset({404, 410})


def reason_phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Request denied" if status == 999 else "non-standard status"


@dataclass(frozen=True)
class Hop:
    """One redirect: the status that sent us on, and where to."""

    status: int
    url: str


@dataclass(frozen=True)
class Result:
    """The outcome of checking one link, DOI or ISBN."""

    verdict: Verdict
    code: str | None = None
    message: str = ""
    status: int | None = None
    final_url: str | None = None
    redirects: tuple[Hop, ...] = ()
    suggestion: str | None = None
    cached: bool = False
    checked_at: float | None = None
    #: Set on results that only say the network failed (look-up, connect,
    #: time-out); a run that finds no network at all turns them into unchecked.
    network_failure: bool = field(default=False, compare=False)

    def but(self, **changes: object) -> Result:
        return replace(self, **changes)  # type: ignore[arg-type]


def ok(message: str = "", **extra: object) -> Result:
    return Result(Verdict.OK, None, message, **extra)  # type: ignore[arg-type]


def broken(code: str, message: str, **extra: object) -> Result:
    return Result(Verdict.BROKEN, code, message, **extra)  # type: ignore[arg-type]


def unsafe(message: str, **extra: object) -> Result:
    return Result(Verdict.UNSAFE, "LINKUNSAFE", message, **extra)  # type: ignore[arg-type]


def error(code: str, message: str, **extra: object) -> Result:
    return Result(Verdict.ERROR, code, message, **extra)  # type: ignore[arg-type]


def internal_error(message: str, **extra: object) -> Result:
    """A bug in the checker: ``broken``/``LINKERROR``, so that it fails the run."""
    return Result(Verdict.BROKEN, "LINKERROR", message, **extra)  # type: ignore[arg-type]


def cacheable(result: Result) -> bool:
    """Whether ``result`` may be stored in the cache at all (see :data:`NEVER_CACHED`)."""
    return result.code not in NEVER_CACHED


def unchecked(message: str) -> Result:
    return Result(Verdict.UNCHECKED, "LINKUNCHECKED", message)


def ignored(message: str = "matched --ignore") -> Result:
    return Result(Verdict.IGNORED, "LINKIGNORED", message)


def from_status(status: int, *, bot_wall: str | None = None) -> Result:
    """The verdict for a final (non-redirect) HTTP status."""
    phrase = f"{status} {reason_phrase(status)}"
    if bot_wall:
        return Result(Verdict.BLOCKED, "LINKBOT", f"{phrase}: {bot_wall}", status=status)
    if 200 <= status < 300:
        return Result(Verdict.OK, None, phrase, status=status)
    if status in BROKEN_STATUSES:
        return Result(Verdict.BROKEN, f"LINK{status}", phrase, status=status)
    if status in BLOCKED_STATUSES:
        return Result(
            Verdict.BLOCKED, f"LINK{status}", f"{phrase} (the site refuses robots)", status=status
        )
    if status == 429:
        return Result(Verdict.RATE_LIMITED, "LINK429", phrase, status=status)
    if status in REDIRECTS:
        return Result(Verdict.ERROR, f"LINK{status}", f"{phrase} without a Location", status=status)
    return Result(Verdict.ERROR, f"LINK{status}", phrase, status=status)


def parse_verdicts(text: str) -> frozenset[Verdict]:
    """``broken,unsafe`` -> verdicts; ``none`` or empty -> no verdict fails."""
    names = [part.strip().lower() for part in text.split(",") if part.strip()]
    if names in ([], ["none"]):
        return frozenset()
    try:
        return frozenset(Verdict(name) for name in names)
    except ValueError:
        known = ", ".join(v.value for v in Verdict)
        raise ValueError(f"unknown verdict in {text!r}; known: {known}") from None
