"""Loopback stand-ins for what doctor probes: a Kubernetes API server (HTTPS with its own CA, made here
with the openssl CLI), plain TCP listeners for the Talos API and PostgreSQL ports, and a closed port."""

from __future__ import annotations

import json
import os
import shutil
import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

# The session's autouse isolation removes CI from the environment: read it at import.
IN_CI = os.environ.get("CI") == "true"
K8S_VERSION = "v1.31.4"
TOKEN = "test-token-4f1d9"  # a canary: must never appear in doctor's output


def need(tool: str) -> str:
    found = shutil.which(tool)
    if found is None:
        if IN_CI:
            pytest.fail(f"{tool} is needed for these tests", pytrace=False)
        pytest.skip(f"{tool} not found: cannot make test certificates")
    return found


@dataclass
class Pki:
    folder: Path
    ca: Path
    server_cert: Path
    server_key: Path
    client_cert: Path
    client_key: Path
    other_ca: Path


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run([need("openssl"), *args], cwd=cwd, check=True, capture_output=True, timeout=60)


def _ca(folder: Path, name: str) -> None:
    _openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
             "-keyout", f"{name}.key", "-out", f"{name}.crt", "-days", "2", "-subj", f"/CN={name}",
             "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign",
             cwd=folder)


def _leaf(folder: Path, name: str, ca: str, ext: str) -> None:
    _openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
             "-keyout", f"{name}.key", "-out", f"{name}.csr", "-subj", f"/CN={name}", cwd=folder)
    (folder / f"{name}.ext").write_text(ext + "\n")
    _openssl("x509", "-req", "-in", f"{name}.csr", "-CA", f"{ca}.crt", "-CAkey", f"{ca}.key",
             "-CAcreateserial", "-out", f"{name}.crt", "-days", "2", "-extfile", f"{name}.ext", cwd=folder)


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    folder = tmp_path_factory.mktemp("pki")
    _ca(folder, "cluster-ca")
    _ca(folder, "other-ca")
    _leaf(folder, "server", "cluster-ca", "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth")
    _leaf(folder, "admin", "cluster-ca", "extendedKeyUsage=clientAuth")
    return Pki(folder, folder / "cluster-ca.crt", folder / "server.crt", folder / "server.key",
               folder / "admin.crt", folder / "admin.key", folder / "other-ca.crt")


@dataclass
class ApiServer:
    url: str
    seen: list[dict[str, str]]  # per request: path, auth kind (never the credential)


@pytest.fixture(scope="session")
def api_server(pki: Pki) -> Iterator[ApiServer]:
    """HTTPS on 127.0.0.1: /version for a client certificate of the cluster CA or the bearer TOKEN, 401
    otherwise (so a probe that sends no credentials fails)."""
    seen: list[dict[str, str]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            peer = self.connection.getpeercert() if isinstance(self.connection, ssl.SSLSocket) else None
            auth = "cert" if peer else "token" if self.headers.get("Authorization") == f"Bearer {TOKEN}" \
                else "none"
            seen.append({"path": self.path, "auth": auth})
            if auth == "none":
                self.send_response(401)
                self.end_headers()
                return
            body = json.dumps({"major": "1", "minor": "31", "gitVersion": K8S_VERSION}).encode()
            self.send_response(200 if self.path == "/version" else 404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(pki.server_cert, pki.server_key)
    ctx.load_verify_locations(pki.ca)
    ctx.verify_mode = ssl.CERT_OPTIONAL
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield ApiServer(f"https://127.0.0.1:{server.server_address[1]}", seen)
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def listener() -> Iterator[int]:
    """A TCP port on 127.0.0.1 that accepts connections (and says nothing)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    try:
        yield sock.getsockname()[1]
    finally:
        sock.close()


@pytest.fixture
def closed_port() -> int:
    """A port on 127.0.0.1 nobody listens on: connections are refused."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port: int = sock.getsockname()[1]
    sock.close()
    return port


def write_project(root: Path, envs: dict[str, str], *, versions: str = "") -> Path:
    """A minimal project: a root module with only a terraform block, and the given env files."""
    (root / "terraform").mkdir(parents=True)
    (root / "terraform" / "versions.tf").write_text(
        'terraform {\n  required_version = ">= 1.0"\n' + versions + "}\n")
    (root / "infra" / "envs").mkdir(parents=True)
    for name, text in envs.items():
        (root / "infra" / "envs" / f"{name}.tfvars").write_text(text)
    return root


def kubeconfig(path: Path, *, contexts: dict[str, tuple[str, str]], clusters: dict[str, dict[str, object]],
               users: dict[str, dict[str, object]], current: str | None = None) -> Path:
    """Write a kubeconfig: contexts name -> (cluster, user)."""
    import yaml

    doc = {
        "apiVersion": "v1", "kind": "Config",
        "clusters": [{"name": n, "cluster": c} for n, c in clusters.items()],
        "users": [{"name": n, "user": u} for n, u in users.items()],
        "contexts": [{"name": n, "context": {"cluster": c, "user": u}} for n, (c, u) in contexts.items()],
    }
    if current is not None:
        doc["current-context"] = current
    path.write_text(yaml.safe_dump(doc))
    return path
