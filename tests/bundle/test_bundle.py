"""Bundling a real fixture environment (initialised by the test kit's Terraform 1.0.3 with hashicorp/null),
verifying it, tampering with it, and planning from its unpacked copy with no network at all."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import shutil
import subprocess
import tarfile
from pathlib import Path
from typing import Any

import pytest

from k8sprov.bundle.providers import hash_h1, installed_packages, parse_lock
from tests.bundle.conftest import Bundled
from tests.bundle.stack import k8sprov, make_project
from tests.kit.fetch_terraform import TerraformKit

NULL = "registry.terraform.io/hashicorp/null"


def manifest(file: Path) -> dict[str, Any]:
    with tarfile.open(file, "r:gz") as tar:
        first = tar.next()
        assert first is not None and first.name == "bundle.json"
        reader = tar.extractfile(first)
        assert reader is not None
        data: dict[str, Any] = json.loads(reader.read())
    return data


def test_h1_matches_the_lock_file_terraform_wrote(bundled: Bundled) -> None:
    locked = parse_lock((bundled.project / "terraform" / ".terraform.lock.hcl").read_text())
    (package,) = installed_packages(bundled.project / ".k8sprov" / "envs" / "a" / "tfdata" / "providers")
    assert package.address == NULL and package.platform == "linux_amd64"
    assert hash_h1(package.folder) in locked[NULL].hashes


def test_bundle_holds_what_the_environment_needs_and_nothing_else(bundled: Bundled) -> None:
    data = manifest(bundled.file)
    paths = [m["path"] for m in data["members"]]
    assert paths == sorted(paths)
    assert data["environment"] == "a" and data["profile"] == "basic"
    assert data["terraform_required_version"] == ">= 1.0"
    assert data["platforms"] == ["linux_amd64"]
    assert [p["source"] for p in data["providers"]] == [NULL]
    assert "terraform/.terraform.lock.hcl" in paths and "terraform/modules/items/main.tf" in paths
    assert "infra/envs/a.tfvars" in paths and "infra/envs/b.tfvars" not in paths
    assert "infra/values/kyverno/basic.yaml" in paths and "infra/values/kyverno/production.yaml" not in paths
    assert "charts/kyverno-3.9.0.tgz" in paths and "charts/kyverno-3.8.2.tgz" not in paths  # production's
    assert any(p.startswith(f"providers/{NULL}/2.1.2/linux_amd64/terraform-provider-null") for p in paths)
    assert not any(".k8sprov" in p or "tfstate" in p or "/.terraform/" in p for p in paths)
    with tarfile.open(bundled.file, "r:gz") as tar:
        lock = json.loads(tar.extractfile("charts/charts.lock").read())  # type: ignore[union-attr]
        modes = {m.name: m.mode for m in tar.getmembers()}
    assert sorted((c["name"], c["version"]) for c in lock["charts"]) == [
        ("argo-cd", "10.1.1"), ("kyverno", "3.9.0"), ("kyverno-policies", "3.9.0"),
        ("prometheus-operator-crds", "31.0.1")]
    assert {modes[p] for p in paths if p.startswith("providers/")} == {0o755}
    assert modes["terraform/main.tf"] == 0o644
    assert bundled.file.stat().st_mode & 0o777 == 0o600  # env files may hold secrets: private at rest
    assert bundled.stdout.strip().splitlines()[-1] == f"aggregate sha256: {data['aggregate_sha256']}"


def test_verify_passes_and_prints_the_aggregate(bundled: Bundled, cli: Any) -> None:
    result = cli("bundle", "verify", str(bundled.file))
    assert result.exit_code == 0, result.output
    assert f"aggregate sha256: {manifest(bundled.file)['aggregate_sha256']}" in result.stdout
    assert "OK" in result.stdout and "environment a, profile basic" in result.stdout


def test_the_aggregate_is_sha256sum_of_the_member_lines(bundled: Bundled, tmp_path: Path, cli: Any) -> None:
    """Documented recipe: recompute the digest from an unpacked folder with standard tools."""
    dest = tmp_path / "site"
    assert cli("bundle", "unpack", str(bundled.file), str(dest)).exit_code == 0
    data = manifest(bundled.file)
    lines = "".join(f"{hashlib.sha256((dest / m['path']).read_bytes()).hexdigest()}  {m['path']}\n"
                    for m in data["members"])
    assert hashlib.sha256(lines.encode()).hexdigest() == data["aggregate_sha256"]


def _flip(file: Path, member: str, out: Path, raw: bytes | None = None) -> None:
    """The same bundle with one byte flipped inside `member`'s data (re-gzipped, so gzip's CRC is fine;
    level 0 keeps the test fast)."""
    data = bytearray(raw if raw is not None else gzip.decompress(file.read_bytes()))
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        info = tar.getmember(member)
    data[info.offset_data + info.size // 2] ^= 0x01
    out.write_bytes(gzip.compress(bytes(data), compresslevel=0, mtime=0))


def test_one_flipped_byte_in_any_member_fails_verify_naming_it(bundled: Bundled, tmp_path: Path,
                                                               cli: Any) -> None:
    paths = [m["path"] for m in manifest(bundled.file)["members"]]
    assert len(paths) >= 10
    raw = gzip.decompress(bundled.file.read_bytes())
    for path in paths:
        bad = tmp_path / "bad.tar.gz"
        _flip(bundled.file, path, bad, raw)
        result = cli("bundle", "verify", str(bad))
        assert result.exit_code == 1, path
        assert f"member {path!r} does not match its sha256" in result.stderr, result.stderr
    _flip(bundled.file, "bundle.json", tmp_path / "bad.tar.gz", raw)
    result = cli("bundle", "verify", str(tmp_path / "bad.tar.gz"))
    assert result.exit_code == 1 and "bundle.json" in result.stderr


def test_two_bundles_of_the_same_inputs_are_byte_identical(bundled: Bundled, tmp_path: Path,
                                                           tf_kit: TerraformKit) -> None:
    # The second bundle is made after every input file got a new mtime: only content counts.
    for path in (bundled.project / "terraform").rglob("*"):
        os.utime(path, (1_600_000_000, 1_600_000_000))
    again = tmp_path / "again.tar.gz"
    made = k8sprov("-C", str(bundled.project), "bundle", "--env", "a", "-o", str(again), kit=tf_kit,
                   home=bundled.home)
    assert made.returncode == 0, made.stderr
    assert again.read_bytes() == bundled.file.read_bytes()


def _no_network_prefix() -> tuple[tuple[str, ...], dict[str, str], str]:
    """`unshare -n` (a network namespace with no interfaces) where we may; else every proxy variable
    pointed at a closed loopback port, which Terraform's HTTP client honours."""
    unshare = shutil.which("unshare")
    if unshare and subprocess.run([unshare, "-n", "true"], capture_output=True, check=False).returncode == 0:
        return (unshare, "-n"), {}, "unshare -n"
    closed = "http://127.0.0.1:9"
    proxies = {k: closed for k in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY")}
    return (), {**proxies, "NO_PROXY": "", "no_proxy": ""}, "proxies at a closed port"


def test_unpacked_bundle_plans_with_no_network_empty_home_and_no_cli_config(
        bundled: Bundled, tmp_path: Path, tf_kit: TerraformKit) -> None:
    site = tmp_path / "site"
    site.mkdir()  # empty folders are fine
    home = tmp_path / "empty-home"
    home.mkdir()
    unpacked = k8sprov("bundle", "unpack", str(bundled.file), str(site), kit=tf_kit, home=home)
    assert unpacked.returncode == 0, unpacked.stderr
    assert f"next: k8sprov -C {site} plan --env a" in unpacked.stdout
    prefix, extra, how = _no_network_prefix()
    # TF_CLI_CONFIG_FILE removed: nothing but the bundle tells Terraform where providers are.
    env = {"TF_CLI_CONFIG_FILE": "", **extra}
    check = k8sprov("-C", str(site), "update-charts", "--check", "--env", "a", kit=tf_kit, home=home,
                    extra=env, prefix=prefix)
    assert check.returncode == 0, f"{how}: {check.stdout}{check.stderr}"
    assert "4 chart archive(s) match" in check.stdout
    plan = k8sprov("-C", str(site), "plan", "--env", "a", kit=tf_kit, home=home, extra=env, prefix=prefix)
    assert plan.returncode == 0, f"{how}: {plan.stdout}{plan.stderr}"
    assert 'null_resource.item["one"]  create' in plan.stdout and "Plan: 2 to add" in plan.stdout
    config = site / ".k8sprov" / "terraformrc"
    assert config.stat().st_mode & 0o777 == 0o600
    assert f'path = "{site / "providers"}"' in config.read_text()
    installed = list((site / ".k8sprov" / "envs" / "a" / "tfdata" / "providers").glob("*/*/*/*/*"))
    assert [p.resolve() for p in installed] == [site / "providers" / NULL / "2.1.2" / "linux_amd64"]
    assert not any(home.iterdir())  # nothing read or written in HOME


def test_unpack_refuses_a_folder_with_files(bundled: Bundled, tmp_path: Path, cli: Any) -> None:
    (tmp_path / "keep.txt").write_text("mine")
    result = cli("bundle", "unpack", str(bundled.file), str(tmp_path))
    assert result.exit_code == 1 and "not an empty folder" in result.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]


