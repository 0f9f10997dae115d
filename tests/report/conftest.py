"""Plan summaries for the report tests, made by k8sprov's own summary code from real plans.

staging:    the real Terraform 1.0.3 plan of tests/planview/fixtures/stack after apply + taint (phase 2):
            1 create, 5 replace, 4 delete; a sensitive canary variable and output
basic:      the same stack's first plan (phase 1): 15 creates
production: tests/planview/fixtures/objects-plan.json, the four Helm releases of the stack bumped
            (argo-cd 9.5.22 → 9.7.1, kyverno and kyverno-policies 3.8.2 → 3.9.0, prometheus-operator-crds
            30.0.1 → 31.0.1), with canaries in set_sensitive values and in a Secret's stringData

Each is summarised and written exactly as `k8sprov plan --env E --json FILE` does (summarize, to_json,
json.dumps), once per session.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from k8sprov.planview import PlanHeader, summarize, to_json
from tests.planview.conftest import RealPlans, real_plans  # noqa: F401  (the session fixture)

HERE = Path(__file__).parent
OBJECTS_PLAN = HERE.parent / "planview" / "fixtures" / "objects-plan.json"
CANARY = "CANARY-s3cr3t"  # every canary of both plans starts with this


@dataclass(frozen=True)
class Summaries:
    folder: Path  # basic.json, production.json, staging.json
    plans: dict[str, dict[str, Any]]  # env -> the plan JSON each summary was made from

    def file(self, env: str) -> Path:
        return self.folder / f"{env}.json"


def write_summary(folder: Path, env: str, plan: dict[str, Any], profile: str | None = None) -> Path:
    """What `k8sprov plan --env ENV --json FILE` writes for this plan."""
    header = PlanHeader(environment=env, profile=profile or env, workspace=env,
                        terraform_version=plan.get("terraform_version"),
                        plan_file=f".k8sprov/envs/{env}/plan")
    path = folder / f"{env}.json"
    path.write_text(json.dumps(to_json(summarize(plan), header), indent=2) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def summaries(real_plans: RealPlans, tmp_path_factory: pytest.TempPathFactory) -> Summaries:  # noqa: F811
    folder = tmp_path_factory.mktemp("summaries")
    plans = {"basic": real_plans.creates, "staging": real_plans.changes,
             "production": json.loads(OBJECTS_PLAN.read_text(encoding="utf-8"))}
    for env, plan in plans.items():
        write_summary(folder, env, plan, profile="basic" if env == "basic" else env)
    return Summaries(folder, plans)
