"""Pinned signing keys: update-charts checks `<archive>.prov` with the pinned key only, and agrees with
`helm verify` on every fixture; a bad case leaves charts/ and the lock untouched with a one-line error."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.charts import builders
from tests.supply.conftest import ARCHIVE, CHART, VERSION, Key, SignedWorld


def helm_verify(helm: Path, tmp: Path, key: Key, archive: bytes, prov: bytes | None) -> bool:
    """Helm's own verdict on the same bytes, with only the pinned key in its keyring."""
    tmp.mkdir()
    (tmp / ARCHIVE).write_bytes(archive)
    if prov is not None:
        (tmp / f"{ARCHIVE}.prov").write_bytes(prov)
    done = subprocess.run([str(helm), "verify", "--keyring", str(key.pubring), str(tmp / ARCHIVE)],
                          capture_output=True, text=True, check=False)
    return done.returncode == 0


def cases(signed: dict[str, tuple[bytes, bytes | None]]) -> dict[str, tuple[bytes, bytes | None]]:
    archive, prov = signed["publisher"]
    assert prov is not None
    other = builders.chart_tgz(CHART, VERSION, 3_000)  # a valid chart, but not the bytes that were signed
    tampered_prov = prov.replace(b"A Helm chart for demo", b"A Helm chart for d3mo")
    assert tampered_prov != prov
    return {
        "good": (archive, prov),
        "tampered archive": (other, prov),
        "tampered provenance": (archive, tampered_prov),
        "another signer": signed["stranger"],
        "missing provenance": (archive, None),
    }


def test_signed_chart_vendors_with_its_signer_in_the_lock(signed_world: SignedWorld,
                                                         signed_chart: dict[str, tuple[bytes, bytes | None]]
                                                         ) -> None:
    archive, prov = signed_chart["publisher"]
    signed_world.serve(archive, prov)
    result = signed_world.run()
    assert result.exit_code == 0, result.output
    lock = json.loads((signed_world.charts_dir / "charts.lock").read_text())
    [entry] = lock["charts"]
    assert entry["signer"] == signed_world.key.fingerprint
    assert entry["sha256"] == builders.sha256(archive)
    assert (signed_world.charts_dir / ARCHIVE).read_bytes() == archive
    assert (signed_world.charts_dir / f"{ARCHIVE}.prov").read_bytes() == prov
    assert f"signed by {signed_world.key.fingerprint[-16:]}" in result.stderr
    # warm: settled, no request at all
    signed_world.server.clear_log()
    again = signed_world.run()
    assert again.exit_code == 0 and signed_world.server.log == []


@pytest.mark.parametrize("case", ["good", "tampered archive", "tampered provenance", "another signer",
                                  "missing provenance"])
def test_k8sprov_agrees_with_helm_verify(case: str, signed_world: SignedWorld, helm_binary: Path,
                                        signed_chart: dict[str, tuple[bytes, bytes | None]],
                                        tmp_path: Path) -> None:
    archive, prov = cases(signed_chart)[case]
    helm_ok = helm_verify(helm_binary, tmp_path / "helm", signed_world.key, archive, prov)
    signed_world.serve(archive, prov)
    result = signed_world.run()
    assert (result.exit_code == 0) is helm_ok is (case == "good"), result.output
    if helm_ok:
        return
    assert signed_world.snapshot() == {}  # nothing vendored, no lock written
    errors = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(errors) == 1, result.stderr
    assert f"{CHART} {VERSION}" in errors[0] and signed_world.key.fingerprint in errors[0]
    assert WHY[case] in errors[0]
    assert "Traceback" not in result.output


WHY = {
    "tampered archive": "the archive was altered after signing",
    "tampered provenance": "bad signature: the signed text or the signature was altered",
    "another signer": "not the pinned one",
    "missing provenance": f"no signature: {ARCHIVE}.prov is missing",
}


