"""CO2e by hand on a fixture route; the factor table is complete and sourced."""

from __future__ import annotations

import pandas as pd
import pytest

import corridors as cor
import routing_fixtures as rf
from corridors.costs.emissions import CONTAINER_TARE_TONNES, cargo_tonnes, emission_factors
from corridors.routes.emissions import co2e_frame, leg_co2e_kg, route_co2e_kg


@pytest.fixture(scope="module")
def seg_route() -> cor.Route:
    return cor.route(rf.segments_net(), "Alpha", "Sierra", minimize="cost_usd")


def _table(rail: float, road: float = 100.0) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "mode": ["rail", "rail", "road"],
            "subtype": ["diesel", "electric", "articulated_34_40t"],
            "g_co2e_per_tkm": [rail, rail / 2, road],
            "basis": "WTW",
            "source": "test",
            "url": "",
            "year": 2024,
            "confidence": "test",
            "note": "",
        }
    )


CONFIDENCE = {"measured", "derived", "approx", "assumed"}


def _bundled_g(mode: str, subtype: str) -> float:
    f = emission_factors()
    hit = f[(f["mode"] == mode) & (f["subtype"] == subtype)]
    assert len(hit) == 1, (mode, subtype)
    return float(hit["g_co2e_per_tkm"].iloc[0])


def test_bundled_table_is_sourced():
    f = emission_factors()
    assert {"rail", "road", "sea", "ferry"} <= set(f["mode"])
    assert f["source"].notna().all() and (f["g_co2e_per_tkm"] > 0).all()
    # one basis only: mixing tank-to-wheel and well-to-wheel factors is wrong
    assert set(f["basis"]) == {"WTW"}
    assert set(f["confidence"]) <= CONFIDENCE
    assert f["note"].notna().all() and (f["note"].str.len() > 0).all()
    assert f["year"].between(2019, 2030).all()
    # every row that is not assumed cites a URL
    sourced = f[f["confidence"] != "assumed"]
    assert sourced["url"].notna().all() and sourced["url"].str.startswith("https://").all()
    assert not f.duplicated(["mode", "subtype"]).any()


def test_bundled_conversions_by_hand():
    # road: GLEC Table 8 WTT part 22 g/tkm grossed up by the EN 16258 diesel WTT share 0.57/3.24
    assert _bundled_g("road", "articulated_34_40t") == pytest.approx(22 / (0.57 / 3.24), abs=0.1)
    # sea: GLEC Table 13 lane factor 89.4 g/TEU-km over 10 t per TEU, kept to two figures
    assert _bundled_g("sea", "container") == pytest.approx(89.4 / 10, abs=0.05)
    # ferry: GLEC Table 14 WTW value as printed, 0.1248 kg/tkm
    assert _bundled_g("ferry", "ropax") == pytest.approx(0.1248 * 1000)


def test_tonnes_with_tare():
    c = cor.Cargo.container("40ft")  # 20 t goods
    assert cargo_tonnes(c) == 20 + CONTAINER_TARE_TONNES["40ft"] == 23.8
    assert cargo_tonnes(c, include_tare=False) == 20
    assert cargo_tonnes(cor.Cargo.bulk(500)) == 500


def test_route_by_hand(seg_route):
    # 560 rail km x 23.8 t x 30 g/tkm = 399.84 kg
    t = _table(30.0)
    assert route_co2e_kg(seg_route, factors=t) == pytest.approx(560 * 23.8 * 30 / 1000)
    assert route_co2e_kg(seg_route, factors=t, include_tare=False) == pytest.approx(
        560 * 20 * 30 / 1000
    )
    assert route_co2e_kg(seg_route, factors=t, subtypes={"rail": "electric"}) == pytest.approx(
        560 * 23.8 * 15 / 1000
    )
    g = _bundled_g("rail", "diesel")
    assert route_co2e_kg(seg_route) == pytest.approx(560 * 23.8 * g / 1000)
    g_el = _bundled_g("rail", "electric")
    assert route_co2e_kg(seg_route, subtypes={"rail": "electric"}) == pytest.approx(
        560 * 23.8 * g_el / 1000
    )


def test_frame_by_hand(seg_route):
    df = co2e_frame(seg_route, factors=_table(30.0))
    assert len(df) == len(seg_route.steps)
    border = df[df["kind"] == "border"].iloc[0]
    assert border["co2e_kg"] == pytest.approx(10 * 23.8 * 30 / 1000)
    transfer = df[df["kind"] == "transfer"].iloc[0]
    assert transfer["co2e_kg"] == 0.0 and pd.isna(transfer["g_co2e_per_tkm"])
    assert df["cum_co2e_kg"].iloc[-1] == pytest.approx(560 * 23.8 * 30 / 1000)
    leg = seg_route.steps[1]
    assert leg_co2e_kg(leg, cor.Cargo.container("20ft"), factors=_table(30.0)) == pytest.approx(
        100 * (14 + 2.2) * 30 / 1000
    )


def test_missing_factor_named(seg_route):
    with pytest.raises(cor.ParameterError, match="rail.*'steam'"):
        route_co2e_kg(seg_route, subtypes={"rail": "steam"})
