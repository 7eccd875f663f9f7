"""Charts and maps on their data: tcd_series by hand, chart lines equal the series, files."""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")  # non-interactive backend, before pyplot is imported

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import corridors as cor  # noqa: E402
import routing_fixtures as rf  # noqa: E402
from corridors import plot  # noqa: E402
from corridors.indicators import cpmm_indicators, describe_route, tcd_series  # noqa: E402


@pytest.fixture(scope="module")
def seg_route() -> cor.Route:
    return cor.route(rf.segments_net(), "Alpha", "Sierra", minimize="cost_usd")


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_tcd_series_by_hand(seg_route):
    s = tcd_series(seg_route)
    # A -100-> M -150-> Z [transload 20 h, USD 400] -200-> Q [border 12 h, USD 80] -10-> R -100-> S
    assert list(s["segment"]) == ["start", "run", "run", "step", "run", "step", "run", "run"]
    assert list(s["distance_km"]) == [0, 100, 250, 250, 450, 450, 460, 560]
    assert list(s["time_h"]) == pytest.approx([0, 2.5, 6.25, 26.25, 31.25, 43.25, 43.5, 46.0])
    assert list(s["cost_usd"]) == pytest.approx([0, 100, 250, 650, 850, 930, 940, 1040])
    steps = s[s["segment"] == "step"]
    assert list(steps["what"]) == ["transload", "border"]
    assert list(steps["place_name"]) == ["Zulu", "Quebec"]
    assert steps["label"].iloc[1] == "Quebec → Romeo: border (PAK-AFG)"
    # totals equal the route's
    assert s["time_h"].iloc[-1] == pytest.approx(seg_route.time_h)
    assert s["cost_usd"].iloc[-1] == pytest.approx(seg_route.cost_usd)
    assert s["time_days"].iloc[-1] == pytest.approx(46.0 / 24)


def test_cpmm_indicators_by_hand(seg_route):
    c = cpmm_indicators(seg_route)
    assert c["speed_without_delay_kmh"] == pytest.approx(560 / 14.0)
    assert c["speed_with_delay_kmh"] == pytest.approx(560 / 46.0)
    assert c["border_time_share"] == pytest.approx(12 / 46)
    assert c["border_cost_share"] == pytest.approx(80 / 1040)
    assert c["border_time_per_crossing_h"] == 12.0
    assert c["time_per_500km_h"] == pytest.approx(46 * 500 / 560)
    assert c["cost_per_500km_usd"] == pytest.approx(1040 * 500 / 560)
    assert c["delay_h"] == pytest.approx(32.0)


def test_cpmm_without_crossings_is_nan():
    r = cor.route(rf.modes_net(), "Origin", "Destination")
    c = cpmm_indicators(r)
    assert c["n_crossings"] == 0 and math.isnan(c["border_time_per_crossing_h"])


def test_tcd_chart_lines_equal_series(seg_route):
    fig = plot.tcd_chart([seg_route, seg_route])
    time_ax, cost_ax = fig.axes
    s = tcd_series(seg_route)
    lines = [ln for ln in time_ax.get_lines() if ln.get_gid() == "route-0"]
    assert len(lines) == 1
    np.testing.assert_allclose(lines[0].get_xdata(), s["distance_km"])
    np.testing.assert_allclose(lines[0].get_ydata(), s["time_days"])
    cost_line = next(ln for ln in cost_ax.get_lines() if ln.get_gid() == "route-1")
    np.testing.assert_allclose(cost_line.get_ydata(), s["cost_usd"])
    # step markers at the crossing and the gauge break (both >= 4 % of the total time)
    marks = next(ln for ln in time_ax.get_lines() if ln.get_gid() == "steps-0")
    assert list(marks.get_xdata()) == [250, 450]
    texts = [t.get_text() for t in time_ax.texts]
    assert "Quebec: border" in texts and "Zulu: transload" in texts
    assert describe_route(seg_route) in time_ax.get_legend().get_texts()[0].get_text()


def test_tcd_chart_bad_input(seg_route):
    with pytest.raises(cor.ParameterError):
        plot.tcd_chart(seg_route, what="speed")
    with pytest.raises(cor.ParameterError):
        plot.tcd_chart([])


def test_route_map_and_save(seg_route, tmp_path):
    fig = plot.route_map([seg_route])
    ax = fig.axes[0]
    x0, x1 = ax.get_xlim()
    assert x0 < 60 and x1 > 60.5 and x1 - x0 < 10  # cropped to the route
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any("Alpha → Sierra" in t for t in labels) and "border crossing" in labels
    assert [t.get_text() for t in ax.texts] == ["Quebec–Romeo"]
    out = plot.save_map([seg_route], tmp_path / "map.png")
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_explore_html(seg_route, tmp_path):
    pytest.importorskip("folium")
    m = plot.explore([seg_route])
    assert type(m).__name__ == "Map"
    out = plot.save_explore(seg_route, tmp_path / "map.html")
    text = out.read_text(encoding="utf-8")
    assert "leaflet" in text.lower() and "Quebec" in text


def test_transit_time_hist():
    rng = np.random.default_rng(1)
    draws = np.column_stack([rng.normal(240, 10, 500), rng.normal(300, 20, 500)])
    fig = plot.transit_time_hist(draws, ["a", "b"])
    ax = fig.axes[0]
    assert len(ax.patches) == 2  # one outlined histogram per route
    p50 = np.percentile(draws[:, 0] / 24, 50)
    assert ax.get_legend().get_texts()[0].get_text() == f"a (P50 {p50:.1f}, P90 " \
        f"{np.percentile(draws[:, 0] / 24, 90):.1f})"
    with pytest.raises(cor.ParameterError):
        plot.transit_time_hist(draws, ["only one"])
