"""Small routing networks with round numbers, so that every expected answer can be worked out
by hand in the tests (tests/test_routing.py, tests/test_cli_route.py).

Every builder returns a validated :class:`corridors.Network` made with
:func:`netfactory.make_network`. Places sit a few km apart (0.1 degree steps) while links carry
explicit round ``distance_km`` (100, 200, ... km), so the great-circle check never bites and the
arithmetic stays simple.

Shared parameter tables (``TABLES``), unless a builder says otherwise:

============  =======  ==============  ==============  ================  ========
mode          country  usd_per_teu_km  usd_per_feu_km  usd_per_tonne_km  km/h
============  =======  ==============  ==============  ================  ========
road          ``*``    1.0             2.0             0.05              50
road          AFG      1.5             3.0             0.07              40
rail          ``*``    0.5             1.0             0.03              40
sea           ``*``    0.1             0.2             0.005             25
ferry         ``*``    0.4             0.6             0.02              20
============  =======  ==============  ==============  ================  ========

Default transfers (``operations.csv`` rows with ``place_id = *``):

==============  ======  =====  =====  ========
kind            time h  20ft   40ft   per tonne
==============  ======  =====  =====  ========
transload       20      300    400    15
bogie_exchange  5       100    150    5
port_handling   30      200    250    10
intermodal      10      120    160    6
ferry_terminal  8       90     110    4
transshipment   0       0      0      0
==============  ======  =====  =====  ========

Terminal handling (``kind = terminal``, one row per mode) is zero, so that expected answers are
those of the line haul; the tests of terminals set their own rows.

>>> net = gauge_break_net()
>>> sorted(net.links.index)
['a_z', 'z_b']
"""

from __future__ import annotations

import copy
from typing import Any

from corridors import Network
from netfactory import make_network

__all__ = [
    "TABLES",
    "DEFAULT_OPS",
    "TARIFFS",
    "SPEEDS",
    "tables",
    "place",
    "link",
    "crossing",
    "build",
    "gauge_break_net",
    "dual_gauge_net",
    "border_net",
    "headway_net",
    "override_net",
    "choice_net",
    "year_net",
    "planned_only_net",
    "via_net",
    "transfer_choice_net",
    "corridors_net",
    "modes_net",
    "names_net",
    "missing_tariff_net",
    "disconnected_net",
    "segments_net",
]

TARIFFS = [
    dict(
        mode="road",
        country="*",
        usd_per_teu_km=1.0,
        usd_per_feu_km=2.0,
        usd_per_tonne_km=0.05,
        year=2024,
    ),
    dict(
        mode="road",
        country="AFG",
        usd_per_teu_km=1.5,
        usd_per_feu_km=3.0,
        usd_per_tonne_km=0.07,
        year=2024,
    ),
    dict(
        mode="rail",
        country="*",
        usd_per_teu_km=0.5,
        usd_per_feu_km=1.0,
        usd_per_tonne_km=0.03,
        year=2024,
    ),
    dict(
        mode="sea",
        country="*",
        usd_per_teu_km=0.1,
        usd_per_feu_km=0.2,
        usd_per_tonne_km=0.005,
        year=2024,
    ),
    dict(
        mode="ferry",
        country="*",
        usd_per_teu_km=0.4,
        usd_per_feu_km=0.6,
        usd_per_tonne_km=0.02,
        year=2024,
    ),
]
SPEEDS = [
    dict(mode="road", country="*", speed_kmh=50.0),
    dict(mode="road", country="AFG", speed_kmh=40.0),
    dict(mode="rail", country="*", speed_kmh=40.0),
    dict(mode="sea", country="*", speed_kmh=25.0),
    dict(mode="ferry", country="*", speed_kmh=20.0),
]
DEFAULT_OPS = [
    dict(
        place_id="*",
        from_service="*",
        to_service="*",
        kind=k,
        time_median_h=t,
        time_p90_h=2 * t,
        cost_usd_20ft=c20,
        cost_usd_40ft=c40,
        cost_usd_per_tonne=ct,
        year=2024,
    )
    for k, t, c20, c40, ct in (
        ("transload", 20.0, 300.0, 400.0, 15.0),
        ("bogie_exchange", 5.0, 100.0, 150.0, 5.0),
        ("port_handling", 30.0, 200.0, 250.0, 10.0),
        ("intermodal", 10.0, 120.0, 160.0, 6.0),
        ("ferry_terminal", 8.0, 90.0, 110.0, 4.0),
        ("transshipment", 0.0, 0.0, 0.0, 0.0),
    )
] + [
    # terminal handling at the origin and destination: zero here, so that the hand-computed
    # answers of the other tests stay those of the line haul; tests of terminals set their own
    dict(
        place_id="*",
        from_service=m,
        to_service="terminal",
        kind="terminal",
        time_median_h=0.0,
        time_p90_h=0.0,
        cost_usd_20ft=0.0,
        cost_usd_40ft=0.0,
        cost_usd_per_tonne=0.0,
        year=2024,
    )
    for m in ("rail", "road", "sea", "ferry")
]
TABLES: dict[str, list[dict[str, Any]]] = dict(
    tariffs=TARIFFS, speeds=SPEEDS, operations=DEFAULT_OPS, crossings=[]
)


