"""OCI registries (`oci://host/path/chart`): registry API v2 with the anonymous bearer-token challenge.

GET /v2/<repo>/manifests/<tag> → 401 + `WWW-Authenticate: Bearer realm=…,service=…,scope=…` → GET realm
for a token (Basic-authenticated when K8SPROV_REPO_<HOST>_USERNAME/PASSWORD are set) → manifest again → the
layer of media type `application/vnd.cncf.helm.chart.content.v1.tar+gzip` → GET /v2/<repo>/blobs/<digest>,
whose sha256 the vendor verifies. Plain http is used for loopback registries or with --allow-insecure-http
(like Helm's --plain-http).
"""

from __future__ import annotations

import base64
import json
import re
import threading
from dataclasses import dataclass
from typing import IO, Any
from urllib.parse import urlencode

from k8sprov.charts.http import FetchError, Http, Progress, Response
from k8sprov.charts.sources import OciRef, credentials_for, is_loopback

CHART_LAYER = "application/vnd.cncf.helm.chart.content.v1.tar+gzip"
MANIFEST_TYPES = (
    "application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json"
)
_PARAM = re.compile(r'(\w+)\s*=\s*(?:"([^"]*)"|([^\s,]+))')


def parse_challenge(header: str) -> tuple[str, dict[str, str]]:
    """Pure: `Bearer realm="…",service="…"` -> ("bearer", {"realm": …, "service": …})."""
    scheme, _, rest = header.strip().partition(" ")
    return scheme.lower(), {k.lower(): (q if q else u) for k, q, u in _PARAM.findall(rest)}


@dataclass(frozen=True)
class Layer:
    digest: str  # lowercase hex sha256, prefix stripped
    size: int | None


def chart_layer(manifest: dict[str, Any], where: str, host: str) -> Layer:
    """Pure: the Helm chart layer of an OCI manifest."""
    for layer in manifest.get("layers") or []:
        if isinstance(layer, dict) and layer.get("mediaType") == CHART_LAYER:
            digest = str(layer.get("digest", ""))
            algo, _, hexdigest = digest.partition(":")
            if algo != "sha256" or not re.fullmatch(r"[0-9a-f]{64}", hexdigest):
                raise FetchError(f"{where}: chart layer digest {digest!r} is not sha256", host=host)
            size = layer.get("size")
            return Layer(hexdigest, int(size) if isinstance(size, int) else None)
    raise FetchError(f"{where}: manifest has no {CHART_LAYER} layer (not a Helm chart?)", host=host)


class OciRegistries:
    def __init__(self, http: Http) -> None:
        self.http = http
        self._tokens: dict[tuple[str, str], str] = {}  # (host, repository) -> Authorization value
        self._guard = threading.Lock()

    def _base(self, ref: OciRef) -> str:
        plain = self.http.settings.allow_insecure_http or is_loopback(ref.host.rsplit(":", 1)[0])
        return f"{'http' if plain else 'https'}://{ref.host}"

    def _auth(self, ref: OciRef) -> dict[str, str]:
        creds = credentials_for(ref.host)
        if creds is not None and creds.token:
            return {"Authorization": f"Bearer {creds.token}"}
        with self._guard:
            value = self._tokens.get((ref.host, ref.repository))
        return {"Authorization": value} if value else {}

    def _login(self, ref: OciRef, challenge: str | None) -> None:
        scheme, params = parse_challenge(challenge or "")
        creds = credentials_for(ref.host)
        if scheme == "basic":
            if creds is None or not creds.username:
                raise FetchError(
                    f"{ref.host}: registry wants a login; set K8SPROV_REPO_<HOST>_USERNAME/PASSWORD",
                    host=ref.host,
                )
            raw = base64.b64encode(f"{creds.username}:{creds.password}".encode()).decode()
            with self._guard:
                self._tokens[(ref.host, ref.repository)] = f"Basic {raw}"
            return
        realm = params.get("realm")
        if scheme != "bearer" or not realm:
            raise FetchError(f"{ref.host}: HTTP 401 without a bearer challenge", host=ref.host)
        query = {
            "service": params.get("service", ref.host),
            "scope": params.get("scope", f"repository:{ref.repository}:pull"),
        }
        headers: dict[str, str] = {}
        if creds is not None and creds.username and creds.password:
            raw = base64.b64encode(f"{creds.username}:{creds.password}".encode()).decode()
            headers["Authorization"] = f"Basic {raw}"
        sep = "&" if "?" in realm else "?"
        response = self.http.get(realm + sep + urlencode(query), headers, auth=False, max_bytes=1 << 20)
        try:
            data = json.loads(response.body)
            token = data.get("token") or data.get("access_token")
        except (ValueError, AttributeError):
            token = None
        if not isinstance(token, str) or not token:
            raise FetchError(f"{ref.host}: token endpoint gave no token", host=ref.host)
        with self._guard:
            self._tokens[(ref.host, ref.repository)] = f"Bearer {token}"

    def _get(self, ref: OciRef, path: str, accept: str) -> Response:
        url = f"{self._base(ref)}/v2/{ref.repository}/{path}"
        for _ in range(2):
            response = self.http.get(
                url, {"Accept": accept, **self._auth(ref)}, ok=(200, 401), auth=False, max_bytes=4 << 20
            )
            if response.status == 200:
                return response
            self._login(ref, response.headers.get("www-authenticate"))
        raise FetchError(
            f"{ref.host}: HTTP 401 for {ref.repository} after a token was issued — check "
            "K8SPROV_REPO_<HOST>_USERNAME/PASSWORD",
            host=ref.host,
        )

    def layer(self, ref: OciRef, version: str) -> Layer:
        where = ref.display(version)
        response = self._get(ref, f"manifests/{ref.tag(version)}", MANIFEST_TYPES)
        try:
            manifest = json.loads(response.body)
        except ValueError:
            raise FetchError(f"{where}: manifest is not JSON", host=ref.host) from None
        if not isinstance(manifest, dict):
            raise FetchError(f"{where}: manifest is not a JSON object", host=ref.host)
        return chart_layer(manifest, where, ref.host)

    def download(
        self, ref: OciRef, layer: Layer, sink: IO[bytes], progress: Progress | None
    ) -> tuple[int, str, str]:
        url = f"{self._base(ref)}/v2/{ref.repository}/blobs/sha256:{layer.digest}"
        return self.http.download(
            url, sink, expected_size=layer.size, headers=self._auth(ref), progress=progress, auth=False
        )

    def tags(self, ref: OciRef, max_pages: int = 50) -> list[str]:
        """Every tag, following the registry's `Link: <…>; rel="next"` pagination (bounded)."""
        tags: list[str] = []
        path: str | None = "tags/list?n=1000"
        for _ in range(max_pages):
            if path is None:
                break
            response = self._get(ref, path, "application/json")
            try:
                page = json.loads(response.body).get("tags") or []
            except (ValueError, AttributeError):
                raise FetchError(
                    f"oci://{ref.host}/{ref.repository}: tag list is not JSON", host=ref.host
                ) from None
            tags += [str(t).replace("_", "+") for t in page]
            path = next_page(response.headers.get("link"), ref.repository)
        return tags


def next_page(link: str | None, repository: str) -> str | None:
    """Pure: the path after /v2/<repository>/ of a `Link: </v2/…/tags/list?last=x&n=…>; rel="next"` header."""
    match = re.match(r'\s*<([^>]+)>\s*;\s*rel="?next"?', link or "")
    if not match:
        return None
    prefix = f"/v2/{repository}/"
    target = match.group(1)
    index = target.find(prefix)
    return target[index + len(prefix) :] if index >= 0 else None
