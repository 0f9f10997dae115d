"""`k8sprov ci matrix`: affected environments in the shape a CI system fans out on.

- github: `{"include": [{"env", "profile"}, ...]}` on one line, for `strategy.matrix: ${{ fromJSON(...) }}`.
  GitHub refuses an empty matrix, so the workflow guards the plan job with the entry count.
- gitlab: a child-pipeline file (for `trigger: include: artifact:`). `parallel:matrix` cannot take a
  list computed at run time; a generated child pipeline can. One job per environment, `env:<name>`,
  extends `.k8sprov-env` and the `report` job extends `.k8sprov-report`, both from a file of the
  repository (`--include`): the plan pipeline's file makes `.k8sprov-env` a plan, the apply pipeline's an
  apply. With nothing affected the child holds one job that says so: GitLab refuses a pipeline without jobs.
- json: the environments with their profiles and reasons.
"""

from __future__ import annotations

import json

from k8sprov.affected import AffectedReport

FORMATS = ("github", "gitlab", "json")
DEFAULT_GITLAB_INCLUDE = ".gitlab/k8sprov-plan.yml"


def github(report: AffectedReport) -> str:
    include = [{"env": env.name, "profile": env.profile} for env in report.environments]
    return json.dumps({"include": include}, separators=(",", ":")) + "\n"


def as_json(report: AffectedReport) -> str:
    doc = {"since": report.since, "base": report.base, "count": len(report.environments),
           "environments": [{"env": env.name, "profile": env.profile, "reasons": list(env.reasons)}
                            for env in report.environments],
           "removed": [env.as_dict() for env in report.removed]}
    return json.dumps(doc, indent=2) + "\n"


def gitlab(report: AffectedReport, include: str = DEFAULT_GITLAB_INCLUDE) -> str:
    import yaml

    since = f" since {report.since}" if report.since else ""
    head = f"# k8sprov ci matrix --format gitlab{since}: {len(report.environments)} environment(s)\n"
    if not report.environments:
        doc: dict[str, object] = {
            "stages": ["environments"],
            "no environment affected": {
                "stage": "environments",
                "script": [f"echo 'k8sprov: no environment affected{since}; nothing to do'"],
            },
        }
        return head + yaml.safe_dump(doc, sort_keys=False, width=1000)
    # resource_group written out (not from a variable): one job per environment at a time, across pipelines
    jobs = {f"env:{env.name}": {"extends": ".k8sprov-env", "resource_group": f"k8sprov-{env.name}",
                                "variables": {"K8SPROV_ENV": env.name, "K8SPROV_PROFILE": env.profile}}
            for env in report.environments}
    doc = {"include": [{"local": include}], "stages": ["environments", "report"], **jobs,
           "report": {"extends": ".k8sprov-report", "needs": list(jobs)}}
    return head + yaml.safe_dump(doc, sort_keys=False, width=1000)


def render(report: AffectedReport, fmt: str, *, include: str = DEFAULT_GITLAB_INCLUDE) -> str:
    if fmt == "github":
        return github(report)
    if fmt == "gitlab":
        return gitlab(report, include)
    return as_json(report)
