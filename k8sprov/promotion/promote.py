"""`k8sprov promote`: move the target profile's chart pins to the source's, as one reviewable change.

Order of work, so that nothing is written unless everything can be:
1. resolve both sides, the charts and the lockstep groups; read the pins' byte positions in versions.tf;
2. with `require_deployed`, read the source environment's state and check it runs exactly these versions
   with the lock's digests;
3. refuse a downgrade unless allowed; edit only the target's pin literals in memory and check the result
   (python-hcl2 parse, catalog rules, every other pin unchanged);
4. (not in dry-run) write versions.tf atomically, vendor the target profile's charts, and on any failure put
   versions.tf, charts.lock and charts/ back as they were; then remove the archives (and lock entries) that
   no profile pins any more because of this promotion, so the tree passes `update-charts --check`.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from k8sprov.charts.catalog import Catalog, load_catalog, parse_catalog
from k8sprov.charts.lock import write_atomically
from k8sprov.errors import ChartError, K8sprovError, UsageError
from k8sprov.project import Project
from k8sprov.promotion.compare import Side, ValuesRow, compare_values, resolve_side
from k8sprov.promotion.pinfile import PinSite, find_pins, pins_of, rewrite

if TYPE_CHECKING:
    from k8sprov.promotion.deployed import DeployedRelease


class PromotionRefused(UsageError):
    """A promotion k8sprov will not make as asked (exit 64); nothing was written."""


@dataclass(frozen=True)
class PinChange:
    chart: str
    before: str
    after: str

    @property
    def downgrade(self) -> bool:
        from k8sprov.charts.versions import is_downgrade

        return is_downgrade(self.before.strip(), self.after)


@dataclass
class Promotion:
    source: Side
    target: Side
    changes: list[PinChange]
    diff: str  # unified diff of versions.tf
    values: list[ValuesRow]  # values differences source -> target profile for the promoted charts
    new_text: str
    dry_run: bool
    written: bool = False
    vendored: list[str] = field(default_factory=list)  # archive names the vendor step fetched or verified
    # Archives (on disk or in charts.lock) that only the target's old pins held: removed with the
    # promotion, as `update-charts --prune` would, so that `update-charts --check` passes afterwards.
    unpinned: list[str] = field(default_factory=list)

    @property
    def nothing_to_do(self) -> bool:
        return not self.changes

    @property
    def next_command(self) -> str:
        env = self.target.env.name if self.target.env is not None else None
        return f"k8sprov plan --env {env}" if env else f"k8sprov plan --env <an environment of profile " \
                                                        f"{self.target.profile}>"


# (project, profile) -> vendored archive names; raises on failure
Vendor = Callable[[Project, str], list[str]]


def _select(catalog: Catalog, source_pins: dict[str, PinSite], target_pins: dict[str, PinSite],
            source: Side, target: Side, charts: list[str], force: bool) -> list[PinChange]:
    unknown = [c for c in charts if c not in catalog.charts]
    if unknown:
        raise PromotionRefused(f"unknown chart {unknown[0]!r} (known: {', '.join(catalog.charts)})",
                               hint="name a chart of chart_catalog in versions.tf")
    chosen = charts or [c for c in catalog.charts if c in source_pins]
    changes: list[PinChange] = []
    for chart in chosen:
        src, tgt = source_pins.get(chart), target_pins.get(chart)
        if src is None:
            raise PromotionRefused(f"{source.profile} pins no version of {chart}",
                                   hint="promote only charts the source pins")
        if tgt is None:
            raise PromotionRefused(f"{target.profile} has no pin for {chart} to move",
                                   hint=f"add a \"{chart}\" pin to chart_versions.{target.profile} first")
        for side, site in ((source.profile, src), (target.profile, tgt)):
            if site.literal is None:
                raise PromotionRefused(f"versions.tf line {site.line}: the {side} pin of {chart} is not a"
                                       " string literal", hint="write the pin as \"chart\" = \"version\"")
        assert src.literal is not None and tgt.literal is not None
        if src.literal.strip() != tgt.literal.strip():
            changes.append(PinChange(chart, tgt.literal, src.literal.strip()))
    moving = {c.chart for c in changes}
    for change in changes:
        for mate in catalog.lockstep(change.chart):
            if mate in moving or mate in chosen:
                continue
            src, tgt = source_pins.get(mate), target_pins.get(mate)
            if src is not None and tgt is not None and src.literal != tgt.literal and not force:
                raise PromotionRefused(
                    f"{change.chart} and {mate} are released in lockstep (release_group"
                    f" {catalog.charts[mate].release_group!r}): promoting {change.chart} alone would split"
                    " them",
                    hint=f"add --chart {mate}, or pass --force to split them anyway")
    return changes


def check_deployed(source: Side, changes: list[PinChange], deployed: dict[str, DeployedRelease],
                   catalog: Catalog, lock: dict[tuple[str, str], Any]) -> None:
    """Refuse unless the source environment's state runs each promoted version with the lock's digest."""
    for change in changes:
        spec = catalog.charts[change.chart]
        entry = lock.get((spec.chart, change.after))
        if entry is None:
            raise PromotionRefused(f"{spec.chart} {change.after} has no entry in charts/charts.lock",
                                   hint=f"run k8sprov update-charts --profile {source.profile}")
        release = deployed.get(change.chart)
        where = f"state of {source.name}"
        if release is None:
            raise PromotionRefused(f"{where} has no helm_release {change.chart}: {source.name} does not"
                                   " run it",
                                   hint=f"apply {source.name} first, or promote without --require-deployed")
        if release.version != change.after:
            raise PromotionRefused(
                f"{where} runs {change.chart} {release.version or 'of unknown version'}, not {change.after}",
                hint=f"apply {source.name} (k8sprov apply --env {source.name}) and let it soak first")
        if release.sha256 != entry.sha256:
            shown = f"sha256:{release.sha256[:12]}…" if release.sha256 else "no digest"
            raise PromotionRefused(
                f"{where} runs {change.chart} {change.after} with {shown}, but charts.lock records"
                f" sha256:{entry.sha256[:12]}…", hint=f"re-apply {source.name} with the locked archive")


def check_downgrades(source: Side, target: Side, changes: list[PinChange]) -> None:
    """Refuse to move a pin back to an older version: rarely meant, and easy to miss in a long diff."""
    back = [c for c in changes if c.downgrade]
    if back:
        moves = ", ".join(f"{c.chart} {c.before.strip()} → {c.after}" for c in back)
        raise PromotionRefused(
            f"promoting {source.name} to {target.name} would downgrade {moves}",
            hint="pass --allow-downgrade to move back on purpose, or leave those out with --chart")


def plan_promotion(project: Project, source_name: str, target_name: str, charts: list[str], *,
                   force: bool = False, dry_run: bool = False, allow_downgrade: bool = False,
                   deployed: Callable[[str], dict[str, DeployedRelease]] | None = None) -> Promotion:
    """Everything up to (not including) writing: the checked new versions.tf text and what it changes.

    `deployed(env_name)` reads the source's releases from its state; given, `--require-deployed` applies."""
    catalog = load_catalog(project)
    source = resolve_side(project, catalog, source_name)
    target = resolve_side(project, catalog, target_name)
    if source.profile == target.profile:
        same = "the same" if source.name == target.name else f"both profile {source.profile}"
        raise PromotionRefused(f"source {source.name} and target {target.name} are {same}",
                               hint="promote between two profiles, e.g. --from staging --to production")
    path = project.chart_catalog_file
    rel = str(path.relative_to(project.root))
    text = path.read_bytes().decode("utf-8")
    sites = find_pins(text, rel)
    changes = _select(catalog, pins_of(sites, source.profile), pins_of(sites, target.profile), source, target,
                      list(dict.fromkeys(charts)), force)
    values = [compare_values(project, c.chart, source.profile, target.profile) for c in changes]
    if not changes:
        return Promotion(source, target, [], "", [], text, dry_run)
    if not allow_downgrade:
        check_downgrades(source, target, changes)
    if deployed is not None:
        from k8sprov.charts.lock import read_lock

        if source.env is None:
            raise PromotionRefused(
                f"--require-deployed needs an environment as source, not profile {source.name}",
                hint="name the environment whose state shows what runs, e.g. --from staging")
        check_deployed(source, changes, deployed(source.env.name), catalog, read_lock(project.charts_dir))
    new_text = rewrite(text, sites, target.profile, {c.chart: c.after for c in changes})
    after = _check_result(catalog, new_text, rel, target.profile, {c.chart: c.after for c in changes})
    diff = "".join(difflib.unified_diff(text.splitlines(keepends=True), new_text.splitlines(keepends=True),
                                        f"a/{rel}", f"b/{rel}"))
    promotion = Promotion(source, target, changes, diff, values, new_text, dry_run)
    promotion.unpinned = _unpinned(project, catalog.pinned_archives() - after.pinned_archives())
    return promotion


