"""report.html in a real browser (headless Chromium): it renders at phone and desktop width with no
console error, and the plots are really drawn (not blank) where the page puts them."""
from __future__ import annotations

import shutil
import subprocess

import numpy as np
import pytest
from PIL import Image

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium is not installed "
                                "(Debian: apt-get install chromium; .ci/run installs it)")
HEIGHT_PX = 6000  # tall enough to hold the whole page at phone width


def _render(page, width: int, tmp_path) -> tuple[np.ndarray, str]:
    shot = tmp_path / f"report_{width}.png"
    result = subprocess.run([CHROMIUM, "--headless", "--disable-gpu", "--no-sandbox", "--hide-scrollbars",
                             "--enable-logging=stderr", "--v=0", f"--screenshot={shot}",
                             f"--window-size={width},{HEIGHT_PX}", page.resolve().as_uri()],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and shot.is_file(), result.stderr[-2000:]
    return np.asarray(Image.open(shot).convert("RGB")), result.stderr


def _plot_rows(img: np.ndarray) -> np.ndarray:
    """Rows whose pixels vary a lot: the plots' points, lines and bands (text rows vary less)."""
    grey = img.mean(axis=2)
    return grey.std(axis=1)


@pytest.mark.parametrize("width", [390, 1280], ids=["phone", "desktop"])
def test_report_renders_without_console_errors_and_with_its_plots(cued_session, tmp_path, width):
    img, log = _render(cued_session / "report.html", width, tmp_path)
    for bad in ("Uncaught", "ERROR:CONSOLE", "Failed to load", "net::ERR"):
        assert bad not in log, [line for line in log.splitlines() if bad in line]
    assert img.shape[1] == width
    content = np.nonzero((img < 250).any(axis=(1, 2)))[0]
    assert content.size, "blank page"
    # Nothing runs off the right edge on a phone: the last columns stay background.
    assert (img[:, -3:] > 240).all(), "the page is wider than the screen"
    # The plots: large coloured areas (the green target bands) make up a real share of the page.
    r, g, b = (img[..., i].astype(int) for i in range(3))
    band = (g - r > 12) & (g - b > 4) & (g > 200)
    share = band.mean()
    assert share > 0.01, f"target bands cover only {share:.2%} of the page: plots missing?"
    # ... and dark plotted points and lines sit inside those areas.
    rows = np.nonzero(band.any(axis=1))[0]
    inside = img[rows.min():rows.max()]
    blue = (inside[..., 2].astype(int) - inside[..., 0] > 60)
    assert blue.sum() > 500, "no plotted steps inside the plot area"
