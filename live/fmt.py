"""Numbers as the HUD and the report pages show them."""
from __future__ import annotations


def fixed(value: float, decimals: int) -> str:
    """`value` to `decimals` places; one that rounds to zero has no sign: a lean of -0.04 deg reads
    "0.0" and a gap of -0.0004 bh "0.000", never "-0.0" or "-0.000"."""
    text = f"{value:.{decimals}f}"
    return text.lstrip("-") if float(text) == 0 else text
