"""Read HCL files (tfvars, versions.tf) into plain Python values with python-hcl2.

python-hcl2 8 keeps the quotes of strings unless asked not to; every reader in k8sprov goes through here
so the whole tool sees the same plain values. Interpolations stay as their `${...}` text.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from k8sprov.errors import ProjectError


def load_hcl(path: Path) -> dict[str, Any]:
    """Parse one HCL file; a syntax error becomes a one-line ProjectError naming the file and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ProjectError(f"{path}: file not found") from None
    except (OSError, UnicodeDecodeError) as err:
        raise ProjectError(f"{path}: cannot read ({err.__class__.__name__})") from None
    return loads_hcl(text, str(path))


def loads_hcl(text: str, where: str) -> dict[str, Any]:
    """Parse HCL text (a file as it was at some git commit, say); errors name `where` and the line."""
    import hcl2
    from hcl2.utils import SerializationOptions

    options = SerializationOptions(strip_string_quotes=True, with_comments=False, explicit_blocks=False)
    try:
        data: dict[str, Any] = hcl2.loads(text, serialization_options=options)
    except Exception as err:  # lark raises many exception types; all mean "not valid HCL"
        at = ""
        line = getattr(err, "line", None)
        if isinstance(line, int) and line > 0:
            at = f" at line {line}"
        raise ProjectError(f"{where}: not valid HCL{at}", hint="fix the syntax and run again") from None
    return data
