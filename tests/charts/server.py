"""A real HTTP server on 127.0.0.1 for the chart tests: classic repositories, OCI registry, fault injection.

Routes are exact paths. Faults are queued per path and consumed one per request, so "500 then success" is
`server.fault(path, Fault.status(500))`. Every request is logged (method, path, headers) so tests can prove
what was (not) asked, e.g. that a warm run makes no archive request.
"""

from __future__ import annotations

import base64
import hashlib
import json
import socket
import struct
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

CHART_LAYER = "application/vnd.cncf.helm.chart.content.v1.tar+gzip"


@dataclass
class Route:
    body: bytes
    content_type: str = "application/octet-stream"
    etag: str | None = None
    last_modified: str | None = None
    redirect: str | None = None
    basic_auth: tuple[str, str] | None = None


@dataclass
class Fault:
    kind: str
    value: float = 0
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None

    @classmethod
    def status(cls, code: int, **headers: str) -> Fault:
        return cls("status", code, {k.replace("_", "-"): v for k, v in headers.items()})

    @classmethod
    def reset(cls, after: int) -> Fault:
        """Send the headers and `after` body bytes, then reset the connection (RST)."""
        return cls("reset", after)

    @classmethod
    def truncate(cls, after: int) -> Fault:
        """Announce the full Content-Length, send `after` bytes, close cleanly."""
        return cls("truncate", after)

    @classmethod
    def delay(cls, seconds: float) -> Fault:
        return cls("delay", seconds)

    @classmethod
    def drip(cls, interval: float) -> Fault:
        """Send the body 1 KiB at a time, `interval` seconds apart."""
        return cls("drip", interval)


@dataclass
class Logged:
    method: str
    path: str
    headers: dict[str, str]
    status: int = 0


class ChartServer:
    def __init__(self, host: str = "127.0.0.1", url_host: str | None = None) -> None:
        self.routes: dict[str, Route] = {}
        self.faults: dict[str, list[Fault]] = {}
        self.log: list[Logged] = []
        self.lock = threading.Lock()
        self.inflight = 0
        self.max_inflight = 0
        self.oci_token_required = True
        self.tags_page_size = 0  # > 0: paginate tag lists like a real registry
        server = self
        self._httpd = ThreadingHTTPServer((host, 0), _handler(server))
        self._httpd.daemon_threads = True
        self._httpd.handle_error = lambda request, client_address: None  # type: ignore[method-assign]
        self.port = self._httpd.server_address[1]
        self.url = f"http://{url_host or host}:{self.port}"
        self.netloc = f"{url_host or host}:{self.port}"
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def start(self) -> ChartServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    # -- content ----------------------------------------------------------------------------------------

    def add(self, path: str, body: bytes, **kw: object) -> str:
        self.routes[path] = Route(body, **kw)  # type: ignore[arg-type]
        return self.url + path

    def redirect(self, path: str, location: str) -> None:
        self.routes[path] = Route(b"", redirect=location)

    def fault(self, path: str, *faults: Fault) -> None:
        with self.lock:
            self.faults.setdefault(path, []).extend(faults)

    def add_oci_chart(self, repository: str, tag: str, archive: bytes) -> str:
        """Push a chart: config blob, chart layer blob and an OCI manifest under /v2/<repository>/."""
        config = json.dumps({"name": repository.rsplit("/", 1)[-1], "version": tag}).encode()
        blobs = {}
        for data in (config, archive):
            digest = "sha256:" + hashlib.sha256(data).hexdigest()
            blobs[digest] = data
            self.routes[f"/v2/{repository}/blobs/{digest}"] = Route(data)
        manifest = {
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {
                "mediaType": "application/vnd.cncf.helm.config.v1+json",
                "digest": "sha256:" + hashlib.sha256(config).hexdigest(),
                "size": len(config),
            },
            "layers": [
                {
                    "mediaType": CHART_LAYER,
                    "digest": "sha256:" + hashlib.sha256(archive).hexdigest(),
                    "size": len(archive),
                }
            ],
        }
        self.routes[f"/v2/{repository}/manifests/{tag}"] = Route(
            json.dumps(manifest).encode(), content_type="application/vnd.oci.image.manifest.v1+json"
        )
        tags_path = f"/v2/{repository}/tags/list"
        existing = json.loads(self.routes[tags_path].body)["tags"] if tags_path in self.routes else []
        self.routes[tags_path] = Route(
            json.dumps({"name": repository, "tags": [*existing, tag]}).encode(),
            content_type="application/json",
        )
        return "sha256:" + hashlib.sha256(archive).hexdigest()

    # -- inspection -------------------------------------------------------------------------------------

    def paths(self, suffix: str = "") -> list[str]:
        with self.lock:
            return [r.path for r in self.log if r.path.split("?")[0].endswith(suffix)]

    def requests_for(self, path: str) -> list[Logged]:
        with self.lock:
            return [r for r in self.log if r.path.split("?")[0] == path]

    def clear_log(self) -> None:
        with self.lock:
            self.log.clear()


