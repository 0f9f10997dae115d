"""Real signing keys made by gpg, charts packaged and signed by real Helm, served by the loopback server."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.charts import builders
from tests.charts.conftest import fast_http, make_project  # noqa: F401  (fixture reused here)
from tests.charts.server import ChartServer

CHART, VERSION = "demo", "0.1.0"
ARCHIVE = f"{CHART}-{VERSION}.tgz"


@dataclass(frozen=True)
class Key:
    name: str
    fingerprint: str
    armored: str
    pubring: Path  # legacy binary keyring, as `helm verify --keyring` reads it
    secring: Path  # legacy secret keyring, as `helm package --sign --keyring` reads it


def _gpg(home: Path, *args: str, input: bytes | None = None) -> bytes:
    done = subprocess.run(["gpg", "--homedir", str(home), "--batch", *args], input=input,
                          capture_output=True, check=False)
    assert done.returncode == 0, f"gpg {' '.join(args)}: {done.stderr.decode(errors='replace')}"
    return done.stdout


def make_key(root: Path, name: str) -> Key:
    # A short home of its own: gpg's agent socket lives in it, and a socket path is limited to 107 bytes
    # (a pytest folder under an xdist worker is longer).
    home = Path(tempfile.mkdtemp(prefix=f"gpg-{name}-"))
    params = f"%no-protection\nKey-Type: RSA\nKey-Length: 2048\nName-Real: {name}\nExpire-Date: 0\n%commit\n"
    try:
        _gpg(home, "--gen-key", input=params.encode())
        listing = _gpg(home, "--with-colons", "--list-keys").decode()
        fingerprint = next(line.split(":")[9] for line in listing.splitlines() if line.startswith("fpr:"))
        (root / f"{name}.pub.gpg").write_bytes(_gpg(home, "--export"))
        (root / f"{name}.sec.gpg").write_bytes(_gpg(home, "--export-secret-keys"))
        armored = _gpg(home, "--armor", "--export").decode()
    finally:  # key generation starts an agent for this home; it must not outlive the session
        subprocess.run(["gpgconf", "--homedir", str(home), "--kill", "all"], capture_output=True, check=False)
        shutil.rmtree(home, ignore_errors=True)
    return Key(name, fingerprint, armored, root / f"{name}.pub.gpg", root / f"{name}.sec.gpg")


@pytest.fixture(scope="session")
def signing_keys(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Key]:
    if shutil.which("gpg") is None:
        pytest.fail("gpg is needed for the signature tests (apt-get install gnupg)")
    root = tmp_path_factory.mktemp("keys")
    return {name: make_key(root, name) for name in ("publisher", "stranger")}


def package_signed(helm: Path, workdir: Path, key: Key, *, sign: bool = True, name: str = CHART,
                   version: str = VERSION) -> tuple[bytes, bytes | None]:
    """`helm package [--sign]` of a small chart: the archive bytes and its provenance."""
    src = workdir / "src"
    for member in builders.chart_members(name, version, payload=2_000):
        path = src / member.name
        if member.name.endswith("/"):
            path.mkdir(parents=True, exist_ok=True)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(member.data)
    out = workdir / "out"
    out.mkdir()
    sign_args = ["--sign", "--key", key.name, "--keyring", str(key.secring)] if sign else []
    subprocess.run([str(helm), "package", *sign_args, "-d", str(out), str(src / name)],
                   capture_output=True, check=True)
    archive = out / f"{name}-{version}.tgz"
    prov = out / f"{archive.name}.prov"
    return archive.read_bytes(), prov.read_bytes() if prov.exists() else None


@pytest.fixture(scope="module")
def signed_chart(helm_binary: Path, signing_keys: dict[str, Key],
                 tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[bytes, bytes | None]]:
    """Archive and provenance per signer: 'publisher' (pinned) and 'stranger' (another key)."""
    return {
        name: package_signed(helm_binary, tmp_path_factory.mktemp(f"pkg-{name}"), key)
        for name, key in signing_keys.items()
    }


@dataclass
class SignedWorld:
    server: ChartServer
    project: Path
    cli: Any
    key: Key

    @property
    def charts_dir(self) -> Path:
        return self.project / "charts"

    def serve(self, archive: bytes, prov: bytes | None) -> None:
        """The repository: index (digest of the served bytes, so only the provenance can object), archive,
        provenance (absent: 404)."""
        url = self.server.add(f"/repo/{ARCHIVE}", archive)
        entries = {CHART: [builders.index_entry(CHART, VERSION, url, builders.sha256(archive))]}
        self.server.add("/repo/index.yaml", builders.index_yaml(entries), content_type="application/x-yaml")
        if prov is None:
            self.server.routes.pop(f"/repo/{ARCHIVE}.prov", None)
        else:
            self.server.add(f"/repo/{ARCHIVE}.prov", prov)

    def run(self, *args: str) -> Any:
        return self.cli("-C", str(self.project), "update-charts", *args)

    def snapshot(self) -> dict[str, bytes]:
        if not self.charts_dir.exists():
            return {}
        return {p.name: p.read_bytes() for p in sorted(self.charts_dir.iterdir()) if p.is_file()}


def signed_project(root: Path, server: ChartServer, key: Key, *, oci: bool = False) -> Path:
    entry: dict[str, Any] = {"repository": f"{server.url}/repo", "chart": CHART, "namespace": "demo",
                             "order": 1, "signed_by": key.fingerprint}
    if oci:
        entry["oci"] = f"oci://{server.netloc}/charts/{CHART}"
    project = make_project(root, {CHART: entry}, {"basic": {CHART: VERSION}})
    keys = project / "infra" / "keys"
    keys.mkdir(parents=True)
    (keys / f"{key.fingerprint}.asc").write_text(key.armored)
    return project


@pytest.fixture
def signed_world(tmp_path: Path, cli: Any, signing_keys: dict[str, Key],
                 fast_http: None) -> Iterator[SignedWorld]:  # noqa: F811
    server = ChartServer("127.0.0.1").start()
    key = signing_keys["publisher"]
    try:
        yield SignedWorld(server, signed_project(tmp_path / "proj", server, key), cli, key)
    finally:
        server.stop()
