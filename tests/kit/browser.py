"""Headless Chromium for the tests of k8sprov's HTML page (Debian's `chromium` package).

`screenshot` writes a PNG as a user's laptop would show the page; `layout` loads a test-only copy of the
page with a script appended (the page itself has none) that opens every <details>, measures the layout
and writes the numbers into the DOM, which `--dump-dom` returns.
"""

from __future__ import annotations

import json
import shutil
import struct
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_MEASURE = """<script>
(function () {
  document.querySelectorAll('details').forEach(function (d) { d.open = true; });
  var root = document.documentElement, right = 0, widest = '';
  document.querySelectorAll('body *').forEach(function (el) {
    var r = el.getBoundingClientRect();
    if (r.right > right) { right = r.right; widest = el.tagName + ' ' + (el.textContent || '').slice(0, 60); }
  });
  var out = document.createElement('pre');
  out.id = 'k8sprov-layout';
  out.textContent = JSON.stringify({scrollWidth: root.scrollWidth, clientWidth: root.clientWidth,
    innerWidth: window.innerWidth, scrollHeight: root.scrollHeight, right: right, widest: widest,
    tables: document.querySelectorAll('table').length, scripts: document.scripts.length - 1});
  document.body.appendChild(out);
})();
</script>"""


def find_chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


@dataclass(frozen=True)
class Chromium:
    binary: str

    def _run(self, *args: str, width: int, height: int) -> str:
        with tempfile.TemporaryDirectory(prefix="k8sprov-chromium-") as profile:
            proc = subprocess.run(
                [self.binary, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-dev-shm-usage", f"--user-data-dir={profile}", f"--window-size={width},{height}",
                 *args],
                capture_output=True, text=True, timeout=120, check=False)
        assert proc.returncode == 0, f"chromium failed ({proc.returncode}):\n{proc.stderr[-2000:]}"
        return proc.stdout

    def screenshot(self, page: Path, png: Path, *, width: int = 1366, height: int = 900) -> tuple[int, int]:
        """Screenshot of `page` at width × height; returns the PNG's own width and height."""
        self._run("--hide-scrollbars", f"--screenshot={png}", page.resolve().as_uri(), width=width,
                  height=height)
        head = png.read_bytes()[:24]
        assert head[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
        w, h = struct.unpack(">II", head[16:24])
        return w, h

    def layout(self, page: Path, *, width: int = 1366, height: int = 900) -> dict[str, Any]:
        """The page's layout at width × height, every <details> open: scroll and client widths, the right
        edge of the widest element, how many tables and scripts (the page's own) there are."""
        text = page.read_text(encoding="utf-8")
        assert "</body>" in text
        probe = page.with_name(f".{page.stem}.layout.html")
        probe.write_text(text.replace("</body>", _MEASURE + "</body>", 1), encoding="utf-8")
        try:
            dom = self._run("--dump-dom", probe.resolve().as_uri(), width=width, height=height)
        finally:
            probe.unlink()
        start = dom.index('<pre id="k8sprov-layout">') + len('<pre id="k8sprov-layout">')
        raw = dom[start:dom.index("</pre>", start)]
        data: dict[str, Any] = json.loads(raw.replace("&quot;", '"').replace("&lt;", "<").replace("&gt;", ">")
                                          .replace("&amp;", "&"))
        data["dom"] = dom
        return data
