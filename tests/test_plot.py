"""Charts and maps on their data: tcd_series by hand, chart lines equal the series, files."""

from __future__ import annotations

import math
import os
import re
import subprocess
from html.parser import HTMLParser

import matplotlib

matplotlib.use("Agg")  # non-interactive backend, before pyplot is imported

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import corridors as cor  # noqa: E402
import routing_fixtures as rf  # noqa: E402
from corridors.analysis.indicators import cpmm_indicators, describe_route, tcd_series  # noqa: E402
from corridors.output import plot  # noqa: E402


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


def _joined(ax, gid):
    """The segments drawn for one route, joined back into one polyline."""
    segs = [ln for ln in ax.get_lines() if ln.get_gid() == gid]
    x = [segs[0].get_xdata()[0]] + [seg.get_xdata()[1] for seg in segs]
    y = [segs[0].get_ydata()[0]] + [seg.get_ydata()[1] for seg in segs]
    return segs, np.asarray(x, dtype=float), np.asarray(y, dtype=float)


def test_tcd_chart_lines_equal_series(seg_route):
    fig = plot.tcd_chart([seg_route, seg_route], colours=["#111111", "#222222"])
    time_ax, cost_ax = fig.axes
    s = tcd_series(seg_route)
    segs, x, y = _joined(time_ax, "route-0")
    assert len(segs) == len(s) - 1  # one segment per run or step
    np.testing.assert_allclose(x, s["distance_km"])
    np.testing.assert_allclose(y, s["time_days"])
    _, _, cost_y = _joined(cost_ax, "route-1")
    np.testing.assert_allclose(cost_y, s["cost_usd"])
    assert {seg.get_color() for seg in segs} == {"#111111"}
    # runs styled by mode (all rail here: solid), steps solid and wider
    assert {seg.get_linestyle() for seg in segs} == {"-"}
    # step markers at the crossing and the gauge break (both >= 4 % of the total time)
    marks = next(ln for ln in time_ax.get_lines() if ln.get_gid() == "steps-0")
    assert list(marks.get_xdata()) == [250, 450]
    texts = [t.get_text() for t in time_ax.texts]
    assert "Quebec: border 0.5 d" in texts and "Zulu: transload 0.8 d" in texts
    assert "Quebec: border USD 80" in [t.get_text() for t in cost_ax.texts]
    legend = [t.get_text() for t in cost_ax.get_legend().get_texts()]
    assert describe_route(seg_route) in legend[0] and "rail" in legend
    assert time_ax.get_title().startswith("Alpha → Sierra")


def test_tcd_chart_labels_never_overlap_or_leave_the_frame(seg_route):
    fig = plot.tcd_chart([seg_route] * 6)  # the same steps six times: one label each
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    for ax in fig.axes:
        frame = ax.get_window_extent(renderer)
        boxes = [t.get_window_extent(renderer) for t in ax.texts]
        assert boxes
        for i, b in enumerate(boxes):
            assert frame.x0 <= b.x0 and b.x1 <= frame.x1 and frame.y0 <= b.y0 <= b.y1 <= frame.y1
            assert not any(b.overlaps(o) for o in boxes[i + 1 :])


def test_tcd_chart_waits_mode_styles_and_bands():
    places = [
        rf.place("x", 0, kind="port", name="Xport"),
        rf.place("y", 2, kind="port", name="Yport"),
    ]
    net = rf.build(places, [rf.link("x", "y", "ferry", 200, headway_h=240.0)], name="f")
    r = cor.route(net, "Xport", "Yport", departure="random")
    s = tcd_series(r)
    waits = s[s["what"] == "wait"]
    assert len(waits) == 1 and waits["d_time_h"].iloc[0] == pytest.approx(120.0)
    assert "wait for ferry departure" in waits["label"].iloc[0]
    sim = cor.simulate(r, runs=500, seed=1, net=net)
    fig = plot.tcd_chart(r, simulation=sim)
    time_ax = fig.axes[0]
    wait_seg = [
        ln for ln in time_ax.get_lines() if ln.get_gid() == "route-0" and ln.get_alpha() == 0.35
    ]
    assert len(wait_seg) == 1  # the wait, faint
    runs = [
        ln
        for ln in time_ax.get_lines()
        if ln.get_gid() == "route-0"
        and ln.get_alpha() is None
        and ln.get_xdata()[0] != ln.get_xdata()[1]
    ]
    assert runs and all(ln.get_linestyle() != "-" for ln in runs)  # ferry: dash-dot
    band = next(ln for ln in time_ax.get_lines() if ln.get_gid() == "band-0")
    lo, hi = np.percentile(sim.time_h[:, 0] / 24, [10, 90])
    np.testing.assert_allclose(band.get_ydata(), [lo, hi])
    assert "Xport: wait 5.0 d" in [t.get_text() for t in time_ax.texts]
    with pytest.raises(cor.ParameterError, match="one column per route"):
        plot.tcd_chart([r, r], simulation=sim)


def test_time_split_chart(seg_route):
    fig = plot.time_split_chart([seg_route], labels=["one"], colours=["#123456"])
    ax = fig.axes[0]
    split = seg_route.time_split()
    widths = {p.get_gid(): p.get_width() for p in ax.patches}
    for part in plot.TIME_PARTS:
        assert widths[f"part-{part}"] == pytest.approx(split[part] / 24)
    assert ax.get_yticklabels()[0].get_color() == "#123456"
    assert "where the time goes" in ax.get_title()