def test_tampered_bundle_is_not_unpacked(bundled: Bundled, tmp_path: Path, cli: Any) -> None:
    bad = tmp_path / "bad.tar.gz"
    _flip(bundled.file, "terraform/main.tf", bad)
    result = cli("bundle", "unpack", str(bad), str(tmp_path / "site"))
    assert result.exit_code == 1 and "'terraform/main.tf' does not match" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.tar.gz"]


PG_SECRET = "hunter2-canary"


@pytest.fixture
def pg_project(bundled: Bundled, tmp_path: Path) -> Path:
    """The bundled project with a pg backend file for `a` that carries a password."""
    project = tmp_path / "proj"
    shutil.copytree(bundled.project, project, symlinks=True)
    backends = project / "infra" / "backends"
    backends.mkdir(parents=True)
    (backends / "a.hcl").write_text(f'conn_str = "postgres://tf:{PG_SECRET}@pg.internal/state"\n'
                                    'schema_name = "k8sprov_a"\n')
    return project


def test_backend_with_a_password_is_refused_without_the_flag(pg_project: Path, tmp_path: Path,
                                                             cli: Any) -> None:
    out = tmp_path / "b.tar.gz"
    result = cli("-C", str(pg_project), "bundle", "--env", "a", "-o", str(out))
    assert result.exit_code == 1
    assert len(result.stderr.strip().splitlines()) == 1
    assert "infra/backends/a.hcl holds credentials (conn_str)" in result.stderr
    assert "PG_CONN_STR" in result.stderr and "--include-backend-secrets" in result.stderr
    assert PG_SECRET not in result.output and not out.exists()
    result = cli("-C", str(pg_project), "bundle", "--env", "a", "-o", str(out), "--include-backend-secrets")
    assert result.exit_code == 0, result.output
    assert PG_SECRET not in result.output
    assert "infra/backends/a.hcl" in [m["path"] for m in manifest(out)["members"]]
    assert out.stat().st_mode & 0o777 == 0o600


