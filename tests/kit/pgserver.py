"""A throwaway PostgreSQL server for the tests: Debian's binaries, a cluster in a temp dir, a loopback port.

Usage from pytest: the session fixture `pg_server` in tests/conftest.py. By hand:
    python tests/kit/pgserver.py      # starts one, prints its conn_str, stops it on Enter

The server runs as a non-root user (initdb refuses root): `postgres` when it exists, else the current user.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

INSTALL_HINT = ("apt-get install postgresql (Debian's server binaries: /usr/lib/postgresql/*/bin/initdb,"
                " pg_ctl)")


class PgUnavailable(RuntimeError):
    pass


def find_bin_dir() -> Path:
    """The newest /usr/lib/postgresql/<major>/bin holding initdb and pg_ctl."""
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"),
                        key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0)
    for initdb in reversed(candidates):
        bin_dir = initdb.parent
        if (bin_dir / "pg_ctl").is_file() and (bin_dir / "postgres").is_file():
            return bin_dir
    raise PgUnavailable(f"no PostgreSQL server binaries found — {INSTALL_HINT}")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class PgServer:
    bin_dir: Path
    root: Path
    port: int
    user: str  # the OS user the server runs as (and the database superuser's name)
    database: str = "k8sprov"

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def socket_dir(self) -> Path:
        return self.root / "sock"

    @property
    def conn_str(self) -> str:
        return f"postgres://{self.user}:{self.password}@127.0.0.1:{self.port}/{self.database}?sslmode=disable"

    password: str = "s3cret-pw"

    def _as_user(self, argv: list[str]) -> list[str]:
        if os.geteuid() == 0 and self.user != "root":
            return ["runuser", "-u", self.user, "--", *argv]
        return argv

    def _run(self, argv: list[str], **kw: object) -> subprocess.CompletedProcess[str]:
        return subprocess.run(self._as_user(argv), capture_output=True, text=True, check=False,
                              cwd=self.root, **kw)  # type: ignore[call-overload, no-any-return]

    def psql(self, sql: str, database: str | None = None) -> str:
        """Run SQL over the unix socket as the superuser; the unaligned, tuples-only result."""
        proc = self._run([str(self.bin_dir / "psql"), "-h", str(self.socket_dir), "-p", str(self.port),
                          "-U", self.user, "-d", database or self.database, "-At", "-v", "ON_ERROR_STOP=1",
                          "-c", sql])
        if proc.returncode != 0:
            raise RuntimeError(f"psql failed: {proc.stderr.strip()}")
        return proc.stdout.strip()

    def start(self) -> None:
        pwfile = self.root / "pwfile"
        pwfile.write_text(self.password + "\n")
        self._chown(self.root, pwfile)
        init = self._run([str(self.bin_dir / "initdb"), "-D", str(self.data_dir), "-U", self.user,
                          "--pwfile", str(pwfile), "-A", "md5", "--auth-local=trust", "-E", "UTF8",
                          "--no-sync"])
        if init.returncode != 0:
            raise PgUnavailable(f"initdb failed: {init.stderr.strip() or init.stdout.strip()}")
        self.socket_dir.mkdir()
        self._chown(self.socket_dir)
        options = (f"-c listen_addresses=127.0.0.1 -c port={self.port} "
                   f"-c unix_socket_directories={self.socket_dir} -c fsync=off -c max_connections=100")
        started = self._run([str(self.bin_dir / "pg_ctl"), "-D", str(self.data_dir), "-l",
                             str(self.root / "server.log"), "-o", options, "-w", "-t", "60", "start"])
        if started.returncode != 0:
            log = (self.root / "server.log").read_text(errors="replace")[-2000:]
            raise PgUnavailable(f"pg_ctl start failed: {started.stderr.strip()}\n{log}")
        self.psql(f"CREATE DATABASE {self.database}", database="postgres")

    def stop(self) -> None:
        self._run([str(self.bin_dir / "pg_ctl"), "-D", str(self.data_dir), "-m", "immediate", "-w", "stop"])

    def _chown(self, *paths: Path) -> None:
        if os.geteuid() != 0 or self.user == "root":
            return
        entry = pwd.getpwnam(self.user)
        for path in paths:
            os.chown(path, entry.pw_uid, entry.pw_gid)

    def advisory_locks(self) -> list[str]:
        """Advisory locks held right now in the server (one line per lock: objid and granted)."""
        text = self.psql("SELECT objid, granted FROM pg_locks WHERE locktype = 'advisory' ORDER BY objid")
        return [line for line in text.splitlines() if line]


def _server_user() -> str:
    if os.geteuid() != 0:
        return pwd.getpwuid(os.geteuid()).pw_name
    try:
        pwd.getpwnam("postgres")
        return "postgres"
    except KeyError:
        raise PgUnavailable(f"running as root and no 'postgres' user to run the server as — {INSTALL_HINT}"
                            ) from None


def start_server() -> PgServer:
    bin_dir = find_bin_dir()
    user = _server_user()
    root = Path(tempfile.mkdtemp(prefix="k8sprov-pg-"))
    root.chmod(0o755)
    server = PgServer(bin_dir=bin_dir, root=root, port=_free_port(), user=user)
    server._chown(root)
    try:
        server.start()
    except BaseException:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)
        raise
    return server


def stop_server(server: PgServer) -> None:
    server.stop()
    for _ in range(50):
        if not (server.data_dir / "postmaster.pid").exists():
            break
        time.sleep(0.1)
    shutil.rmtree(server.root, ignore_errors=True)


if __name__ == "__main__":
    srv = start_server()
    print(srv.conn_str)
    print("socket dir:", srv.socket_dir)
    try:
        input("Enter stops the server... ")
    finally:
        stop_server(srv)
