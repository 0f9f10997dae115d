"""`k8sprov charts --outdated`: the newest stable version of each chart in its repository (or mirror)."""

from __future__ import annotations

import functools
import threading

from k8sprov.charts.catalog import Catalog
from k8sprov.charts.http import FetchError, Http, HttpSettings
from k8sprov.charts.pool import run_bounded
from k8sprov.charts.sources import OciRef, check_secure, choose_source
from k8sprov.charts.versions import newest_stable
from k8sprov.errors import ChartError, Interrupted
from k8sprov.project import Project


def latest_versions(
    project: Project,
    catalog: Catalog,
    *,
    mirrors: dict[str, str],
    settings: HttpSettings,
    jobs: int = 4,
    prefer_oci: bool = False,
) -> dict[str, str | None]:
    from k8sprov.charts.classic import ClassicRepos
    from k8sprov.charts.oci import OciRegistries

    cancel = threading.Event()
    keys = list(catalog.charts)
    with Http(settings, cancel) as http:
        repos = ClassicRepos(http, project.state_dir / "cache")
        registries = OciRegistries(http)

        def task(key: str) -> str | None:
            spec = catalog.charts[key]
            source = choose_source(spec, mirrors, prefer_oci=prefer_oci)
            if source.kind == "oci":
                return newest_stable(registries.tags(OciRef.parse(source.url)))
            check_secure(source.url, allow_insecure_http=settings.allow_insecure_http)
            entries = repos.index(source.url).get(spec.chart, [])
            return newest_stable(e.version for e in entries)

        try:
            results = run_bounded([functools.partial(task, key) for key in keys], jobs, cancel)
        except KeyboardInterrupt:
            raise Interrupted("interrupted") from None
    latest: dict[str, str | None] = {}
    errors: list[FetchError] = []
    for key, result in zip(keys, results, strict=True):
        if isinstance(result, FetchError):
            errors.append(result)
        elif isinstance(result, BaseException):
            raise result
        else:
            latest[key] = result
    if errors:
        unreachable = [e for e in errors if e.unreachable]
        if unreachable:
            hosts = sorted({e.host for e in unreachable})
            raise ChartError(
                f"cannot reach {', '.join(hosts)} ({unreachable[0].message.split(': ', 1)[-1]})",
                hint="check the network or proxy, or use --mirror NAME=URL",
            )
        raise ChartError(errors[0].message + (f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""))
    return latest