def tables(**changes: Any) -> dict[str, Any]:
    """A deep copy of ``TABLES`` with some tables replaced (``None`` drops a table)."""
    out = copy.deepcopy(TABLES)
    out.update(changes)
    return {k: v for k, v in out.items() if v is not None}


def place(
    pid: str, x: float, country: str = "PAK", kind: str = "city", *, y: float = 30.0, **extra: Any
) -> dict[str, Any]:
    """A place on a small grid: ``x`` in tenths of a degree east of 60 E."""
    name = extra.pop("name", pid.upper())
    return dict(id=pid, name=name, country=country, kind=kind, lon=60.0 + 0.1 * x, lat=y, **extra)


def link(a: str, b: str, mode: str, km: float, **extra: Any) -> dict[str, Any]:
    """Link ``a_b`` (or ``id=``) of ``km`` kilometres."""
    lid = extra.pop("id", f"{a}_{b}")
    if mode == "rail":
        extra.setdefault("gauge_mm", "1435")
    return dict(id=lid, from_id=a, to_id=b, mode=mode, distance_km=float(km), **extra)


def crossing(
    lid: str, direction: str, mode: str, dwell: float, fee: float, p90: float | None = None
) -> dict[str, Any]:
    return dict(
        link_id=lid,
        direction=direction,
        mode=mode,
        dwell_median_h=dwell,
        dwell_p90_h=2 * dwell if p90 is None else p90,
        fee_usd=fee,
        year=2024,
    )


def build(
    places: list[dict[str, Any]],
    links: list[dict[str, Any]],
    name: str = "test",
    **table_changes: Any,
) -> Network:
    """A validated network with the shared tables (``table_changes`` replace some)."""
    return make_network(places, links, meta={"name": name}, **tables(**table_changes))


# --------------------------------------------------------------------------------------------
# Named networks
# --------------------------------------------------------------------------------------------


def gauge_break_net() -> Network:
    """A --rail 1676, 200 km--> Z --rail 1435, 300 km--> B, all PAK.

    Z is a junction (so default transfers do not apply there) with its own row:
    rail-1676 -> rail-1435 transload, 30 h (p90 60 h), USD 500 (20ft) / 600 (40ft) / 20 per t.
    """
    places = [
        place("a", 0, kind="rail_station", name="Alpha"),
        place("z", 1, kind="junction", name="Zahedan"),
        place("b", 2, kind="rail_station", name="Bravo"),
    ]
    links = [
        link("a", "z", "rail", 200, gauge_mm="1676"),
        link("z", "b", "rail", 300, gauge_mm="1435"),
    ]
    ops = DEFAULT_OPS + [
        dict(
            place_id="z",
            from_service="rail-1676",
            to_service="rail-1435",
            kind="transload",
            time_median_h=30.0,
            time_p90_h=60.0,
            cost_usd_20ft=500.0,
            cost_usd_40ft=600.0,
            cost_usd_per_tonne=20.0,
            year=2024,
        )
    ]
    return build(places, links, name="gauge_break", operations=ops)


