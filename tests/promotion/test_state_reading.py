"""releases_from_state: helm_release instances of a raw state, in both helm provider shapes."""

from __future__ import annotations

from k8sprov.promotion.deployed import releases_from_state

SHA = "ab" * 32


def test_reads_versions_and_lock_digests_from_both_provider_shapes() -> None:
    state = {
        "version": 4,
        "resources": [
            {"module": "module.provision_k8s.module.kyverno", "mode": "managed", "type": "helm_release",
             "name": "this", "instances": [{"index_key": 0, "attributes": {
                 "name": "kyverno", "description": f"kyverno 3.9.0 sha256:{SHA}",
                 "metadata": {"chart": "kyverno", "version": "3.9.0"}}}]},
            # helm provider 2.x: metadata is a block list; no digest in an older description
            {"module": "module.provision_k8s.module.argo_cd", "mode": "managed", "type": "helm_release",
             "name": "protected", "instances": [{"index_key": 0, "attributes": {
                 "name": "argo-cd", "description": "argo-cd 9.7.1 sha256:unlocked",
                 "metadata": [{"chart": "argo-cd", "version": "9.7.1"}]}}]},
            {"mode": "data", "type": "helm_release", "name": "x",
             "instances": [{"attributes": {"name": "ignored"}}]},
            {"mode": "managed", "type": "kubernetes_namespace_v1", "name": "this",
             "instances": [{"attributes": {"name": "kyverno"}}]},
        ],
    }
    found = releases_from_state(state)
    assert set(found) == {"kyverno", "argo-cd"}
    assert (found["kyverno"].version, found["kyverno"].sha256) == ("3.9.0", SHA)
    assert found["kyverno"].address == "module.provision_k8s.module.kyverno.helm_release.this[0]"
    assert (found["argo-cd"].version, found["argo-cd"].sha256) == ("9.7.1", None)
    assert releases_from_state(None) == {} and releases_from_state({"version": 4}) == {}