def test_a_stale_provider_install_is_refused(bundled: Bundled, tmp_path: Path, cli: Any) -> None:
    project = tmp_path / "proj"
    shutil.copytree(bundled.project, project, symlinks=True)
    lock = project / "terraform" / ".terraform.lock.hcl"
    lock.write_text(lock.read_text().replace("h1:", "h1:X"))
    result = cli("-C", str(project), "bundle", "--env", "a", "-o", str(tmp_path / "x.tgz"))
    assert result.exit_code == 1
    assert "does not match any hash in terraform/.terraform.lock.hcl" in result.stderr


def test_an_environment_never_initialised_is_refused(tmp_path: Path, cli: Any) -> None:
    project = make_project(tmp_path / "fresh")
    result = cli("-C", str(project), "bundle", "--env", "b", "-o", str(tmp_path / "x.tgz"))
    assert result.exit_code == 1 and "terraform/.terraform.lock.hcl is missing" in result.stderr
    assert "k8sprov init --env b" in result.stderr


def test_extra_platforms_need_the_registry(bundled: Bundled, tmp_path: Path, tf_kit: TerraformKit) -> None:
    """`terraform providers mirror` always asks registry.terraform.io: offline that is a one-line error."""
    closed = "http://127.0.0.1:9"
    extra = {"HTTPS_PROXY": closed, "HTTP_PROXY": closed, "https_proxy": closed, "NO_PROXY": ""}
    out = tmp_path / "x.tgz"
    result = k8sprov("-C", str(bundled.project), "bundle", "--env", "a", "-o", str(out), "--platform",
                     "linux_arm64", kit=tf_kit, home=bundled.home, extra=extra)
    assert result.returncode == 1, result.stdout + result.stderr
    assert ("providers for linux_arm64: terraform providers mirror: Provider not available:"
            f" Failed to download {NULL} from its origin") in result.stderr
    assert "needs the providers' registries" in result.stderr and len(result.stderr.splitlines()) == 1
    assert not out.exists()
    bad = k8sprov("-C", str(bundled.project), "bundle", "--env", "a", "--platform", "arm64", kit=tf_kit,
                  home=bundled.home)
    assert bad.returncode == 64 and "'arm64' is not OS_ARCH" in bad.stderr