def dual_gauge_net() -> Network:
    """A --1520, 100 km--> B --1435|1520, 200 km--> C --1520, 100 km--> D (rail stations), and
    E --1435, 100 km--> B: a 1520 train runs A..D through; E..D must change gauge once, at B or
    at C (B has a row: transload 2 h / USD 50 for 40ft; C uses the default 20 h / USD 400).
    """
    places = [
        place("a", 0, kind="rail_station", name="Alpha"),
        place("b", 1, kind="rail_station", name="Bravo"),
        place("c", 2, kind="rail_station", name="Charlie"),
        place("d", 3, kind="rail_station", name="Delta"),
        place("e", 0, kind="rail_station", name="Echo", y=30.1),
    ]
    links = [
        link("a", "b", "rail", 100, gauge_mm="1520"),
        link("b", "c", "rail", 200, gauge_mm="1435|1520"),
        link("c", "d", "rail", 100, gauge_mm="1520"),
        link("e", "b", "rail", 100, gauge_mm="1435"),
    ]
    ops = DEFAULT_OPS + [
        dict(
            place_id="b",
            from_service="rail-1435",
            to_service="rail-1520",
            kind="transload",
            time_median_h=2.0,
            time_p90_h=4.0,
            cost_usd_20ft=40.0,
            cost_usd_40ft=50.0,
            cost_usd_per_tonne=2.0,
            year=2024,
        )
    ]
    return build(places, links, name="dual_gauge", operations=ops)


def border_net() -> Network:
    """P1 --road 100 km--> P2 (PAK) ==road border 5 km==> Q2 --road 80 km--> Q1 (AFG).

    Crossing p2_q2: forward (PAK -> AFG) dwell 10 h, fee USD 100; reverse (AFG -> PAK)
    dwell 30 h, fee USD 150. Road PAK uses the ``*`` row (1.0/2.0 USD per TEU/FEU-km, 50 km/h);
    road AFG its own (1.5/3.0, 40 km/h).
    """
    places = [
        place("p1", 0, name="Peshawar"),
        place("p2", 1, kind="border_post", name="Torkham PK"),
        place("q2", 1.02, "AFG", kind="border_post", name="Torkham AF"),
        place("q1", 2, "AFG", name="Jalalabad"),
    ]
    links = [
        link("p1", "p2", "road", 100),
        link("p2", "q2", "road", 5, kind="border"),
        link("q2", "q1", "road", 80),
    ]
    crossings = [
        crossing("p2_q2", "forward", "road", 10.0, 100.0),
        crossing("p2_q2", "reverse", "road", 30.0, 150.0),
    ]
    return build(places, links, name="border", crossings=crossings)


def headway_net() -> Network:
    """X --ferry 200 km, headway 24 h--> Y (ports)."""
    places = [place("x", 0, kind="port", name="Xport"), place("y", 2, kind="port", name="Yport")]
    links = [link("x", "y", "ferry", 200, headway_h=24.0)]
    return build(places, links, name="headway")


def override_net(**overrides: Any) -> Network:
    """A --road 100 km--> B, link ``a_b`` with the given overrides (PAK, ``*`` tables)."""
    places = [place("a", 0, name="Alpha"), place("b", 1, name="Bravo")]
    links = [link("a", "b", "road", 100, **overrides)]
    return build(places, links, name="override")


def choice_net() -> Network:
    """O to D by three road paths (20ft rates set per link, times set per link):

    - via S: 2 x 100 km, 2 x 5 h, USD 5/TEU-km   -> 200 km, 10 h, USD 1000 (shortest)
    - via T: 2 x 150 km, 2 x 2 h, USD 3/TEU-km   -> 300 km,  4 h, USD  900 (fastest)
    - via C: 2 x 200 km, 2 x 10 h, USD 1/TEU-km  -> 400 km, 20 h, USD  400 (cheapest)
    """
    places = [
        place("o", 0, name="Origin"),
        place("s", 1, name="Short", y=30.1),
        place("t", 1, name="Fast"),
        place("c", 1, name="Cheap", y=29.9),
        place("d", 2, name="Destination"),
    ]
    links = []
    for mid, km, hours, rate in (("s", 100, 5.0, 5.0), ("t", 150, 2.0, 3.0), ("c", 200, 10.0, 1.0)):
        links.append(link("o", mid, "road", km, time_h=hours, usd_per_teu_km=rate))
        links.append(link(mid, "d", "road", km, time_h=hours, usd_per_teu_km=rate))
    return build(places, links, name="choice")