def _unpinned(project: Project, names: set[str]) -> list[str]:
    """Of the archives no profile pins after the promotion, those charts/ or charts.lock holds."""
    from k8sprov.charts.lock import archives_on_disk, read_lock

    held = set(archives_on_disk(project.charts_dir)) | {
        e.archive_name for e in read_lock(project.charts_dir).values()}
    return sorted(names & held)


def _check_result(before: Catalog, new_text: str, where: str, profile: str,
                  expected: dict[str, str]) -> Catalog:
    """The edited file must parse and say exactly what was meant: the new pins, everything else unchanged.
    Returns the catalog the edited file declares."""
    import hcl2
    from hcl2.utils import SerializationOptions

    options = SerializationOptions(strip_string_quotes=True, with_comments=False, explicit_blocks=False)
    try:
        after = parse_catalog(hcl2.loads(new_text, serialization_options=options), where)
    except K8sprovError:
        raise
    except Exception:  # lark's many exception types: the edit broke the file, which must never happen
        raise ChartError(f"{where}: the edited file does not parse", hint="nothing was written") from None
    wanted = {p: dict(v) for p, v in before.versions.items()}
    wanted[profile].update(expected)
    if after.versions != wanted or after.charts != before.charts:
        raise ChartError(f"{where}: the edit changed more than the {profile} pins",
                         hint="nothing was written")
    return after


