"""Pinned answers (tests/snapshots/answers.json): a change that moves a flagship, backtest or
region answer fails here until the snapshot is updated on purpose
(``python tests/snapshots/answers.py``) and the commit says why."""

from __future__ import annotations

import importlib.util
import json
import math
from pathlib import Path

import pytest

HERE = Path(__file__).parent / "snapshots"


def _module():
    spec = importlib.util.spec_from_file_location("corridors_snapshot", HERE / "answers.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_bundled_answers_match_the_snapshot() -> None:
    mod = _module()
    pinned = json.loads((HERE / "answers.json").read_text(encoding="utf-8"))
    now = mod.compute()
    assert len(pinned) >= 30
    assert [p["query"] for p in pinned] == [n["query"] for n in now], (
        "the snapshot's queries changed: run python tests/snapshots/answers.py"
    )
    moved = []
    for p, n in zip(pinned, now):
        same = (
            p.get("no_route") == n.get("no_route")
            and p.get("countries") == n.get("countries")
            and p.get("crossings") == n.get("crossings")
        )
        for key in ("time_h", "cost_usd"):
            if key in p or key in n:
                same = (
                    same
                    and key in p
                    and key in n
                    and math.isclose(p[key], n[key], rel_tol=1e-6, abs_tol=1e-6)
                )
        if not same:
            moved.append(
                (
                    p["query"],
                    {k: p.get(k) for k in ("time_h", "cost_usd")},
                    {k: n.get(k) for k in ("time_h", "cost_usd")},
                )
            )
    if moved:
        pytest.fail(
            f"{len(moved)} pinned answers moved (update the snapshot on purpose with "
            "python tests/snapshots/answers.py and say why): "
            + "; ".join(
                f"{q['origin']}->{q['destination']} {q['minimize']}: {a} -> {b}"
                for q, a, b in moved[:5]
            )
        )
