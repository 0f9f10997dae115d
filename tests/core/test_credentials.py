"""Which `set` entries are credentials (by name), and masking them in Terraform's own text. Pure."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from k8sprov.credentials import (
    TextMasker,
    credential_values,
    env_var_value,
    is_credential_name,
    known_secrets,
    scrub,
    secret_values,
)
from k8sprov.errors import TerraformError
from k8sprov.lint.run import credential_findings
from k8sprov.terraform import RunResult, Terraform, TerraformBinary, _pump


@pytest.mark.parametrize(
    "name",
    [
        "configs.secret.argocdServerAdminPassword",
        "redis.auth.password",
        "server.token",
        "webhook.github.secret",
        "sso.clientSecret",
        "configs.credentialTemplates.https-creds.password",
        "extra.my_api_key",
        "apiKey",
        "db.PASSWORD",
        "API_TOKEN",
        "tls.key",
        "passwords[0]",
        "annotations.foo\\.password",
        "smtp.passphrase",
        "registry.credentials",
    ],
)
def test_credential_names(name: str) -> None:
    assert is_credential_name(name)


@pytest.mark.parametrize(
    "name",
    [
        "configs.secret.argocdServerAdminPasswordMtime",  # a timestamp about the password
        "auth.existingSecret",  # the name of a Secret
        "configs.secret.createSecret",  # a switch
        "automountServiceAccountToken",
        "secretName",
        "tokenTtl",
        "keyring",
        "gpg.keyRing",
        "affinity.topologyKey",
        "publicKey",
        "tolerations[0].key",  # a taint's key
        "env[0].valueFrom.secretKeyRef.key",
        "global.imagePullSecrets[0].name",
        "server.replicas",
        "",
        None,
        3,
    ],
)
def test_names_that_are_not_credentials(name: object) -> None:
    assert not is_credential_name(name)


def test_values_of_credential_entries_and_of_release_secrets() -> None:
    overrides = {
        "argo-cd": {
            "set": [
                {"name": "configs.secret.argocdServerAdminPassword", "value": "pw-1"},
                {"name": "server.replicas", "value": "2"},
                "junk",
            ]
        },
        "kyverno": {"timeout": 60},
    }
    assert list(credential_values(overrides)) == [
        ("argo-cd", 0, "configs.secret.argocdServerAdminPassword", "pw-1")
    ]
    assert list(secret_values({"argo-cd": [{"name": "a.password", "value": "pw-2"}], "x": "junk"})) == [
        "pw-2"
    ]
    assert list(credential_values("not a map")) == [] and list(secret_values(None)) == []


def test_known_secrets_read_the_env_file_and_terraforms_environment_variables() -> None:
    environ = {
        "TF_VAR_release_overrides": '{"argo-cd"={set=[{name="configs.secret.argocdServerAdminPassword", '
        'value="from-env-pw"}]}}',
        "TF_VAR_release_secrets": '{"kyverno"=[{name="x.y", value="secret-pw"}]}',
    }
    assert env_var_value("release_overrides", environ) == {
        "argo-cd": {"set": [{"name": "configs.secret.argocdServerAdminPassword", "value": "from-env-pw"}]}
    }
    file_data = {
        "release_overrides": {
            "kyverno": {
                "set": [{"name": "auth.token", "value": "file-token"}, {"name": "replicas", "value": "3"}]
            }
        }
    }
    assert known_secrets(file_data, environ) == ("file-token", "from-env-pw", "secret-pw")
    assert known_secrets({}, {"TF_VAR_release_overrides": "{not hcl"}) == ()


def test_text_masker_hides_by_name_across_chunks() -> None:
    text = [
        "      ~ set = [\n          ~ {\n",
        '                name  = "configs.secret.argocdServerAdminPassword"\n',
        '              ~ value = "old-pw-1" -> "new-pw-2"\n            },\n',
        '          + {\n              + name  = "server.replicas"\n',
        '              + value = "2"\n            },\n',
        '                          - argocdServerAdminPassword = "old-pw-1"\n',
        '                          - githubSecret              = "(sensitive value)"\n',
        "      adminPassword: yaml-pw\n",
        '      + secretName = "my-secret"\n',
        "          ~ password = (known after apply)\n",
    ]
    masker = TextMasker()
    out = "".join(masker(chunk) for chunk in text)
    for secret in ("old-pw-1", "new-pw-2", "yaml-pw"):
        assert secret not in out
    assert '+ value = "2"' in out and 'secretName = "my-secret"' in out
    assert "value = (sensitive value)\n" in out and "argocdServerAdminPassword = (sensitive value)" in out
    assert "password = (known after apply)" in out
    plain = "module.x.helm_release.this[0]: Refreshing state... [id=kyverno]\n"
    assert TextMasker()(plain) == plain


def test_scrub_hides_known_values_only() -> None:
    assert scrub("a pw-123 b pw-1234", ["pw-123", "pw-1234"]) == "a *** b ***"
    assert scrub("ab", ["ab"]) == "ab"  # too short to mask without masking everything


def test_lint_points_credential_entries_to_release_secrets_without_their_value() -> None:
    text = (
        'release_overrides = {\n  "argo-cd" = {\n    set = [\n'
        '      { name = "configs.secret.argocdServerAdminPassword", value = "lint-pw" },\n    ]\n  }\n}\n'
    )
    overrides = {
        "argo-cd": {"set": [{"name": "configs.secret.argocdServerAdminPassword", "value": "lint-pw"}]}
    }
    (finding,) = credential_findings(overrides, "infra/envs/staging.tfvars", text)
    assert finding.where == "infra/envs/staging.tfvars:4" and finding.severity == "warning"
    assert finding.path == "release_overrides.argo-cd.set.0.name"
    assert "release_secrets" in finding.message and "lint-pw" not in str(finding.as_dict())


def test_terraform_output_and_errors_hide_credentials(tmp_path: Path) -> None:
    """What k8sprov echoes from terraform (streamed, an error and its --debug detail) is masked."""
    binary = TerraformBinary(path="/opt/tf/terraform", version="1.11.4", flavor="terraform")
    tf = Terraform(
        binary, working_dir=tmp_path, data_dir=tmp_path / "d", workspace="w", secrets=("known-pw-123",)
    )
    output = (
        b'              + name  = "configs.secret.argocdServerAdminPassword"\n'
        b'              + value = "stream-pw-1"\n'
        b"  # known-pw-123 quoted by a provider\n"
    )
    sink, keep = io.StringIO(), []
    _pump(io.BytesIO(output), sink, keep, tf.masker())
    assert "stream-pw-1" not in sink.getvalue() and "known-pw-123" not in sink.getvalue()
    assert "stream-pw-1" in "".join(keep)  # kept raw for k8sprov's own parsing, never printed
    failed = RunResult(
        1,
        "",
        '│ Error: Invalid value\n│ \n│ the value "known-pw-123" is bad\n│   adminPassword = "other-pw-456"\n',
    )
    with pytest.raises(TerraformError) as err:
        tf._raise_failure(failed, "plan")
    shown = err.value.one_line() + (err.value.detail or "")
    assert "known-pw-123" not in shown and "other-pw-456" not in shown and "Invalid value" in shown