def _handler(server: ChartServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:  # quiet
            pass

        def do_GET(self) -> None:
            entry = Logged("GET", self.path, {k.lower(): v for k, v in self.headers.items()})
            with server.lock:
                server.log.append(entry)
                fault = (
                    server.faults.get(self.path.split("?")[0], [None]).pop(0)
                    if server.faults.get(self.path.split("?")[0])
                    else None
                )
                server.inflight += 1
                server.max_inflight = max(server.max_inflight, server.inflight)
            try:
                self._serve(entry, fault)
            except (BrokenPipeError, ConnectionResetError):
                pass
            finally:
                with server.lock:
                    server.inflight -= 1

        def _send(
            self,
            entry: Logged,
            status: int,
            body: bytes = b"",
            headers: dict[str, str] | None = None,
            content_type: str = "text/plain",
        ) -> None:
            entry.status = status
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.write_body(body)

        def write_body(self, body: bytes) -> None:
            self.wfile.write(body)

        def _send_tags_page(self, entry: Logged, path: str, params: dict[str, list[str]], data: dict) -> None:
            """Registry pagination: at most `tags_page_size` tags, then a Link to the next page."""
            tags: list[str] = data["tags"]
            last = params.get("last", [None])[0]
            start = tags.index(last) + 1 if last in tags else 0
            size = min(int(params.get("n", ["1000"])[0]), server.tags_page_size)
            page = tags[start : start + size]
            headers = {}
            if start + size < len(tags):
                headers["Link"] = f'<{path}?last={page[-1]}&n={size}>; rel="next"'
            body = json.dumps({"name": data["name"], "tags": page}).encode()
            self._send(entry, 200, body, headers, "application/json")

        def _serve(self, entry: Logged, fault: Fault | None) -> None:
            path, _, query = self.path.partition("?")
            if fault is not None and fault.kind == "delay":
                time.sleep(fault.value)
                fault = None
            if fault is not None and fault.kind == "status":
                self._send(entry, int(fault.value), b"fault\n", fault.headers)
                return
            if path == "/token":
                params = parse_qs(query)
                scope = params.get("scope", [""])[0]
                token = "tok-" + base64.urlsafe_b64encode(scope.encode()).decode().rstrip("=")
                self._send(entry, 200, json.dumps({"token": token}).encode(), content_type="application/json")
                return
            if path.startswith("/v2/") and server.oci_token_required:
                repository = path[4:].rsplit("/", 2)[0]
                want = "Bearer tok-" + base64.urlsafe_b64encode(
                    f"repository:{repository}:pull".encode()
                ).decode().rstrip("=")
                if self.headers.get("Authorization") != want:
                    challenge = (
                        f'Bearer realm="{server.url}/token",service="k8sprov-test",'
                        f'scope="repository:{repository}:pull"'
                    )
                    self._send(
                        entry,
                        401,
                        b'{"errors":[{"code":"UNAUTHORIZED"}]}',
                        {"WWW-Authenticate": challenge},
                        "application/json",
                    )
                    return
            route = server.routes.get(path)
            if route is None:
                self._send(entry, 404, b"not found\n")
                return
            if route.basic_auth is not None:
                user, password = route.basic_auth
                want = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
                if self.headers.get("Authorization") != want:
                    self._send(entry, 401, b"login\n", {"WWW-Authenticate": 'Basic realm="charts"'})
                    return
            if route.redirect is not None:
                self._send(entry, 302, b"", {"Location": route.redirect})
                return
            if path.endswith("/tags/list") and server.tags_page_size:
                self._send_tags_page(entry, path, parse_qs(query), json.loads(route.body))
                return
            if route.etag and self.headers.get("If-None-Match") == route.etag:
                entry.status = 304
                self.send_response(304)
                self.send_header("ETag", route.etag)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            headers: dict[str, str] = {}
            if route.etag:
                headers["ETag"] = route.etag
            if route.last_modified:
                headers["Last-Modified"] = route.last_modified
            body = route.body
            if fault is None:
                self._send(entry, 200, body, headers, route.content_type)
                return
            entry.status = 200
            self.send_response(200)
            self.send_header("Content-Type", route.content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if fault.kind == "reset":
                self.wfile.write(body[: int(fault.value)])
                self.wfile.flush()
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.connection.close()
                self.close_connection = True
            elif fault.kind == "truncate":
                self.wfile.write(body[: int(fault.value)])
                self.wfile.flush()
                self.connection.shutdown(socket.SHUT_RDWR)
                self.close_connection = True
            elif fault.kind == "drip":
                for chunk in _chunks(body, 1024):
                    self.wfile.write(chunk)
                    self.wfile.flush()
                    time.sleep(fault.value)

    return Handler


def _chunks(data: bytes, size: int) -> Iterator[bytes]:
    for i in range(0, len(data), size):
        yield data[i : i + size]
