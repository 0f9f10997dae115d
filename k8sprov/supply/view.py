"""Terminal view of an image inventory."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from k8sprov.supply.inventory import ImageInventory


def print_images(inventory: ImageInventory, console: Console) -> None:
    table = Table(box=None, pad_edge=False, header_style="bold")
    table.add_column("image", overflow="fold")
    table.add_column("registry")
    table.add_column("pinned")
    table.add_column("releases", overflow="fold")
    if len(inventory.environments) > 1:
        table.add_column("environments", overflow="fold")
    for image in inventory.images:
        ref = image.ref
        if ref is None:
            pinned = "[red]invalid[/]"
        elif ref.pinned:
            pinned = "digest"
        elif ref.mutable:
            pinned = "[yellow]mutable[/]"
        else:
            pinned = "tag"
        cells = [escape(image.name), escape(ref.registry if ref else "?"), pinned,
                 escape(", ".join(image.releases))]
        if len(inventory.environments) > 1:
            cells.append(escape(", ".join(image.environments)))
        table.add_row(*cells)
    console.print(table)
    pinned_count = sum(1 for i in inventory.images if i.ref and i.ref.pinned)
    console.print(f"{len(inventory.images)} image(s) in {', '.join(inventory.environments)}: "
                  f"{pinned_count} pinned by digest", markup=False, soft_wrap=True)
    for image in inventory.mutable:
        where = ", ".join(sorted({f"{u.release}: {u.object}" for u in image.uses}))
        why = image.problem or ("no tag (pulls latest)" if image.ref and image.ref.tag is None
                                else "mutable tag")
        console.print(f"warning: {image.reference}: {why} — used by {where}; pin a version or a digest",
                      markup=False, soft_wrap=True)