def test_bundle_without_env_or_subcommand_is_a_usage_error(cli: Any) -> None:
    result = cli("bundle")
    assert result.exit_code == 64 and "bundle needs --env" in result.stderr


def _packed(root: Path, platform: str, files: dict[str, bytes]) -> Path:
    """What `terraform providers mirror` writes: a zip per platform next to JSON indexes."""
    import zipfile

    folder = root / NULL
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "index.json").write_text('{"versions": {"2.1.2": {}}}')
    with zipfile.ZipFile(folder / f"terraform-provider-null_2.1.2_{platform}.zip", "w") as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return root


def test_packages_from_providers_mirror_are_unpacked_and_checked_against_the_lock(
        bundled: Bundled, tmp_path: Path, tf_kit: TerraformKit) -> None:
    from k8sprov.bundle.archive import BundleError
    from k8sprov.bundle.create import extra_platform_members
    from k8sprov.project import Project

    project = Project(bundled.project)
    binary = next(tf_kit.mirror.rglob("terraform-provider-null_*")).read_bytes()
    name = "terraform-provider-null_v2.1.2_x4"
    good = _packed(tmp_path / "good", "linux_amd64", {name: binary})
    members, info = extra_platform_members(project, good, tmp_path / "u1", ["linux_amd64"], 1 << 30)
    assert [m.path for m in members] == [f"providers/{NULL}/2.1.2/linux_amd64/{name}"]
    assert members[0].executable and info[0]["h1"] in parse_lock(
        (bundled.project / "terraform" / ".terraform.lock.hcl").read_text())[NULL].hashes
    other = _packed(tmp_path / "other", "linux_arm64", {name: b"\x7fELF arm64 build"})
    with pytest.raises(BundleError, match=r"\(linux_arm64\) fetched by terraform providers mirror does not"
                                          r" match any hash") as err:
        extra_platform_members(project, other, tmp_path / "u2", ["linux_arm64"], 1 << 30)
    assert "terraform providers lock -platform=linux_arm64" in (err.value.hint or "")
    evil = _packed(tmp_path / "evil", "linux_arm64", {"../../evil": b"x"})
    with pytest.raises(BundleError, match=r"path with '\.\.'"):
        extra_platform_members(project, evil, tmp_path / "u3", ["linux_arm64"], 1 << 30)
    assert not [p for p in tmp_path.rglob("evil") if p.is_file()]  # nothing written