def test_a_bad_signature_leaves_an_earlier_vendoring_untouched(
        signed_world: SignedWorld, signed_chart: dict[str, tuple[bytes, bytes | None]]) -> None:
    archive, prov = signed_chart["publisher"]
    signed_world.serve(archive, prov)
    assert signed_world.run().exit_code == 0
    before = signed_world.snapshot()
    (signed_world.charts_dir / ARCHIVE).unlink()  # forces a fetch
    before.pop(ARCHIVE)
    signed_world.serve(*signed_chart["stranger"])
    result = signed_world.run()
    assert result.exit_code != 0
    assert "bad signature" in result.stderr
    assert signed_world.snapshot() == before


def test_check_reverifies_offline_from_the_vendored_provenance(
        signed_world: SignedWorld, signed_chart: dict[str, tuple[bytes, bytes | None]]) -> None:
    archive, prov = signed_chart["publisher"]
    assert prov is not None
    signed_world.serve(archive, prov)
    assert signed_world.run().exit_code == 0
    signed_world.server.stop()  # offline from here
    ok = signed_world.run("--check")
    assert ok.exit_code == 0, ok.output
    (signed_world.charts_dir / f"{ARCHIVE}.prov").write_bytes(
        prov.replace(b"A Helm chart for demo", b"A Helm chart for d3mo"))
    bad = signed_world.run("--check")
    assert bad.exit_code != 0
    assert f"signature {ARCHIVE}: {CHART} {VERSION}: bad signature" in bad.stdout
    (signed_world.charts_dir / f"{ARCHIVE}.prov").unlink()
    missing = signed_world.run("--check")
    assert missing.exit_code != 0 and f"{ARCHIVE}.prov is missing" in missing.stdout


def test_an_oci_source_cannot_satisfy_a_pinned_key(signed_world: SignedWorld,
                                                  signed_chart: dict[str, tuple[bytes, bytes | None]],
                                                  tmp_path: Path) -> None:
    from tests.supply.conftest import signed_project

    archive, _ = signed_chart["publisher"]
    signed_world.server.add_oci_chart(f"charts/{CHART}", VERSION, archive)
    signed_world.project = signed_project(tmp_path / "oci", signed_world.server, signed_world.key, oci=True)
    result = signed_world.run("--prefer-oci")
    assert result.exit_code != 0
    assert "cannot be checked for an OCI chart" in result.stderr
    assert signed_world.snapshot() == {}


def test_signed_by_must_be_a_fingerprint(signed_world: SignedWorld) -> None:
    tf = signed_world.project / "terraform" / "modules" / "provision_k8s" / "versions.tf"
    tf.write_text(tf.read_text().replace(signed_world.key.fingerprint, "CD9D2252"))
    result = signed_world.run()
    assert result.exit_code == 64
    assert "signed_by must be a 40-hex-digit key fingerprint" in result.stderr


def test_charts_shows_who_signs_each_chart(signed_world: SignedWorld,
                                           signed_chart: dict[str, tuple[bytes, bytes | None]]) -> None:
    signed_world.serve(*signed_chart["publisher"])
    before = signed_world.cli("-C", str(signed_world.project), "charts", "--json")
    row = json.loads(before.stdout)["charts"][0]
    assert row["signed_by"] == signed_world.key.fingerprint and row["signature"] == "not verified yet"
    assert signed_world.run().exit_code == 0
    after = signed_world.cli("-C", str(signed_world.project), "charts", "--json")
    assert json.loads(after.stdout)["charts"][0]["signature"] == "verified"
    table = signed_world.cli("-C", str(signed_world.project), "charts")
    assert f"signed by {signed_world.key.fingerprint[-16:]}" in table.stdout


def _doctor_signatures(world: SignedWorld) -> dict[str, Any]:
    result = world.cli("-C", str(world.project), "doctor", "--offline", "--json")
    doc = json.loads(result.stdout)
    (items,) = [c["items"] for c in doc["checklists"] if c["name"] == "project"]
    return {i["name"]: i for i in items}["signatures"]