def test_corridor_colours_are_stable_and_distinct():
    names = [f"corridor-{i}" for i in range(12)]
    a = plot.corridor_colours(names)
    assert a == plot.corridor_colours(reversed(names))
    assert len(set(a.values())) == 12
    assert set(plot.corridor_colours(names[:10]).values()) == set(plot.PALETTE[:10])


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


def test_transit_time_hist():
    rng = np.random.default_rng(1)
    draws = np.column_stack([rng.normal(240, 10, 500), rng.normal(300, 20, 500)])
    fig = plot.transit_time_hist(draws, ["a", "b"])
    ax = fig.axes[0]
    assert len(ax.patches) == 2  # one outlined histogram per route
    p50 = np.percentile(draws[:, 0] / 24, 50)
    assert (
        ax.get_legend().get_texts()[0].get_text() == f"a (P50 {p50:.1f}, P90 "
        f"{np.percentile(draws[:, 0] / 24, 90):.1f})"
    )
    fig = plot.transit_time_hist(draws, ["a", "b"], deadline_h=11 * 24, title="X → Y")
    ax = fig.axes[0]
    line = next(ln for ln in ax.get_lines() if ln.get_gid() == "deadline")
    assert list(line.get_xdata()) == [11, 11]
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    share = float((draws[:, 0] <= 11 * 24).mean())
    assert texts[0].endswith(f", on time {share:.0%})") and "deadline 11 d" in texts
    assert ax.get_title().startswith("X → Y")
    with pytest.raises(cor.ParameterError):
        plot.transit_time_hist(draws, ["only one"])


# ---- the interactive map works offline -------------------------------------------------------


class _Page(HTMLParser):
    """Collects tags, their attributes and the text of <script> from an HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts.append(data)


def test_explore_is_one_offline_page(seg_route, tmp_path):
    evil = 'Route <script>alert("x")</script> & co'
    m = plot.explore(
        [seg_route, seg_route], labels=[evil, "second"], colours=["#123456", "#abcdef"]
    )
    page = _Page()
    page.feed(m.html)
    # nothing from the network: no src or href anywhere, no URL in the page
    assert not any("src" in a or "href" in a for _, a in page.tags)
    assert "http:" not in m.html and "https:" not in m.html and "//cdn" not in m.html
    assert [t for t, _ in page.tags].count("script") == 1 and "alert" not in page.scripts[0]
    # the label is escaped wherever it appears: no second script tag, text intact
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co" in m.html
    # one group per route, coloured as asked (the PNG takes the same colours)
    groups = [a for t, a in page.tags if t == "g" and a.get("class") == "route"]
    assert [g["stroke"] for g in groups] == ["#123456", "#abcdef"]
    moving = [leg for leg in seg_route.steps if leg.kind in ("link", "border")]
    paths = [
        a
        for t, a in page.tags
        if t == "path" and "data-tip" in a and ("→" in (a["data-tip"] or ""))
    ]
    assert len(paths) == 2 * len(moving)
    # tooltips: rounded figures only (no float with more than one decimal)
    for a in paths:
        assert not re.search(r"\d\.\d{2,}", a["data-tip"] or "")
    assert any("Quebec → Romeo (rail, border)" in (a["data-tip"] or "") for a in paths)
    borders = [a for t, a in page.tags if a.get("class") == "border"]
    assert len(borders) == 1 and "Quebec–Romeo" in (borders[0]["data-tip"] or "")
    fig = plot.route_map([seg_route, seg_route], colours=["#123456", "#abcdef"])
    legend = fig.axes[0].get_legend().get_lines()
    assert [matplotlib.colors.to_hex(ln.get_color()) for ln in legend[:2]] == ["#123456", "#abcdef"]
    # ids unique per map (two maps in one notebook), the same for the same map
    ids = [a["id"] for t, a in page.tags if t == "svg"]
    assert len(ids) == 1 and f'getElementById("{ids[0]}")' in page.scripts[0]
    other = plot.explore([seg_route])
    assert ids[0] not in other.html and other.html == plot.explore([seg_route]).html
    out = plot.save_explore(seg_route, tmp_path / "map.html")
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert seg_route.explore().html == plot.explore([seg_route]).html


CHROMIUM = "/usr/bin/chromium"


@pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="no /usr/bin/chromium")
def test_explore_renders_in_headless_chromium_without_network(seg_route, tmp_path):
    """The page in a real browser with every network request sent to a closed port: the
    script runs (the DOM after load says how many routes it found) and the route's colour
    is on the screen."""
    page = tmp_path / "map.html"
    plot.save_explore([seg_route], page, colours=["#ff00ff"])
    flags = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--proxy-server=127.0.0.1:9",
        "--proxy-bypass-list=<-loopback>",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--window-size=1000,800",
    ]
    dom = subprocess.run(
        [*flags, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120
    )
    assert 'data-rendered="1"' in dom.stdout
    shot = tmp_path / "shot.png"
    subprocess.run(
        [*flags, f"--screenshot={shot}", page.as_uri()], capture_output=True, timeout=120
    )
    img = plt.imread(shot)[..., :3]
    magenta = (img[..., 0] > 0.85) & (img[..., 1] < 0.25) & (img[..., 2] > 0.85)
    assert magenta.sum() > 200  # the route is drawn
