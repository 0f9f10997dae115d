"""Pure parts of bundles: Terraform's h1 hash and lock file, credential detection, member names,
crafted archives (links, traversal, devices, bombs) and the provider-mirror CLI config."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import tarfile
from pathlib import Path

import pytest

from k8sprov.bundle import archive
from k8sprov.bundle.archive import MANIFEST, BundleError, Entry, Limits, aggregate, check_name
from k8sprov.bundle.create import backend_credentials
from k8sprov.bundle.providers import hash_h1, parse_lock
from k8sprov.providermirror import mirror_env

LOCK = '''# This file is maintained automatically by "terraform init".
provider "registry.terraform.io/hashicorp/helm" {
  version     = "3.3.0"
  constraints = "~> 3.3.0"
  hashes = [
    "h1:AAAA=",
    "zh:0123",
  ]
}

provider "registry.terraform.io/siderolabs/talos" {
  version = "0.11.1"
  hashes = [
    "h1:BBBB=",
  ]
}
'''


def test_parse_lock_reads_every_provider_block() -> None:
    locked = parse_lock(LOCK)
    assert sorted(locked) == ["registry.terraform.io/hashicorp/helm",
                              "registry.terraform.io/siderolabs/talos"]
    helm = locked["registry.terraform.io/hashicorp/helm"]
    assert (helm.version, helm.hashes) == ("3.3.0", ("h1:AAAA=", "zh:0123"))
    assert locked["registry.terraform.io/siderolabs/talos"].hashes == ("h1:BBBB=",)


def test_h1_is_go_dirhash_over_sorted_relative_paths(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "x").write_bytes(b"x")
    (tmp_path / "a").write_bytes(b"a")
    (tmp_path / "B").write_bytes(b"B")  # bytewise order: "B" < "a" < "b/x"
    lines = "".join(f"{hashlib.sha256(d).hexdigest()}  {p}\n" for p, d in
                    [("B", b"B"), ("a", b"a"), ("b/x", b"x")])
    import base64

    assert hash_h1(tmp_path) == "h1:" + base64.b64encode(hashlib.sha256(lines.encode()).digest()).decode()


@pytest.mark.parametrize(("text", "found"), [
    ('conn_str = "postgres://terraform:s3cret@pg.internal:5432/state"\n', ["conn_str"]),
    ("conn_str = \"host=pg user=tf password=s3cret dbname=state\"\n", ["conn_str"]),
    ('access_key = "AKIAXXXX"\nsecret_key = "abc"\nbucket = "b"\n', ["access_key", "secret_key"]),
    ('token = "t0ken"\n', ["token"]),
    ('conn_str    = "postgres://terraform@pg.example.internal:5432/terraform_state?sslmode=verify-full"\n'
     'schema_name = "k8sprov_production"\n# export PGPASSWORD instead\n', []),
])
def test_backend_credentials_are_named_not_shown(text: str, found: list[str]) -> None:
    assert backend_credentials(text) == found


@pytest.mark.parametrize("name", ["/etc/passwd", "../x", "a/../../x", "a/./b", "a//b", "", "C:/x", "a\\b"])
def test_bad_member_names_are_refused(name: str) -> None:
    assert check_name(name) is not None


def test_normal_member_names_pass() -> None:
    assert check_name("terraform/.terraform.lock.hcl") is None
    assert check_name("providers/registry.terraform.io/hashicorp/null/2.1.2/linux_amd64/p") is None


def craft(path: Path, entries: list[tuple[str, bytes, bytes, str]], *, listed: list[Entry] | None = None,
          mode: int = 0o644) -> Path:
    """A bundle-shaped file: a manifest listing `listed` (default: the regular entries), then `entries`
    as (name, data, tar type, link target)."""
    regular = [Entry(n, len(d), hashlib.sha256(d).hexdigest())
               for n, d, t, _ in entries if t == tarfile.REGTYPE]
    members = regular if listed is None else listed
    manifest = {"format": archive.FORMAT, "members": [e.__dict__ for e in members],
                "aggregate_sha256": aggregate(members)}
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        blob = json.dumps(manifest).encode()
        info = tarfile.TarInfo(MANIFEST)
        info.size = len(blob)
        info.mode = 0o644
        tar.addfile(info, io.BytesIO(blob))
        for name, data, kind, link in entries:
            info = tarfile.TarInfo(name)
            info.type = kind
            info.mode = mode
            info.linkname = link
            info.size = len(data) if kind == tarfile.REGTYPE else 0
            tar.addfile(info, io.BytesIO(data) if kind == tarfile.REGTYPE else None)
    path.write_bytes(gzip.compress(raw.getvalue(), mtime=0))
    return path


def test_a_crafted_bundle_that_is_well_formed_verifies(tmp_path: Path) -> None:
    f = craft(tmp_path / "ok.tar.gz", [("terraform/main.tf", b"# x\n", tarfile.REGTYPE, "")])
    assert archive.verify(f).members == 1


@pytest.mark.parametrize(("entries", "why"), [
    ([("../evil", b"x", tarfile.REGTYPE, "")], "path with '..'"),
    ([("terraform/../../evil", b"x", tarfile.REGTYPE, "")], "path with '..'"),
    ([("/etc/cron.d/evil", b"x", tarfile.REGTYPE, "")], "absolute path"),
    ([("terraform/link", b"", tarfile.SYMTYPE, "/etc/passwd")], "is a link"),
    ([("terraform/inside", b"", tarfile.SYMTYPE, "main.tf")], "is a link"),
    ([("terraform/hard", b"", tarfile.LNKTYPE, "terraform/main.tf")], "is a link"),
    ([("dev/null", b"", tarfile.CHRTYPE, "")], "device or FIFO"),
    ([("fifo", b"", tarfile.FIFOTYPE, "")], "device or FIFO"),
    ([("terraform", b"", tarfile.DIRTYPE, "")], "not a regular file"),
])
def test_crafted_archives_are_refused(tmp_path: Path, entries: list[tuple[str, bytes, bytes, str]],
                                      why: str) -> None:
    f = craft(tmp_path / "bad.tar.gz", entries, listed=[])
    with pytest.raises(BundleError, match=why.replace("(", r"\(")):
        archive.verify(f)
    dest = tmp_path / "out"
    with pytest.raises(BundleError):
        archive.unpack(f, dest)
    assert not dest.exists() and not (tmp_path.parent / "evil").exists()


def test_extra_missing_and_setuid_members_are_refused(tmp_path: Path) -> None:
    a = ("a", b"1", tarfile.REGTYPE, "")
    b = ("b", b"2", tarfile.REGTYPE, "")
    listed_a = [Entry("a", 1, hashlib.sha256(b"1").hexdigest())]
    with pytest.raises(BundleError, match="extra member 'b'"):
        archive.verify(craft(tmp_path / "extra.tgz", [a, b], listed=listed_a))
    listed_ab = [*listed_a, Entry("b", 1, hashlib.sha256(b"2").hexdigest())]
    with pytest.raises(BundleError, match=r"member 'b' listed in bundle\.json is missing"):
        archive.verify(craft(tmp_path / "missing.tgz", [a], listed=listed_ab))
    with pytest.raises(BundleError, match="has mode 4755"):
        archive.verify(craft(tmp_path / "suid.tgz", [a], mode=0o4755))


def test_sizes_are_bounded_before_bytes_are_read(tmp_path: Path) -> None:
    big = ("zeros", bytes(2_000_000), tarfile.REGTYPE, "")
    f = craft(tmp_path / "bomb.tgz", [big])
    assert f.stat().st_size < 20_000  # a small file that inflates 100-fold
    with pytest.raises(BundleError, match=r"'zeros' is 2000000 bytes \(limit 1000000\)"):
        archive.verify(f, Limits(max_entry_bytes=1_000_000))
    with pytest.raises(BundleError, match="unpacks to more than 1500000 bytes"):
        archive.verify(craft(tmp_path / "two.tgz", [("zeros", bytes(900_000), tarfile.REGTYPE, ""),
                                                    ("more", bytes(900_000), tarfile.REGTYPE, "")]),
                       Limits(max_entry_bytes=1_000_000, max_total_bytes=1_500_000))
    with pytest.raises(BundleError, match="more than 2 members"):
        archive.verify(craft(tmp_path / "many.tgz", [(f"f{i}", b"x", tarfile.REGTYPE, "") for i in range(3)]),
                       Limits(max_entries=2))


def test_not_a_bundle_is_one_line(tmp_path: Path) -> None:
    plain = tmp_path / "plain.tgz"
    plain.write_bytes(b"hello")
    with pytest.raises(BundleError, match="not a gzip file"):
        archive.verify(plain)
    truncated = craft(tmp_path / "t.tgz", [("a", os.urandom(50_000), tarfile.REGTYPE, "")])
    truncated.write_bytes(truncated.read_bytes()[:20_000])
    with pytest.raises(BundleError, match="not a valid bundle"):
        archive.verify(truncated)


def test_mirror_cli_config_only_for_projects_with_providers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                                           ) -> None:
    state = tmp_path / ".k8sprov"
    assert mirror_env(tmp_path, state) == {}
    (tmp_path / "providers").mkdir()
    notes: list[str] = []
    # A TF_CLI_CONFIG_FILE naming a missing file is no configuration (Terraform ignores it too).
    monkeypatch.setenv("TF_CLI_CONFIG_FILE", str(tmp_path / "missing.tfrc"))
    env = mirror_env(tmp_path, state, notes.append)
    config = state / "terraformrc"
    assert env == {"TF_CLI_CONFIG_FILE": str(config)} and notes == []
    assert config.stat().st_mode & 0o777 == 0o600
    text = config.read_text()
    assert "filesystem_mirror" in text and str(tmp_path / "providers") in text
    assert "direct" not in text and "network_mirror" not in text
    own = tmp_path / "own.tfrc"
    own.write_text("")
    monkeypatch.setenv("TF_CLI_CONFIG_FILE", str(own))
    assert mirror_env(tmp_path, state, notes.append) == {}
    assert len(notes) == 1 and str(own) in notes[0]


def test_a_file_that_changes_while_it_is_bundled_is_refused(tmp_path: Path) -> None:
    calls: list[int] = []

    class Changing(archive.Member):
        def open(self) -> io.BytesIO:  # type: ignore[override]
            calls.append(1)
            return io.BytesIO(b"first" if len(calls) == 1 else b"other")

    out = tmp_path / "b.tar.gz"
    with pytest.raises(BundleError, match=r"terraform/main\.tf changed while it was being bundled"):
        archive.write(out, [Changing("terraform/main.tf", b"")], {})
    assert list(tmp_path.iterdir()) == []  # no partial file left


def test_written_bundles_are_deterministic_and_verify(tmp_path: Path) -> None:
    members = [archive.Member("b/x", b"x", executable=True), archive.Member("a", b"a")]
    first, size = archive.write(tmp_path / "1.tgz", members, {"environment": "e"})
    archive.write(tmp_path / "2.tgz", list(reversed(members)), {"environment": "e"})
    assert (tmp_path / "1.tgz").read_bytes() == (tmp_path / "2.tgz").read_bytes()
    assert [m["path"] for m in first["members"]] == ["a", "b/x"]
    assert size == (tmp_path / "1.tgz").stat().st_size
    with tarfile.open(tmp_path / "1.tgz") as tar:
        infos = {i.name: i for i in tar.getmembers()}
    assert infos["b/x"].mode == 0o755 and infos["a"].mode == 0o644
    owners = {(i.mtime, i.uid, i.gid, i.uname, i.gname) for i in infos.values()}
    assert owners == {(archive.MTIME, 0, 0, "", "")}
    assert (tmp_path / "1.tgz").read_bytes()[4:8] == b"\0\0\0\0"  # gzip header without a timestamp
    assert archive.verify(tmp_path / "1.tgz").aggregate == first["aggregate_sha256"]