def year_net() -> Network:
    """O --road 100 km--> D (PAK), three ways:

    - ``o_d_new``: operational, opened 2040 (!), 100 km;
    - ``o_p`` + ``p_d``: via P, 2 x 100 km; ``p_d`` is planned for 2030;
    - ``o_q`` + ``q_d``: via Q, 2 x 200 km, operational (no year).
    """
    places = [
        place("o", 0, name="Origin"),
        place("p", 1, name="Planned Town", y=30.1),
        place("q", 1, name="Quiet Town", y=29.9),
        place("d", 2, name="Destination"),
    ]
    links = [
        link("o", "d", "road", 100, id="o_d_new", year=2040),
        link("o", "p", "road", 100),
        link("p", "d", "road", 100, status="planned", year=2030),
        link("o", "q", "road", 200),
        link("q", "d", "road", 200),
    ]
    return build(places, links, name="years")


def planned_only_net() -> Network:
    """O --road--> P (operational) --road--> D, ``p_d`` planned for 2030 (the only way)."""
    places = [
        place("o", 0, name="Origin"),
        place("p", 1, name="Planned Town"),
        place("d", 2, name="Destination"),
    ]
    links = [link("o", "p", "road", 100), link("p", "d", "road", 100, status="planned", year=2030)]
    return build(places, links, name="planned_only")


def via_net() -> Network:
    """O --100--> D direct; O --150--> V --250--> D; all road, PAK."""
    places = [
        place("o", 0, name="Origin"),
        place("v", 1, name="Viaville", y=30.2),
        place("d", 2, name="Destination"),
    ]
    links = [link("o", "d", "road", 100), link("o", "v", "road", 150), link("v", "d", "road", 250)]
    return build(places, links, name="via")


def transfer_choice_net(*, detour: bool = True) -> Network:
    """A --1676, 200 km--> Z --1435, 200 km--> B with a default transload at Z (rail station:
    20 h, USD 400 for 40ft), and (``detour``) A --1435|1676, 400 km--> Y --1435|1676,
    400 km--> B with no break (Y a junction).

    40ft cost: break path 400 km x 1.0 + 400 = 800 USD; the detour has its own rate
    (usd_per_teu_km 0.55, scaled by the table's FEU/TEU ratio 2 -> 1.1 USD/FEU-km):
    800 km x 1.1 = 880 USD.
    """
    places = [
        place("a", 0, kind="rail_station", name="Alpha"),
        place("z", 1, kind="rail_station", name="Zulu"),
        place("y", 1, kind="junction", name="Yankee", y=30.2),
        place("b", 2, kind="rail_station", name="Bravo"),
    ]
    links = [
        link("a", "z", "rail", 200, gauge_mm="1676"),
        link("z", "b", "rail", 200, gauge_mm="1435"),
    ]
    if detour:
        links += [
            link("a", "y", "rail", 400, gauge_mm="1435|1676", usd_per_teu_km=0.55),
            link("y", "b", "rail", 400, gauge_mm="1435|1676", usd_per_teu_km=0.55),
        ]
    return build(places, links, name="transfer_choice")


def corridors_net(*, east: bool = True) -> Network:
    """Origin (PAK) to Dest (TKM) by road, west through IRN and (``east``) through AFG.

    West: o ==border o_i1 (100 km)==> i1 --i1_i2 (300 km)--> i2 ==border i2_d (100 km)==> d
    East: o ==border o_f1 (100 km)==> f1 --f1_f2 (200 km)--> f2 ==border f2_d (100 km)==> d
    Crossings: every direction dwell 10 h; fees forward 100, reverse 120 (USD). With 40ft
    cargo the east route costs 200 + 600 + 300 (AFG tariff 3.0) + 200 = 1300 and the west
    route 200 + 600 + 200 + 200 = 1200 -- so the west is cheaper, the east shorter (400 vs
    500 km).
    """
    places = [
        place("o", 0, name="Origin"),
        place("i1", 1, "IRN", kind="border_post", name="Iran Gate", y=29.8),
        place("i2", 2, "IRN", name="Mashhad", y=29.8),
        place("d", 3, "TKM", name="Dest"),
    ]
    links = [
        link("o", "i1", "road", 100, kind="border"),
        link("i1", "i2", "road", 300),
        link("i2", "d", "road", 100, kind="border"),
    ]
    border_ids = ["o_i1", "i2_d"]
    if east:
        places += [
            place("f1", 1, "AFG", kind="border_post", name="Kandahar", y=30.2),
            place("f2", 2, "AFG", name="Herat", y=30.2),
        ]
        links += [
            link("o", "f1", "road", 100, kind="border"),
            link("f1", "f2", "road", 200),
            link("f2", "d", "road", 100, kind="border"),
        ]
        border_ids += ["o_f1", "f2_d"]
    crossings = []
    for lid in border_ids:
        crossings += [
            crossing(lid, "forward", "road", 10.0, 100.0),
            crossing(lid, "reverse", "road", 10.0, 120.0),
        ]
    return build(places, links, name="corridors", crossings=crossings)


