"""TODO docstring (criticality)"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..errors import ParameterError

__all__ = ["criticality_chart"]


def criticality_chart(df: pd.DataFrame, *, top: int = 8) -> Any:
    """Per corridor, its ``top`` most critical closures: the detour's extra days (left; "no
    detour" hatched) and the expected annual cost in USD (right). Needs the ``plot`` extra.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from .plot import _pyplot, corridor_colours

    plt = _pyplot()
    if not len(df):
        raise ParameterError("no closures to chart")
    keys = (
        ["scenario", "origin", "destination", "minimize", "corridor"]
        if "corridor" in df.columns
        else []
    )
    groups = list(df.groupby(keys, sort=False)) if keys else [(("route",), df)]
    colours = corridor_colours([str(k[-1]) for k, _ in groups])
    n = len(groups)
    heights = [min(top, len(g)) * 0.32 + 0.9 for _, g in groups]
    fig, axes = plt.subplots(
        n,
        2,
        figsize=(12, sum(heights) + 0.6),
        squeeze=False,
        gridspec_kw={"height_ratios": heights, "width_ratios": [1.4, 1]},
    )
    for (key, g), (a_days, a_usd) in zip(groups, axes):
        g = g[g["rank"] <= top].iloc[::-1]
        c = colours[str(key[-1])]
        labels = [
            f"{name} ({kind.replace('_', ' ')})"
            for name, kind in zip(g["item_name"], g["item_kind"])
        ]
        y = np.arange(len(g))
        days = g["extra_days"].to_numpy(dtype=float)
        finite = days[np.isfinite(days)]
        span = max(float(finite.max()) if finite.size else 1.0, 1.0)
        nod = g["status"].to_numpy() == "no detour"
        a_days.barh(y, np.where(nod, span, np.nan_to_num(days)), color=c, hatch=None, alpha=0.9)
        if nod.any():
            a_days.barh(y[nod], [span] * int(nod.sum()), color="white", edgecolor=c, hatch="///")
        for yi, d, call, nd in zip(y, days, g["call"], nod):
            text = "no detour" if nd else f"{d:+.1f} d, {call}"
            a_days.annotate(
                text,
                (0, yi),
                xytext=(3, 0),
                textcoords="offset points",
                va="center",
                fontsize=7,
                color="0.1",
            )
        a_days.set_yticks(y, labels, fontsize=7)
        a_days.set_xlim(min(0.0, float(np.nanmin(days)) if finite.size else 0.0), span * 1.05)
        title = " | ".join(str(k) for k in key) if keys else "route"
        a_days.set_title(title, fontsize=8, loc="left")
        by_time = str(g["minimize"].iloc[0]) == "time_h" if "minimize" in g else False
        col, unit, fmt = (
            ("expected_annual_delay_days", "expected delay, days a year", "{:,.1f}")
            if by_time
            else ("expected_annual_cost_usd", "expected cost, USD a year", "{:,.0f}")
        )
        usd = g[col].to_numpy(dtype=float)
        a_usd.barh(y, usd, color=c, alpha=0.9)
        a_usd.set_yticks(y, [""] * len(y))
        for yi, v in zip(y, usd):
            if v > 0:
                a_usd.annotate(
                    fmt.format(v),
                    (v, yi),
                    xytext=(3, 0),
                    textcoords="offset points",
                    va="center",
                    fontsize=7,
                )
        a_usd.set_xlim(0, max(float(usd.max()) * 1.25, 1.0))
        a_usd.set_title(unit, fontsize=7, loc="right")
        for a in (a_days, a_usd):
            a.grid(True, axis="x", color="0.9", lw=0.6)
            a.tick_params(axis="x", labelsize=7)
    axes[-1][0].set_xlabel("detour: extra days over the planned route")
    axes[-1][1].set_xlabel("expected from closure probabilities and lengths (risk.csv)")
    fig.suptitle(
        "What a closure costs each corridor: the most critical crossings, ports, "
        "transfers and links",
        fontsize=10,
    )
    fig.tight_layout(rect=(0.0, 0.0, 1.0, 1.0 - 0.45 / (sum(heights) + 0.6)))
    return fig
