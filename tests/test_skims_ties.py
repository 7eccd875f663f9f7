"""One query, one answer where routes tie (issue 14): on networks of round numbers, where many
pairs have several routes of exactly the same objective, every skim whose path is simple is
the route ``route`` gives (every column, bit for bit), the CCH engine gives the same objective,
and the time-cost Pareto front's extreme points are the same answers.

Ties are frequent here: links of 100, 200 or 300 km at a few round rates and speeds, road and
rail with round transfer costs (tests/routing_fixtures.py), so that different routes often add
up to the same cost, distance or time and the tie-break decides."""

from __future__ import annotations

import math
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

import corridors as cor
from corridors.errors import NoRouteError
from corridors.routes.skims import route_matrix
from routing_fixtures import build, link, place
from test_routing_properties import OBJECTIVES, SETTINGS

COLUMNS = (
    ("objective", "objective"),
    ("distance_km", "distance_km"),
    ("time_h", "time_h"),
    ("cost_usd", "cost_usd"),
    ("generalized", "generalized_usd"),
)


@st.composite
def tied_networks(draw: st.DrawFn) -> tuple[cor.Network, list[str]]:
    """A connected network of 4 to 8 places with round links (many equal-objective routes)."""
    n = draw(st.integers(4, 8))
    kinds = ("city", "rail_station")
    places = [
        place(f"p{i}", i % 3, kind=draw(st.sampled_from(kinds)), y=30.0 + 0.1 * (i // 3))
        for i in range(n)
    ]
    pairs = [(draw(st.integers(0, i - 1)), i) for i in range(1, n)]
    pairs += draw(
        st.lists(
            st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)).filter(lambda p: p[0] != p[1]),
            max_size=2 * n,
        )
    )
    links = []
    for j, (a, b) in enumerate(pairs):
        extra: dict[str, Any] = {}
        if draw(st.booleans()):
            extra["time_h"] = float(draw(st.sampled_from((2, 4, 6))))
        if draw(st.booleans()):
            extra["usd_per_teu_km"] = float(draw(st.sampled_from((0.5, 1.0, 2.0))))
        mode = draw(st.sampled_from(("road", "rail")))
        km = draw(st.sampled_from((100, 200, 300)))
        links.append(link(f"p{a}", f"p{b}", mode, km, id=f"l{j}", **extra))
    return build(places, links, name="ties"), [p["id"] for p in places]


def _route(net: cor.Network, o: str, d: str, objective: str) -> Any:
    try:
        return cor.route(net, o, d, minimize=objective)
    except NoRouteError:
        return None


@SETTINGS
@given(tied_networks(), st.sampled_from(OBJECTIVES))
def test_skims_are_the_routes_of_route_where_routes_tie(data, objective):
    net, ids = data
    skim = route_matrix(net, ids, ids, minimize=objective)
    cch = route_matrix(net, ids, ids, minimize=objective, engine="cch", cch_cache=False)
    for k, row in enumerate(skim.itertuples(index=False)):
        o, d = row.origin, row.destination
        if o == d:
            continue
        r = _route(net, o, d, objective)
        # the CCH engine: the same objective as csgraph, bit for bit (every column:
        # tests/test_skims_cch_ties.py)
        other = cch.iloc[k]
        assert other["objective"] == row.objective or (
            math.isnan(other["objective"]) and math.isnan(row.objective)
        )
        if not row.simple:
            assert r is None or r.objective >= row.objective
            continue
        assert r is not None
        got = [getattr(row, c) for c, _ in COLUMNS] + [row.transfers]
        want = [getattr(r, a) for _, a in COLUMNS] + [len(r.transfers)]
        assert got == want, (o, d)


@SETTINGS
@given(tied_networks(), st.data())
def test_skim_pareto_and_route_agree_where_routes_tie(data, draw):
    """The cheapest member of the time-cost front, and among equally cheap ones the fastest,
    is the cost skim's route (cost then time); the same for the fastest member."""
    net, ids = data
    o = draw.draw(st.sampled_from(ids))
    d = draw.draw(st.sampled_from([p for p in ids if p != o]))
    by_cost = route_matrix(net, [o], [d], minimize="cost_usd").iloc[0]
    by_time = route_matrix(net, [o], [d], minimize="time_h").iloc[0]
    if not (by_cost["simple"] and by_time["simple"]):
        return
    front = cor.pareto(net, o, d, criteria=("time_h", "cost_usd"))
    low_cost = min(r.cost_usd for r in front)
    assert low_cost == by_cost["cost_usd"]
    assert min(r.time_h for r in front if r.cost_usd == low_cost) == by_cost["time_h"]
    low_time = min(r.time_h for r in front)
    assert low_time == by_time["time_h"]
    assert min(r.cost_usd for r in front if r.time_h == low_time) == by_time["cost_usd"]
