"""TODO docstring (criticality, backtest, scenarios)"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from .._atomic import atomic_path, write_text_atomic
from ..analysis.backtest import _SPLIT_FIELDS, BAND_POSITIONS, backtest_summary
from ..analysis.compare import _sim_cells
from ..analysis.criticality import _HEADERS, _num
from ..errors import (
    OptionalDependencyError,
    ParameterError,
)

__all__ = [
    "criticality_markdown",
    "criticality_text",
    "backtest_markdown",
    "write_comparison",
    "comparison_markdown",
]


def _display(df: pd.DataFrame, top: int | None) -> list[list[str]]:
    rows = []
    keyed = "corridor" in df.columns
    for rec in df.to_dict("records"):
        if top is not None and rec["rank"] > top:
            continue
        who = (
            f"{rec['scenario']}: {rec['origin']}-{rec['destination']} {rec['minimize']} "
            f"({rec['corridor']})"
            if keyed
            else ""
        )
        nodetour = rec["status"] == "no detour"
        rows.append(
            [
                who,
                str(rec["rank"]),
                str(rec["item_name"]),
                str(rec["item_kind"]).replace("_", " "),
                "NO DETOUR" if nodetour else str(rec["detour"]),
                _num(rec["extra_days"], "{:+,.1f}"),
                _num(rec["extra_usd"], "{:+,.0f}"),
                _num(rec["break_even_days"], "{:,.1f}"),
                _num(rec["closure_prob"], "{:.3f}") if rec["closure_prob"] else "",
                _num(rec["closure_median_days"], "{:,.1f}"),
                str(rec["call"]),
                _num(rec["expected_annual_cost_usd"], "{:,.0f}"),
                _num(rec["expected_annual_delay_days"], "{:,.1f}"),
            ]
        )
    return rows


def criticality_markdown(df: pd.DataFrame, *, top: int | None = None) -> str:
    """The ranked table in Markdown (``top`` rows per corridor; default all)."""
    lines = [
        "| " + " | ".join(_HEADERS) + " |",
        "|"
        + "|".join(
            "---:"
            if h
            in (
                "#",
                "+days",
                "+USD",
                "break-even d",
                "p/trip",
                "median d",
                "USD/year",
                "delay d/year",
            )
            else "---"
            for h in _HEADERS
        )
        + "|",
    ]
    for r in _display(df, top):
        lines.append("| " + " | ".join(c.replace("|", "/") for c in r) + " |")
    return "\n".join(lines) + "\n"


def criticality_text(df: pd.DataFrame, *, top: int | None = None) -> str:
    """The ranked table as plain text (``top`` rows per corridor; default all)."""

    return format_table(_display(df, top), _HEADERS, "lrlllrrrrrlrr")


def _fmt_range(lo: float, hi: float, fmt: str) -> str:
    if math.isnan(lo):
        return ""
    return format(lo, fmt) if lo == hi else f"{format(lo, fmt)}–{format(hi, fmt)}"


def _fmt(x: Any, fmt: str, signed: bool = False) -> str:
    if x is None or x is pd.NA or (isinstance(x, float) and math.isnan(x)):
        return ""
    return format(x, ("+" if signed else "") + fmt)


def _isnan(x: Any) -> bool:
    return x is None or x is pd.NA or (isinstance(x, float) and math.isnan(x))


def _yes_no(x: Any) -> str:
    if x is None or x is pd.NA:
        return ""
    return "yes" if bool(x) else "no"


def _summary_lines(df: pd.DataFrame) -> list[str]:
    s = backtest_summary(df)
    lines = [
        f"{s['routed']} of {s['journeys']} journeys routed"
        + (f"; {s['no_route']} without a route" if s["no_route"] else "")
        + (f"; {s['errors']} not routed (error)" if s["errors"] else "")
        + "."
    ]
    if s["mean_abs_error_days"] is not None:
        lines.append(
            f"Days: mean absolute error {s['mean_abs_error_days']:.1f} d outside the observed "
            f"ranges; mean absolute relative error {s['mean_abs_rel_error_days']:.0%} vs "
            f"their midpoints; {s['share_within_range_days']:.0%} within range."
        )
    if s["days_journeys"]:
        rounded = s["mean_abs_error_days_rounded"]
        lines.append(
            f"In range: {s['within_range_days']} of {s['days_journeys']} journeys as published; "
            f"{s['within_rounded_days']} of {s['days_journeys']} within the rounding interval of "
            "single published figures (x +- half the unit it was given in)"
            + (f", mean absolute error {rounded:.2f} d." if rounded is not None else ".")
        )
    if s["mean_abs_error_usd"] is not None:
        lines.append(
            f"USD ({s['usd_journeys']} journeys with a published cost): mean absolute error "
            f"{s['mean_abs_error_usd']:,.0f} USD; mean absolute relative error "
            f"{s['mean_abs_rel_error_usd']:.0%}; {s['share_within_range_usd']:.0%} within "
            "range (model: the route's freight money, running + border fees + transfers + "
            "terminals, nominal USD; expected risk money and insurance left out, as a quote "
            "leaves them out)."
        )
    if s["share_within_band_days"] is not None:
        lines.append(
            f"Uncertainty ({s['band_journeys']} journeys simulated"
            + (
                f"; closures drawn {str(df.attrs['closures']).replace('_', ' ')}"
                if df.attrs.get("closures")
                else ""
            )
            + "): "
            f"{s['share_within_band_days']:.0%} of observations (range midpoints) lie in the "
            "model's P10-P90 band; a calibrated model has about 80 %."
        )
        n = s["band_journeys"]
        pos = s["band_positions"]
        lines.append(
            "Where they fall: "
            + ", ".join(
                f"{_POSITION_TEXT[name]} {pos[name]} ({pos[name] / n:.0%})"
                for name, _ in BAND_POSITIONS
            )
            + "; a calibrated model: "
            + "/".join(f"{share:.0%}" for _, share in BAND_POSITIONS)
            + " (many below P10: the model too slow; above P90: too fast; both tails: too "
            "narrow)."
        )
    return lines


_POSITION_TEXT = {
    "below_p10": "below P10",
    "p10_p50": "P10-P50",
    "p50_p90": "P50-P90",
    "above_p90": "above P90",
}
_POSITION_SHORT = {
    "below_p10": "<P10",
    "p10_p50": "P10-P50",
    "p50_p90": "P50-P90",
    "above_p90": ">P90",
}


def _split_text(r: Mapping[Any, Any]) -> str:
    if r["status"] != "ok":
        return ""
    return "/".join(_fmt(r[f"{k}_days"], ".1f") for k, _ in _SPLIT_FIELDS)


def _rounded_text(r: Mapping[Any, Any]) -> str:
    """The rounding interval of a single published figure (``""`` when it is the figure)."""
    lo, hi = r["rounded_days_min"], r["rounded_days_max"]
    if _isnan(lo) or (lo == r["observed_days_min"] and hi == r["observed_days_max"]):
        return ""
    return f"{lo:.3g}–{hi:.3g}"


def backtest_markdown(df: pd.DataFrame) -> str:
    """A compact Markdown table of a backtest, followed by its summary.

    Parameters
    ----------
    df : pandas.DataFrame
        The frame :func:`backtest` returns.

    Returns
    -------
    str
        One table row per journey: observed and model days, error (model minus the nearest
        bound, 0 inside the range), whether the model is in range, the rounding interval of a
        single published figure and whether the model is in it, observed and model USD,
        the model route's countries and crossings, and its time split in days
        (running/waiting/border/transfer/terminal); journeys without a route show the reason.
    """
    band = "model_p10_days" in df and bool(df["model_p10_days"].notna().any())
    head = (
        "| journey | observed d | model d | error d | in range | rounding interval d "
        "| in rounded | "
        + ("model P10–P50–P90 d | in band | obs. vs band | " if band else "")
        + "observed USD | model USD | model route | crossings "
        "| run/wait/border/transfer/terminal d |"
    )
    lines = [
        head,
        "|---|---:|---:|---:|:---:|---:|:---:|"
        + ("---:|:---:|:---:|" if band else "")
        + "---:|---:|---|---|---|",
    ]
    for r in df.to_dict("records"):
        if r["status"] == "ok":
            route_text = r["countries"]
        else:
            route_text = f"**{r['status']}**: " + str(r["message"]).splitlines()[0]
        cells = [
            f"`{r['id']}`",
            _fmt_range(r["observed_days_min"], r["observed_days_max"], "g"),
            _fmt(r["model_days"], ".1f"),
            _fmt(r["error_days"], ".1f", signed=True),
            _yes_no(r["within_range_days"]),
            _rounded_text(r),
            _yes_no(r["within_rounded_days"]),
            *(
                [
                    f"{_fmt(r['model_p10_days'], '.1f')}–{_fmt(r['model_p50_days'], '.1f')}"
                    f"–{_fmt(r['model_p90_days'], '.1f')}"
                    if r["status"] == "ok" and not _isnan(r["model_p10_days"])
                    else "",
                    _yes_no(r["within_band_days"]),
                    _POSITION_SHORT.get(str(r.get("band_position") or ""), ""),
                ]
                if band
                else []
            ),
            _fmt_range(r["observed_usd_min"], r["observed_usd_max"], ",.0f"),
            _fmt(r["model_usd"], ",.0f") if not math.isnan(r["observed_usd_min"]) else "",
            route_text,
            r["crossings"],
            _split_text(r),
        ]
        lines.append("| " + " | ".join(str(c).replace("|", "/") for c in cells) + " |")
    return "\n".join(lines + [""] + _summary_lines(df))


# --------------------------------------------------------------------------------------------
# Writing comparisons
# --------------------------------------------------------------------------------------------

_DISPLAY = (
    ("scenario", "scenario", None),
    ("origin", "from", None),
    ("destination", "to", None),
    ("minimize", "min", None),
    ("rank", "#", None),
    ("corridor", "corridor", None),
    ("distance_km", "km", "{:,.0f}"),
    ("time_days", "days", "{:,.1f}"),
    ("cost_usd", "USD", "{:,.0f}"),
    ("border_time_h", "border h", "{:,.0f}"),
    ("risk_usd", "risk USD", "{:,.0f}"),
    ("co2e_kg", "kg CO2e", "{:,.0f}"),
    ("n_crossings", "borders", None),
    ("n_transfers", "transfers", None),
    ("crossings", "crossings", None),
)


_NUMERIC_HEADERS = (
    "km",
    "days",
    "USD",
    "border h",
    "risk USD",
    "kg CO2e",
    "borders",
    "transfers",
    "#",
    "days P50 (P10-P90)",
    "USD P50 (P10-P90)",
    "on time",
    "P(cheapest)",
    "P(fastest)",
)


def _display_rows(df: pd.DataFrame) -> tuple[list[str], list[list[str]]]:
    cols = [c for c in _DISPLAY if c[0] in df.columns]
    extra, extra_cells = _sim_cells(df)
    headers = [h for _, h, _ in cols] + extra
    rows = []
    for rec, more in zip(df.to_dict("records"), extra_cells):
        out = []
        for col, _, fmt in cols:
            v = rec[col]
            if rec["status"] != "ok" and col == "corridor":
                out.append(f"NO ROUTE: {str(rec['reason']).splitlines()[0][:60]}")
            elif v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
                out.append("")
            elif fmt:
                out.append(fmt.format(v))
            else:
                out.append(str(v))
        rows.append(out + more)
    return headers, rows


def comparison_text(df: pd.DataFrame) -> str:
    """The comparison as a plain-text table (the main columns)."""

    headers, rows = _display_rows(df)
    align = "".join("r" if h in _NUMERIC_HEADERS else "l" for h in headers)
    return format_table(rows, headers, align)


def comparison_markdown(df: pd.DataFrame) -> str:
    """The comparison as a Markdown table (the main columns)."""
    headers, rows = _display_rows(df)
    lines = [
        "| " + " | ".join(headers) + " |",
        "|" + "|".join("---:" if h in _NUMERIC_HEADERS else "---" for h in headers) + "|",
    ]
    for r in rows:
        lines.append("| " + " | ".join(c.replace("|", "/") for c in r) + " |")
    return "\n".join(lines) + "\n"


def write_comparison(df: pd.DataFrame, path: str | Path) -> Path:
    """Write a comparison by the file's suffix: ``.csv`` (every column), ``.md`` (Markdown
    table of the main columns) or ``.parquet`` (needs pyarrow).

    Raises
    ------
    ParameterError
        For another suffix.
    OptionalDependencyError
        For ``.parquet`` without pyarrow (an ImportError naming the package to install).
    """
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix == ".csv":
        with atomic_path(p) as tmp:
            df.to_csv(tmp, index=False, lineterminator="\n")
    elif suffix in (".md", ".markdown"):
        write_text_atomic(p, comparison_markdown(df))
    elif suffix == ".parquet":
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            raise OptionalDependencyError(
                "writing .parquet needs pyarrow: pip install pyarrow (or the corridors "
                "'parquet' extra: pip install 'corridors[parquet]')"
            ) from None
        with atomic_path(p) as tmp:
            df.to_parquet(tmp, index=False)
    else:
        raise ParameterError(
            f"unknown comparison file type {suffix or p.name!r}; allowed: .csv, .md, .parquet"
        )
    return p


def format_table(
    rows: Sequence[Sequence[Any]], headers: Sequence[str], align: str | None = None
) -> str:
    """A plain-text table; ``align`` is one character per column, ``l`` or ``r``."""
    cells = [[str(h) for h in headers]] + [["" if c is None else str(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    align = align or "l" * len(headers)

    def fmt(r: list[str]) -> str:
        return "  ".join(
            c.rjust(w) if a == "r" else c.ljust(w) for c, w, a in zip(r, widths, align)
        ).rstrip()

    sep = "  ".join("-" * w for w in widths)
    return "\n".join([fmt(cells[0]), sep] + [fmt(r) for r in cells[1:]])
