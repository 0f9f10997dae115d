"""The one module that talks to the network (httpx): timeouts, retries, HTTPS policy, credentials.

Every request has a timeout. Connection errors, timeouts, broken bodies, 429 (honouring Retry-After) and
5xx are retried with exponential backoff and full jitter, bounded in count (`retries`) and in time
(`budget`). Every hop, redirects included, must be HTTPS unless it is loopback or `--allow-insecure-http`
was given.
Credentials come from `K8SPROV_REPO_<HOST>_{USERNAME,PASSWORD,TOKEN}` for the host being asked, and are
never part of a message (httpx drops Authorization on redirects to another host).
"""

from __future__ import annotations

import base64
import email.utils
import hashlib
import os
import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    import ssl

    import httpx

from k8sprov import __version__
from k8sprov.charts.sources import check_secure, credential_prefix, credentials_for, host_of, redact

Progress = Callable[[int, int | None], None]


def _env_float(name: str, default: float) -> float:
    try:
        return float(os.environ[name])
    except (KeyError, ValueError):
        return default


@dataclass(frozen=True)
class HttpSettings:
    timeout: float = 30.0  # seconds without a byte (read), and for write/pool
    connect_timeout: float = 10.0
    retries: int = 4  # attempts after the first one
    connect_retries: int = 2  # refused / no DNS / connect timeout rarely heal within seconds: fail sooner
    backoff: float = 0.5  # first backoff; doubles each retry, full jitter
    max_backoff: float = 10.0
    budget: float = 120.0  # a request never retries past this many seconds after it started
    max_retry_after: float = 60.0  # a longer Retry-After fails at once instead of waiting
    allow_insecure_http: bool = False
    max_archive_bytes: int = 50 * 1024 * 1024
    max_index_bytes: int = 64 * 1024 * 1024

    @classmethod
    def from_env(cls, *, timeout: float | None = None, allow_insecure_http: bool = False) -> HttpSettings:
        """Defaults are realistic; K8SPROV_HTTP_* variables tune them (the test suite makes them small)."""
        d = cls()
        t = timeout if timeout is not None else _env_float("K8SPROV_HTTP_TIMEOUT", d.timeout)
        return cls(
            timeout=t,
            connect_timeout=min(t, _env_float("K8SPROV_HTTP_CONNECT_TIMEOUT", d.connect_timeout)),
            retries=int(_env_float("K8SPROV_HTTP_RETRIES", d.retries)),
            connect_retries=int(_env_float("K8SPROV_HTTP_CONNECT_RETRIES", d.connect_retries)),
            backoff=_env_float("K8SPROV_HTTP_BACKOFF", d.backoff),
            max_backoff=_env_float("K8SPROV_HTTP_MAX_BACKOFF", d.max_backoff),
            budget=_env_float("K8SPROV_HTTP_BUDGET", d.budget),
            max_retry_after=_env_float("K8SPROV_HTTP_MAX_RETRY_AFTER", d.max_retry_after),
            allow_insecure_http=allow_insecure_http,
            max_archive_bytes=int(_env_float("K8SPROV_CHART_MAX_BYTES", d.max_archive_bytes)),
        )


