"""httpx and its TLS context load beside the catalog parse; the client uses them; no thread outlives a run."""

from __future__ import annotations

import threading

from k8sprov.charts import http


def _warmup_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "k8sprov-http-warmup"]


def test_the_client_uses_the_context_built_by_the_warm_up() -> None:
    http.warm_up()
    warmup = http._warmup
    assert warmup is not None
    with http.Http(http.HttpSettings()) as client:
        context = warmup.context
        assert context is not None
        assert context.verify_mode.name == "CERT_REQUIRED" and context.check_hostname
        pool = client._client._transport._pool  # type: ignore[attr-defined]
        assert pool._ssl_context is context
    assert http._warmup is None and not _warmup_threads()


def test_without_warm_up_the_client_builds_its_own_verifying_context() -> None:
    assert http._warmup is None
    with http.Http(http.HttpSettings()) as client:
        pool = client._client._transport._pool  # type: ignore[attr-defined]
        assert pool._ssl_context.check_hostname


def test_settle_waits_for_an_unused_warm_up() -> None:
    http.warm_up()
    http.settle()
    assert http._warmup is None and not _warmup_threads()
