"""Seasonal closures (issue 15): links closed by month as data, route(month=), the CLI flag."""

from __future__ import annotations

import pytest

import corridors as cor
from corridors.errors import NoRouteError, ParameterError
from corridors.routes.routing import seasonal_closures

KHUNJERAB = "road_khunjerab_chn_khunjerab_pak"


@pytest.fixture(scope="module")
def net() -> cor.Network:
    return cor.load_network()


def test_khunjerab_regime_is_data(net: cor.Network) -> None:
    row = net.links.loc[KHUNJERAB]
    assert row["closed_months"] == "12|1|2|3" and int(row["closed_until"]) == 2024
    # the former regime applies to 2024 and earlier, not today (year-round since Dec 2024)
    assert KHUNJERAB in seasonal_closures(net, 1, 2024)
    assert KHUNJERAB not in seasonal_closures(net, 1)
    assert KHUNJERAB not in seasonal_closures(net, 6, 2024)


def test_month_today_uses_the_year_round_pass(net: cor.Network) -> None:
    r = cor.route(net, "Kashgar", "Sost", modes="road", month=1)
    assert KHUNJERAB in set(r.legs["link_id"].dropna())


def test_no_route_error_names_the_seasonal_closure(net: cor.Network) -> None:
    with pytest.raises(NoRouteError, match="closed for the season") as err:
        cor.route(net, "Kashgar", "Sost", modes="road", month=1, year=2024, avoid_countries=["KGZ"])
    assert err.value.reason == "season" and KHUNJERAB in str(err.value)
    # the same query in May finds the pass open
    r = cor.route(net, "Kashgar", "Sost", modes="road", month=5, year=2024, avoid_countries=["KGZ"])
    assert KHUNJERAB in set(r.legs["link_id"].dropna())


@pytest.mark.parametrize("bad", [0, 13, 1.5])
def test_month_must_be_1_to_12(net: cor.Network, bad: object) -> None:
    with pytest.raises(ParameterError, match="month"):
        cor.route(net, "Kashgar", "Sost", month=bad)  # type: ignore[arg-type]


def test_scenario_month_closes_the_seasonal_links(net: cor.Network) -> None:
    from corridors.analysis.scenario import Scenario

    s = Scenario(name="jan-2024", year=2024, month=1, od=(("Kashgar", "Sost"),))
    closed = s.apply(net)
    assert closed.links.at[KHUNJERAB, "status"] == "closed"
    assert Scenario(name="jan", month=1).apply(net) is net  # today: nothing closed
    assert Scenario.from_dict(s.to_dict()) == s
    with pytest.raises(Exception, match="month"):
        Scenario(name="x", month=13).validate(net)