def modes_net() -> Network:
    """O to D by road (2 x 100 km via R, a city) or by rail 1435 (250 km direct, rail
    stations). 40ft: road 400 USD, rail 250 USD; rail is cheaper."""
    places = [
        place("o", 0, kind="rail_station", name="Origin"),
        place("r", 1, name="Roadtown", y=30.1),
        place("d", 2, kind="rail_station", name="Destination"),
    ]
    links = [link("o", "r", "road", 100), link("r", "d", "road", 100), link("o", "d", "rail", 250)]
    return build(places, links, name="modes")


def names_net() -> Network:
    """Zāhedān (alias 'Duzdab') --road 100 km--> Mīrjāveh (alias 'Mirjaveh Border')."""
    places = [
        place("zahedan", 0, "IRN", name="Zāhedān", aliases="Duzdab|Zahidan"),
        place("mirjaveh", 1, "IRN", name="Mīrjāveh", aliases="Mirjaveh Border"),
    ]
    links = [link("zahedan", "mirjaveh", "road", 100)]
    return build(places, links, name="names")


def missing_tariff_net() -> Network:
    """A --road 100 km--> B (rail station) --rail 1435, 100 km--> C, all PAK, with no rail row
    in the tariffs table: link ``b_c`` has no tariff. Speeds are complete."""
    places = [
        place("a", 0, name="Alpha"),
        place("b", 1, kind="rail_station", name="Bravo"),
        place("c", 2, kind="rail_station", name="Charlie"),
    ]
    links = [link("a", "b", "road", 100), link("b", "c", "rail", 100)]
    tariffs = [t for t in TARIFFS if t["mode"] != "rail"]
    return build(places, links, name="missing_tariff", tariffs=tariffs)


def disconnected_net() -> Network:
    """A --road--> B and, apart, C --road--> D."""
    places = [
        place("a", 0, name="Alpha"),
        place("b", 1, name="Bravo"),
        place("c", 5, name="Charlie"),
        place("d", 6, name="Delta"),
    ]
    links = [link("a", "b", "road", 100), link("c", "d", "road", 100)]
    return build(places, links, name="disconnected")


def segments_net() -> Network:
    """A --1676--> M --1676--> Z (rail stations, PAK; 100 + 150 km) -- gauge break at Z
    (default transload) -- Z --1435, 200 km--> Q (PAK border post) ==rail border 10 km==> R
    (AFG) --1435, 100 km--> S. Crossing q_r: 12 h / USD 80 forward, 20 h / USD 90 reverse.
    """
    places = [
        place("a", 0, kind="rail_station", name="Alpha"),
        place("m", 1, kind="rail_station", name="Mike"),
        place("z", 2, kind="rail_station", name="Zulu"),
        place("q", 3, kind="border_post", name="Quebec"),
        place("r", 3.05, "AFG", kind="border_post", name="Romeo"),
        place("s", 5, "AFG", kind="rail_station", name="Sierra"),
    ]
    links = [
        link("a", "m", "rail", 100, gauge_mm="1676"),
        link("m", "z", "rail", 150, gauge_mm="1676"),
        link("z", "q", "rail", 200, gauge_mm="1435"),
        link("q", "r", "rail", 10, gauge_mm="1435", kind="border"),
        link("r", "s", "rail", 100, gauge_mm="1435"),
    ]
    crossings = [
        crossing("q_r", "forward", "rail", 12.0, 80.0),
        crossing("q_r", "reverse", "rail", 20.0, 90.0),
    ]
    return build(places, links, name="segments", crossings=crossings)
