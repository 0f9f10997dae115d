"""`k8sprov drift`: a refresh-only plan of one environment, read for what changed outside Terraform.

Writes no state and leaves the environment's saved plan alone: the refresh-only plan goes to its own file
(`.k8sprov/envs/<env>/drift.<pid>.tfplan`: two checks at once never share one), is read with `show -json`
and removed again, so `k8sprov apply` can never pick it up.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from k8sprov.workflow import EnvRun, ensure_init

if TYPE_CHECKING:
    from k8sprov.planview import PlanSummary

DRIFT_PLAN = "drift.{pid}.tfplan"


@dataclass
class DriftOutcome:
    plan_json: dict[str, Any]  # the refresh-only plan as `terraform show -json` printed it
    summary: PlanSummary  # its real drift only (planview.drift.only_drift), masked

    @property
    def drifted(self) -> bool:
        return bool(self.summary.drift)


def refresh_only(run: EnvRun, *, lock_timeout: str | None = None) -> DriftOutcome:
    """Init if needed, plan -refresh-only into a file of its own, read it, remove it."""
    from k8sprov.planview import summarize
    from k8sprov.planview.drift import only_drift

    ensure_init(run, lock_timeout=lock_timeout)
    plan_file = run.env_dir / DRIFT_PLAN.format(pid=os.getpid())
    try:
        run.tf.plan_refresh_only(run.env.var_file, plan_file, lock_timeout=lock_timeout)
        data = run.tf.show_json(plan_file)
    finally:
        # The plan file holds the refreshed objects (secrets included) and is never applied.
        plan_file.unlink(missing_ok=True)
    return DriftOutcome(plan_json=data, summary=summarize(only_drift(data)))