def test_doctor_says_which_charts_are_verified_and_which_cannot_be(signed_world: SignedWorld) -> None:
    item = _doctor_signatures(signed_world)
    assert item["status"] == "ok"
    assert f"signed by a pinned key: demo ({signed_world.key.fingerprint[-16:]})" in item["message"]
    # a chart vendored from an OCI registry: its cosign signature is not checked, and doctor says so
    signed_world.charts_dir.mkdir()
    (signed_world.charts_dir / "charts.lock").write_text(json.dumps({"version": 1, "charts": [
        {"name": CHART, "version": VERSION, "source": "oci://ghcr.io/example/demo:0.1.0",
         "sha256": "0" * 64, "size": 1}]}))
    assert "vendored from OCI, cosign signatures not verified: demo" in _doctor_signatures(signed_world)[
        "message"]
    (signed_world.project / "infra" / "keys" / f"{signed_world.key.fingerprint}.asc").unlink()
    missing = _doctor_signatures(signed_world)
    assert missing["status"] == "fail"
    assert f"infra/keys/{signed_world.key.fingerprint}.asc" in missing["message"]


def test_a_key_pinned_after_vendoring_is_checked_before_anything_uses_the_chart(
        signed_world: SignedWorld, signed_chart: dict[str, tuple[bytes, bytes | None]]) -> None:
    tf = signed_world.project / "terraform" / "modules" / "provision_k8s" / "versions.tf"
    pinned = tf.read_text()
    line = f'      signed_by = "{signed_world.key.fingerprint}"\n'
    assert line in pinned
    tf.write_text(pinned.replace(line, ""))
    signed_world.serve(*signed_chart["publisher"])
    assert signed_world.run().exit_code == 0
    assert "signer" not in json.loads((signed_world.charts_dir / "charts.lock").read_text())["charts"][0]
    tf.write_text(pinned)
    # plan's chart check (doctor runs the same) refuses the chart until its signature was checked
    result = signed_world.cli("-C", str(signed_world.project), "doctor", "--offline", "--json", "--env",
                              "basic")
    doc = json.loads(result.stdout)
    (items,) = [c["items"] for c in doc["checklists"] if c["name"] == "basic"]
    charts = {i["name"]: i for i in items}["charts"]
    assert charts["status"] == "fail"
    fp = signed_world.key.fingerprint
    assert f"signature {ARCHIVE} (no signature by {fp} verified)" in charts["message"]
    # update-charts fetches only the provenance: the archive on disk is already the locked one
    signed_world.server.clear_log()
    again = signed_world.run()
    assert again.exit_code == 0, again.output
    assert [p for p in signed_world.server.paths() if p.startswith("/repo/demo")] == [f"/repo/{ARCHIVE}.prov"]
    entry = json.loads((signed_world.charts_dir / "charts.lock").read_text())["charts"][0]
    assert entry["signer"] == signed_world.key.fingerprint


@pytest.mark.parametrize("key_file", ["missing", "another key", "no gpg"])
def test_a_key_that_cannot_check_the_signature_stops_the_run(
        key_file: str, signed_world: SignedWorld, signing_keys: dict[str, Key],
        signed_chart: dict[str, tuple[bytes, bytes | None]], monkeypatch: pytest.MonkeyPatch) -> None:
    path = signed_world.project / "infra" / "keys" / f"{signed_world.key.fingerprint}.asc"
    if key_file == "missing":
        path.unlink()
        why = f"public key infra/keys/{signed_world.key.fingerprint}.asc not found"
    elif key_file == "another key":
        path.write_text(signing_keys["stranger"].armored)
        why = f"the key file holds no key with fingerprint {signed_world.key.fingerprint}"
    else:
        monkeypatch.setenv("PATH", "/nonexistent")  # helm is not needed here; gpg is
        why = "cannot check the signature: gpg not found"
    signed_world.serve(*signed_chart["publisher"])
    result = signed_world.run()
    assert result.exit_code == 1
    assert why in result.stderr and f"{CHART} {VERSION}" in result.stderr
    assert signed_world.snapshot() == {}
