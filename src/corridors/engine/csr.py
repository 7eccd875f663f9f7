"""The allowed edges of an expanded graph as a CSR matrix for :mod:`scipy.sparse.csgraph`,
its structure kept per mask (:func:`edge_csr`; re-exported by :mod:`.topology`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # imported where used: import corridors stays light (issue 18)
    from scipy import sparse

    from .topology import Topology

__all__ = ["CSR_CACHE_BYTES", "edge_csr"]

CSR_CACHE_BYTES = 64 * 2**20  # structures of recent masks kept per topology (edge_csr)


def edge_csr(topo: Topology, weight: np.ndarray, mask: np.ndarray) -> sparse.csr_matrix:
    """The allowed edges as an ``n_nodes x n_nodes`` CSR matrix for
    :mod:`scipy.sparse.csgraph`: parallel edges (same tail and head) collapse to their least
    weight, and zero weights stay as explicit entries (csgraph treats an explicit zero in a
    sparse matrix as an edge of weight 0, a missing entry as no edge).

    The structure (which edges, in which order, where parallel edges collapse, the index
    arrays) depends on the mask only: it is kept for the last few masks of the topology
    (about ``CSR_CACHE_BYTES``), so a repeated query only gathers its weights."""
    from scipy import sparse

    n = topo.n_nodes
    cache: dict[bytes, Any] = topo._static.setdefault("csr_structures", {})
    key = np.packbits(mask).tobytes()
    hit = cache.pop(key, None)
    if hit is None:
        hit = _csr_structure(topo, mask)
    cache[key] = hit  # most recent last
    size = sum(a.nbytes for a in hit if a is not None)
    while len(cache) > max(1, CSR_CACHE_BYTES // max(size, 1)):
        cache.pop(next(iter(cache)), None)
    e, starts, indices, indptr = hit
    w = np.asarray(weight, dtype=float)[e]
    if starts is not None:
        w = np.minimum.reduceat(w, starts)
    return sparse.csr_matrix((w, indices, indptr), shape=(n, n))


def _csr_structure(
    topo: Topology, mask: np.ndarray
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray, np.ndarray]:
    """The allowed edges by (tail, head), the starts of runs of parallel edges (None when
    there are none) and the CSR column indices and row pointers."""
    n = topo.n_nodes
    order = topo._static_array("out_order")
    e = order[mask[order]]
    s = topo.src[e]
    d = topo.dst[e]
    starts = None
    if len(e):
        first = np.empty(len(e), dtype=bool)
        first[0] = True
        np.not_equal(s[1:], s[:-1], out=first[1:])
        first[1:] |= d[1:] != d[:-1]
        runs = np.flatnonzero(first)
        if len(runs) < len(e):
            starts = runs
            s = s[runs]
            d = d[runs]
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(s, minlength=n), out=indptr[1:])
    index_type = np.int32 if max(n, len(d)) < 2**31 - 1 else np.int64
    out = (e, starts, d.astype(index_type), indptr.astype(index_type))
    for a in out:
        if a is not None:
            a.flags.writeable = False  # shared by every matrix of the mask
    return out
