"""The doctor's probes of the outside world: a Kubernetes API server, a Talos API port, a PostgreSQL port,
a provider registry. The one seam besides the chart repository client that touches the network.

Every probe has a timeout, returns a `Probe` (never raises for network trouble) and says what it found
in words that name no credential: the API server probe sends the context's client certificate or token,
but its messages carry only host names, status codes and TLS/connect reasons.
"""

from __future__ import annotations

import socket
import ssl
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from k8sprov.kubeconfig import Cluster, User

DEFAULT_TIMEOUT = 3.0


@dataclass(frozen=True)
class Probe:
    ok: bool
    message: str
    fix: str | None = None


def _seconds(timeout: float) -> str:
    return f"{timeout:g} s"


def tcp_connect(host: str, port: int, *, timeout: float = DEFAULT_TIMEOUT, what: str = "port") -> Probe:
    """Open (and close) a TCP connection to host:port."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return Probe(True, f"{host}:{port} accepts connections")
    except TimeoutError:
        return Probe(False, f"{host}:{port}: no answer within {_seconds(timeout)}",
                     f"check that the {what} is up and reachable from here (firewall, VPN)")
    except ConnectionRefusedError:
        return Probe(False, f"{host}:{port}: connection refused",
                     f"start the {what} or fix the host and port")
    except socket.gaierror:
        return Probe(False, f"{host}: cannot resolve the host name", "fix the host name or your DNS")
    except OSError as err:
        return Probe(False, f"{host}:{port}: {err.strerror or err.__class__.__name__}",
                     f"check that the {what} is reachable from here")


def _tls_context(cluster: Cluster, user: User | None, scratch: Path) -> ssl.SSLContext:
    if cluster.insecure:
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    elif cluster.ca_data is not None:
        ctx = ssl.create_default_context(cadata=cluster.ca_data.decode("ascii", errors="replace"))
    elif cluster.ca_file is not None:
        ctx = ssl.create_default_context(cafile=str(cluster.ca_file))
    else:
        ctx = ssl.create_default_context()
    if user is not None:
        cert, key = user.client_cert_file, user.client_key_file
        # ssl loads a client certificate only from files: in-line data goes to a private scratch folder.
        if user.client_cert_data is not None:
            cert = scratch / "client.crt"
            cert.write_bytes(user.client_cert_data)
        if user.client_key_data is not None:
            key = scratch / "client.key"
            key.touch(mode=0o600)
            key.write_bytes(user.client_key_data)
        if cert is not None:
            ctx.load_cert_chain(str(cert), str(key) if key is not None else None)
    return ctx


def _headers(user: User | None) -> dict[str, str]:
    if user is None:
        return {}
    token = user.token
    if token is None and user.token_file is not None:
        token = user.token_file.read_text(encoding="utf-8").strip()
    if token:
        return {"Authorization": f"Bearer {token}"}
    if user.username and user.password:
        import base64

        pair = base64.b64encode(f"{user.username}:{user.password}".encode()).decode()
        return {"Authorization": f"Basic {pair}"}
    return {}


def kube_version(cluster: Cluster, user: User | None, *, timeout: float = DEFAULT_TIMEOUT) -> Probe:
    """HTTPS GET <server>/version with the context's CA and client certificate or token."""
    import httpx

    server = (cluster.server or "").rstrip("/")
    host = urlsplit(server).netloc or server
    with tempfile.TemporaryDirectory(prefix="k8sprov-probe-") as scratch:
        try:
            ctx = _tls_context(cluster, user, Path(scratch))
            headers = _headers(user)
        except (ssl.SSLError, OSError, ValueError) as err:
            reason = getattr(err, "reason", None) or getattr(err, "strerror", None) or err.__class__.__name__
            return Probe(False, f"cannot load the context's certificates or token: {reason}",
                         "check certificate-authority, client-certificate, client-key and tokenFile paths")
        extensions: dict[str, Any] = {}
        if cluster.tls_server_name:
            extensions["sni_hostname"] = cluster.tls_server_name
        try:
            with httpx.Client(verify=ctx, timeout=timeout, trust_env=False) as client:
                response = client.get(f"{server}/version", headers=headers, extensions=extensions)
        except httpx.TimeoutException:
            return Probe(False, f"{host}: no answer within {_seconds(timeout)}",
                         "check that the API server is reachable from here (VPN, firewall, cluster up)")
        except httpx.ConnectError as err:
            text = str(err)
            if "SSL" in text or "CERTIFICATE" in text.upper() or isinstance(err.__context__, ssl.SSLError):
                reason = text.split("] ", 1)[-1].split(" (_ssl", 1)[0]
                return Probe(False, f"{host}: TLS handshake failed: {reason}",
                             "the context's certificate-authority does not match this server's certificate")
            reason = text.split("] ", 1)[-1] or err.__class__.__name__
            return Probe(False, f"{host}: cannot connect: {reason}",
                         "check the server URL and that the API server is up and reachable")
        except httpx.HTTPError as err:
            return Probe(False, f"{host}: {err.__class__.__name__}", "check the server URL")
    if response.status_code in (401, 403):
        return Probe(False, f"{host} refused the context's credentials (HTTP {response.status_code})",
                     "refresh the credentials in the kubeconfig (or log in again)")
    if response.status_code != 200:
        return Probe(False, f"{host} answered HTTP {response.status_code} to /version",
                     "is the server URL a Kubernetes API server?")
    try:
        version = str(response.json().get("gitVersion") or "unknown version")
    except (ValueError, AttributeError):
        return Probe(False, f"{host} answered /version without JSON",
                     "is the server URL a Kubernetes API server?")
    return Probe(True, f"Kubernetes {version} at {host}")


def http_ok(url: str, *, timeout: float = DEFAULT_TIMEOUT, what: str = "server") -> Probe:
    """GET url (a registry or mirror index) and expect HTTP 200."""
    import httpx

    host = urlsplit(url).netloc
    try:
        with httpx.Client(timeout=timeout) as client:
            response = client.get(url)
    except httpx.TimeoutException:
        return Probe(False, f"{host}: no answer within {_seconds(timeout)}",
                     f"check that the {what} is reachable")
    except httpx.HTTPError as err:
        return Probe(False, f"{host}: {str(err) or err.__class__.__name__}",
                     f"check that the {what} is reachable")
    if response.status_code != 200:
        return Probe(False, f"{host} answered HTTP {response.status_code}", f"check the {what}")
    return Probe(True, f"{host} answers")