def apply_promotion(project: Project, promotion: Promotion, vendor: Vendor) -> None:
    """Write versions.tf, vendor the target profile; on failure restore versions.tf, the lock and charts/."""
    if promotion.dry_run or promotion.nothing_to_do:
        return
    from k8sprov.charts.lock import archives_on_disk, lock_path

    path = project.chart_catalog_file
    original = path.read_bytes()
    lock = lock_path(project.charts_dir)
    lock_before = lock.read_bytes() if lock.exists() else None
    archives_before = set(archives_on_disk(project.charts_dir))
    write_atomically(path, promotion.new_text.encode("utf-8"))
    try:
        promotion.vendored = vendor(project, promotion.target.profile)
    except BaseException:
        write_atomically(path, original)
        for name in set(archives_on_disk(project.charts_dir)) - archives_before:
            (project.charts_dir / name).unlink(missing_ok=True)
        if lock_before is None:
            lock.unlink(missing_ok=True)
        elif lock.read_bytes() != lock_before:
            write_atomically(lock, lock_before)
        raise
    promotion.written = True
    _prune(project, promotion.unpinned)


def _prune(project: Project, names: list[str]) -> None:
    """Remove the archives the promotion unpinned and their lock entries (what `--prune` does for them)."""
    from k8sprov.charts.lock import read_lock, write_lock

    if not names:
        return
    gone = set(names)
    entries = read_lock(project.charts_dir)
    if any(e.archive_name in gone for e in entries.values()):
        write_lock(project.charts_dir, [e for e in entries.values() if e.archive_name not in gone])
    for name in names:
        (project.charts_dir / name).unlink(missing_ok=True)