class FetchError(Exception):
    """A request failed for good. `message` is one line naming the host, without credentials."""

    def __init__(self, message: str, *, host: str, unreachable: bool = False, attempts: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.host = host
        self.unreachable = unreachable
        self.attempts = attempts


class Cancelled(Exception):
    """The run was interrupted (Ctrl-C): stop streaming at the next chunk."""


class _Retry(Exception):
    def __init__(self, reason: str, retry_after: float | None = None, unreachable: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after
        self.unreachable = unreachable


@dataclass
class Response:
    status: int
    headers: Mapping[str, str]
    body: bytes
    url: str


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """Retry-After as delta-seconds or an HTTP date; None if absent or unparseable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def backoff_delay(attempt: int, base: float, cap: float, rng: random.Random | None = None) -> float:
    """Full jitter: uniform in [0, min(cap, base * 2**attempt)]."""
    return (rng or random).uniform(0, min(cap, base * (2**attempt)))


def _describe(err: httpx.HTTPError) -> str:
    import httpx

    text = str(err) or err.__class__.__name__
    if isinstance(err, httpx.TimeoutException):
        return f"timed out ({err.__class__.__name__})"
    return redact(text.splitlines()[0])


class _Warmup:
    """httpx's import and its TLS context (the CA bundle load), built on a thread beside other start-up work.

    Together 0.2-0.4 s of a cold run, mostly spent where the GIL is released (file reads, OpenSSL), so they
    overlap well with parsing the chart catalog."""

    def __init__(self) -> None:
        self.context: ssl.SSLContext | None = None
        self.thread = threading.Thread(target=self._build, name="k8sprov-http-warmup", daemon=True)
        self.thread.start()

    def _build(self) -> None:
        import httpx

        try:
            self.context = httpx.create_ssl_context(trust_env=True)
        except (OSError, ValueError):
            self.context = None  # Http builds its own and reports the problem where a request needs it

    def take(self) -> ssl.SSLContext | None:
        self.thread.join()
        return self.context


_warmup: _Warmup | None = None
_warmup_lock = threading.Lock()


def warm_up() -> None:
    """Start loading httpx and the TLS context now, for an Http made a little later in this process."""
    global _warmup
    with _warmup_lock:
        if _warmup is None:
            _warmup = _Warmup()


def _warm_context() -> ssl.SSLContext | None:
    global _warmup
    with _warmup_lock:
        warmup, _warmup = _warmup, None
    return warmup.take() if warmup is not None else None


def settle() -> None:
    """Wait for a warm-up nobody used (a run that needed no request): no import left running at exit."""
    _warm_context()


class Http:
    """One httpx.Client shared by all worker threads of a run (httpx clients are thread-safe)."""

    def __init__(self, settings: HttpSettings, cancel: threading.Event | None = None) -> None:
        self.settings = settings
        self.cancel = cancel or threading.Event()
        self.requests = 0
        self._lock = threading.Lock()
        # httpx (~0.2-0.4 s to import) loads only when a request is due: a warm update-charts makes none.
        context = _warm_context()
        import httpx

        self._client = httpx.Client(
            verify=context if context is not None else True,
            follow_redirects=True,
            max_redirects=10,
            timeout=httpx.Timeout(settings.timeout, connect=settings.connect_timeout),
            headers={"User-Agent": f"k8sprov/{__version__}"},
            event_hooks={"request": [self._check_request]},
            trust_env=True,
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Http:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _check_request(self, request: httpx.Request) -> None:
        check_secure(str(request.url), allow_insecure_http=self.settings.allow_insecure_http)
        with self._lock:
            self.requests += 1

    def auth_headers(self, url: str) -> dict[str, str]:
        creds = credentials_for(host_of(url))
        if creds is None:
            return {}
        if creds.token:
            return {"Authorization": f"Bearer {creds.token}"}
        raw = f"{creds.username}:{creds.password}".encode()
        return {"Authorization": "Basic " + base64.b64encode(raw).decode("ascii")}

    # -- retry loop -------------------------------------------------------------------------------------

    def _retrying(self, url: str, attempt: Callable[[], Response]) -> Response:
        s = self.settings
        host = host_of(url)
        start = time.monotonic()
        tries = 0
        while True:
            if self.cancel.is_set():
                raise Cancelled()
            tries += 1
            try:
                return attempt()
            except _Retry as retry:
                reason, unreachable = retry.reason, retry.unreachable
                wait = backoff_delay(tries - 1, s.backoff, s.max_backoff)
                if retry.retry_after is not None:
                    if retry.retry_after > s.max_retry_after:
                        raise FetchError(
                            f"{host}: {reason}; asked to retry after {retry.retry_after:.0f}s",
                            host=host,
                            attempts=tries,
                        ) from None
                    wait = retry.retry_after
            elapsed = time.monotonic() - start
            allowed = min(s.retries, s.connect_retries) if unreachable else s.retries
            if tries > allowed or elapsed + wait > s.budget:
                after = f" after {tries} attempts" if tries > 1 else ""
                prefix = "cannot reach " if unreachable else ""
                raise FetchError(
                    f"{prefix}{host}: {reason}{after}", host=host, unreachable=unreachable, attempts=tries
                )
            if self.cancel.wait(wait):
                raise Cancelled()

    def _classify(self, err: httpx.HTTPError) -> _Retry | None:
        import httpx

        if isinstance(err, httpx.ConnectError | httpx.ConnectTimeout):
            return _Retry(_describe(err), unreachable=True)
        if isinstance(err, httpx.TimeoutException | httpx.NetworkError | httpx.RemoteProtocolError):
            return _Retry(_describe(err))
        return None

    def _check_status(self, response: httpx.Response, url: str, ok: tuple[int, ...]) -> None:
        status = response.status_code
        if status in ok:
            return
        host = host_of(str(response.url))
        if status == 429 or status >= 500:
            raise _Retry(f"HTTP {status}", retry_after_seconds(response.headers.get("Retry-After")))
        if status in (401, 403):
            raise FetchError(
                f"{host}: HTTP {status} for {redact(url)} — set {credential_prefix(host)}USERNAME and "
                f"{credential_prefix(host)}PASSWORD (or {credential_prefix(host)}TOKEN)",
                host=host,
            )
        raise FetchError(f"{host}: HTTP {status} for {redact(url)}", host=host)

    # -- requests ---------------------------------------------------------------------------------------

    def get(
        self,
        url: str,
        headers: Mapping[str, str] | None = None,
        *,
        ok: tuple[int, ...] = (200,),
        max_bytes: int | None = None,
        auth: bool = True,
    ) -> Response:
        """GET into memory, bounded in size; statuses in `ok` are returned, others raise or retry."""
        limit = max_bytes or self.settings.max_index_bytes
        hdrs = {**(self.auth_headers(url) if auth else {}), **(headers or {})}

        def attempt() -> Response:
            import httpx

            try:
                with self._client.stream("GET", url, headers=hdrs) as response:
                    self._check_status(response, url, ok)
                    chunks: list[bytes] = []
                    size = 0
                    for chunk in response.iter_bytes():
                        if self.cancel.is_set():
                            raise Cancelled()
                        size += len(chunk)
                        if size > limit:
                            raise FetchError(
                                f"{host_of(url)}: {redact(url)} is larger than {limit} bytes",
                                host=host_of(url),
                            )
                        chunks.append(chunk)
                    return Response(
                        response.status_code, dict(response.headers), b"".join(chunks), str(response.url)
                    )
            except httpx.HTTPError as err:
                retry = self._classify(err)
                if retry is None:
                    raise FetchError(f"{host_of(url)}: {_describe(err)}", host=host_of(url)) from None
                raise retry from None

        return self._retrying(url, attempt)

    def download(
        self,
        url: str,
        sink: IO[bytes],
        *,
        expected_size: int | None = None,
        headers: Mapping[str, str] | None = None,
        progress: Progress | None = None,
        auth: bool = True,
    ) -> tuple[int, str, str]:
        """Stream `url` into `sink` while hashing; returns (size, sha256 hex, final URL).

        Each retry starts the sink over. Bodies over the size limit are refused, from Content-Length when the
        server sends one, else while streaming. Raw bytes are stored (identity encoding requested).
        """
        limit = self.settings.max_archive_bytes
        hdrs = {**(self.auth_headers(url) if auth else {}), "Accept-Encoding": "identity", **(headers or {})}

        def attempt() -> Response:
            import httpx

            sink.seek(0)
            sink.truncate()
            digest = hashlib.sha256()
            size = 0
            try:
                with self._client.stream("GET", url, headers=hdrs) as response:
                    self._check_status(response, url, (200,))
                    length = response.headers.get("Content-Length")
                    total = int(length) if length and length.isdigit() else expected_size
                    if total is not None and total > limit:
                        raise FetchError(
                            f"{host_of(url)}: {redact(url)} is {total} bytes, over the {limit}-byte limit",
                            host=host_of(url),
                        )
                    if progress:
                        progress(0, total)
                    for chunk in response.iter_raw():
                        if self.cancel.is_set():
                            raise Cancelled()
                        size += len(chunk)
                        if size > limit:
                            raise FetchError(
                                f"{host_of(url)}: {redact(url)} is over the {limit}-byte limit",
                                host=host_of(url),
                            )
                        digest.update(chunk)
                        sink.write(chunk)
                        if progress:
                            progress(size, total)
                    final = str(response.url)
            except httpx.HTTPError as err:
                retry = self._classify(err)
                if retry is None:
                    raise FetchError(f"{host_of(url)}: {_describe(err)}", host=host_of(url)) from None
                raise retry from None
            return Response(200, {"size": str(size), "sha256": digest.hexdigest()}, b"", final)

        result = self._retrying(url, attempt)
        sink.flush()
        return int(result.headers["size"]), result.headers["sha256"], result.url


__all__ = ["Cancelled", "FetchError", "Http", "HttpSettings", "Response"]
