"""Fixtures for the Terraform stack checks: the project's modules and the real provider schemas."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.kit.provider_schemas import load_schema_file, provider_schema
from tests.stack.hclcheck import Module, Schema

PROJECT = Path(__file__).resolve().parents[2]
TERRAFORM = PROJECT / "terraform"
MODULE_DIRS = {
    "root": TERRAFORM,
    "provision_k8s": TERRAFORM / "modules" / "provision_k8s",
    "helm": TERRAFORM / "modules" / "helm",
}
PROFILES = ("basic", "staging", "production")


@pytest.fixture(scope="session")
def schemas() -> dict[str, Schema]:
    """Provider local name -> schema: helm and kubernetes from the PyPI wheels, talos hand-written."""
    return {
        "helm": provider_schema("helm"),
        "kubernetes": provider_schema("kubernetes"),
        "talos": load_schema_file(Path(__file__).parent / "schemas" / "talos.json"),
    }


@pytest.fixture(scope="session")
def modules() -> dict[str, Module]:
    return {name: Module.load(path) for name, path in MODULE_DIRS.items()}