def test_bundle_carries_the_image_list_sbom_and_signed_charts_provenance(
        bundled: Bundled, tmp_path: Path, cli: Any, helm_binary: Path) -> None:
    """With Helm: supply/images.{json,txt} and supply/sbom.cdx.json; a chart with a pinned key carries its
    provenance and key, and `bundle verify` checks the signature with that key."""
    from dataclasses import replace

    from k8sprov.bundle.archive import Member, write
    from k8sprov.charts.lock import read_lock, write_lock
    from tests.supply.conftest import make_key, package_signed

    project = tmp_path / "proj"
    shutil.copytree(bundled.project, project)
    keys = {name: make_key(tmp_path, name) for name in ("publisher", "stranger")}
    fp = keys["publisher"].fingerprint
    archive, prov = package_signed(helm_binary, tmp_path / "pkg", keys["publisher"], name="kyverno",
                                   version="3.9.0")
    assert prov is not None
    (project / "charts" / "kyverno-3.9.0.tgz").write_bytes(archive)
    (project / "charts" / "kyverno-3.9.0.tgz.prov").write_bytes(prov)
    lock = read_lock(project / "charts")
    key = ("kyverno", "3.9.0")
    lock[key] = replace(lock[key], sha256=hashlib.sha256(archive).hexdigest(), size=len(archive), signer=fp)
    write_lock(project / "charts", lock.values())
    catalog = project / "terraform" / "modules" / "provision_k8s" / "versions.tf"
    catalog.write_text(catalog.read_text().replace('chart      = "kyverno"\n',
                                                   f'chart      = "kyverno"\n      signed_by  = "{fp}"\n'))
    (project / "infra" / "keys").mkdir(parents=True)
    (project / "infra" / "keys" / f"{fp}.asc").write_text(keys["publisher"].armored)

    out = tmp_path / "signed.tar.gz"
    made = cli("-C", str(project), "--helm", str(helm_binary), "bundle", "--env", "a", "-o", str(out))
    assert made.exit_code == 0, made.output
    data = manifest(out)
    paths = {m["path"] for m in data["members"]}
    assert {"charts/kyverno-3.9.0.tgz.prov", f"infra/keys/{fp}.asc", "supply/images.json",
            "supply/images.txt", "supply/sbom.cdx.json"} <= paths
    assert data["supply"]["included"] and data["supply"]["image_count"] == 0  # the fixture charts run no pods
    kyverno = next(c for c in data["charts"] if c["name"] == "kyverno" and c["version"] == "3.9.0")
    assert kyverno["signed_by"] == kyverno["signer"] == fp
    with tarfile.open(out, "r:gz") as tar:
        sbom = json.loads(tar.extractfile("supply/sbom.cdx.json").read())  # type: ignore[union-attr]
    assert sbom["specVersion"] == "1.6"
    assert {"name": "k8sprov:signer", "value": fp} in next(
        c for c in sbom["components"] if c["bom-ref"] == "chart:kyverno@3.9.0")["properties"]
    again = tmp_path / "again.tar.gz"
    assert cli("-C", str(project), "--helm", str(helm_binary), "bundle", "--env", "a", "-o",
               str(again)).exit_code == 0
    assert again.read_bytes() == out.read_bytes()
    ok = cli("bundle", "verify", str(out))
    assert ok.exit_code == 0, ok.output
    assert f"signature ok: kyverno 3.9.0: {fp}" in ok.stdout

    # A bundle whose members all match its manifest, but whose provenance another key signed.
    unpacked = tmp_path / "unpacked"
    assert cli("bundle", "unpack", str(out), str(unpacked)).exit_code == 0
    _, stranger_prov = package_signed(helm_binary, tmp_path / "pkg2", keys["stranger"], name="kyverno",
                                      version="3.9.0")
    assert stranger_prov is not None
    (unpacked / "charts" / "kyverno-3.9.0.tgz.prov").write_bytes(stranger_prov)
    metadata = {k: v for k, v in data.items() if k not in ("format", "members", "aggregate_sha256")}
    forged = tmp_path / "forged.tar.gz"
    write(forged, [Member(m["path"], unpacked / m["path"]) for m in data["members"]], metadata)
    bad = cli("bundle", "verify", str(forged))
    assert bad.exit_code == 1
    assert "kyverno 3.9.0: bad signature" in bad.stderr and fp in bad.stderr
    assert len([line for line in bad.stderr.splitlines() if line.strip()]) == 1
    site = tmp_path / "site"
    refused_unpack = cli("bundle", "unpack", str(forged), str(site))
    assert refused_unpack.exit_code == 1 and "bad signature" in refused_unpack.stderr
    assert not site.exists() or not any(site.iterdir())  # nothing extracted

    # and the project itself, with that provenance, is not bundled at all
    (project / "charts" / "kyverno-3.9.0.tgz.prov").write_bytes(stranger_prov)
    refused = cli("-C", str(project), "--helm", str(helm_binary), "bundle", "--env", "a", "-o",
                  str(tmp_path / "no.tar.gz"))
    assert refused.exit_code == 1 and "bad signature" in refused.stderr
    assert not (tmp_path / "no.tar.gz").exists()
