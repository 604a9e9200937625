"""SeSS of many graph pairs under many hyper-parameter sets (for tuning).

:func:`seess.score.score_graphs` scores one pair for one parameter set and
re-derives everything each time. When the same pairs are scored under
hundreds of parameter sets (a tuning study), most of that work does not
depend on the parameters. :class:`BatchScorer` splits it:

* once per set of pairs (the constructor): node cosines, centroid distances,
  whole-image cosines, out-neighbourhoods, the relation similarity of every
  neighbour pair ``R[r(u, u_k), r(v, v_l)]``, the neighbour-matching problems
  of every node pair of every image pair grouped by shape, and the in-place
  update waves;
* per parameter set (:meth:`BatchScorer.scores`): node importances of every
  graph (``k1, k2, k3``), ``L0`` (``theta``), the ``ite`` rounds (``alpha,
  beta, update``) with all problems of one shape of all pairs solved by one
  :func:`seess.kuhn_munkres.km_batch` call, the final matchings grouped by graph
  sizes, and the score (``gamma``).

The result equals :func:`seess.score.score_graphs` pair by pair up to
floating-point summation order (tested to 1e-9).

Example
-------
>>> import numpy as np
>>> from seess.presets import get_preset
>>> from seess.scene import SceneGraph
>>> g = SceneGraph(masks=np.ones((1, 2, 2), bool), features=np.ones((1, 4)) / 2,
...                centroids=np.full((1, 2), .5), saliency_mass=np.ones(1),
...                edges=np.zeros((0, 3), np.int64), edge_scores=np.zeros(0),
...                image_embedding=np.ones(4) / 2, boxes=np.array([[0, 0, 2, 2]]),
...                image_shape=(2, 2))
>>> b = BatchScorer([(g, g), (g, g)], np.eye(56))
>>> b.scores(get_preset("paper")).round(12).tolist()
[1.0, 1.0]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from seess.kuhn_munkres import km_batch
from seess.match import _waves
from seess.predicates import N_PREDICATES
from seess.presets import SeSSParams
from seess.scene import SceneGraph
from seess.score import image_similarity
from seess.views import ViewPairs, has_views

__all__ = ["BatchScorer"]

# Gathered entries per matrix up to which the final matchings are solved for a
# whole stack at once (enumeration or subset DP); larger ones go to scipy.
_FINAL_MAX_COST = 40000


@dataclass
class _Group:
    """Neighbour-matching problems of one shape ``(r, c)``, ``r <= c``, of all pairs.

    ``pos``: flat index of the node pair ``(u, v)`` in the stacked ``L``;
    ``idx``: flat indices of the neighbour pairs in the stacked ``L``;
    ``rv``: ``R`` of the neighbour predicates; ``s1`` / ``s2``: slot indices of
    the row / column neighbour weights; ``u`` / ``v``: global node indices (for
    the importances); ``level``: in-place wave of ``u``.
    """

    pos: np.ndarray  # (P,)
    idx: np.ndarray  # (P, r, c)
    rv: np.ndarray  # (P, r, c)
    s1: np.ndarray  # (P, r, c)
    s2: np.ndarray  # (P, r, c)
    u: np.ndarray  # (P,)
    v: np.ndarray  # (P,)
    level: np.ndarray  # (P,)


def _unique_graphs(pairs) -> tuple[dict[int, int], list[SceneGraph]]:
    """The distinct graphs of ``pairs`` (by identity), each validated once, and their index."""
    index: dict[int, int] = {}
    graphs: list[SceneGraph] = []
    for k, pair in enumerate(pairs):
        if len(pair) != 2:
            raise ValueError(f"pair {k} is not a (g1, g2) tuple")
        for g in pair:
            if not isinstance(g, SceneGraph):
                raise TypeError(f"pair {k}: expected SceneGraph, got {type(g).__name__}")
            if id(g) not in index:
                g.validate()
                index[id(g)] = len(graphs)
                graphs.append(g)
    return index, graphs


class BatchScorer:
    """SeSS of fixed graph pairs, fast for many hyper-parameter sets.

    Parameters
    ----------
    pairs: sequence of ``(g1, g2)`` :class:`~seess.scene.SceneGraph` pairs
        (validated; a graph object shared by several pairs is processed once).
    relation_sim: ``(56, 56)`` float relation similarity ``R`` (as for
        :func:`seess.score.score_graphs`).

    Call :meth:`scores` with a :class:`~seess.presets.SeSSParams` to get the
    ``(n_pairs,)`` float64 SeSS values. Graphs with views (``sess-lite``) get view
    scores (:mod:`seess.views`): every view pair is scored and folded back.
    """

    def __init__(self, pairs: Sequence[tuple[SceneGraph, SceneGraph]], relation_sim: np.ndarray):
        R = np.asarray(relation_sim, dtype=np.float64)
        if R.shape != (N_PREDICATES, N_PREDICATES):
            raise ValueError(
                f"relation_sim must be ({N_PREDICATES}, {N_PREDICATES}), got {R.shape}"
            )
        if not np.all(np.isfinite(R)):
            raise ValueError("relation_sim contains NaN or infinite values")
        pairs = list(pairs)
        if not pairs:
            raise ValueError("BatchScorer needs at least one graph pair")
        self.n_pairs = len(pairs)
        # graphs with views: score every view pair, fold into view scores (seess.views)
        self._views = ViewPairs(pairs) if has_views(*(g for p in pairs for g in p)) else None
        if self._views is not None:
            pairs = self._views.flat

        index, graphs = _unique_graphs(pairs)
        sizes = np.array([g.n_nodes for g in graphs], np.int64)
        off = np.concatenate([[0], np.cumsum(sizes)])
        self.n_graphs = len(graphs)
        self._sizes = sizes
        self._node_graph = np.repeat(np.arange(len(graphs)), sizes)
        self._mass = np.concatenate([np.asarray(g.saliency_mass, np.float64) for g in graphs])
        if not np.all(np.isfinite(self._mass)) or np.any(self._mass < 0):
            raise ValueError("saliency_mass must be finite and >= 0")

        deg_all, level_all, slot_start, rel_slot = self._neighbour_slots(graphs, off)
        gidx, final = self._pair_terms(pairs, index, deg_all, level_all)
        self._final_matchings(final, off)
        self._neighbour_problems(R, gidx, deg_all, level_all, slot_start, rel_slot, off)

    def _neighbour_slots(self, graphs: list[SceneGraph], off: np.ndarray):
        """Importance edges (score > 0) and neighbour slots (sorted by (u, object)) of every
        graph, in global node numbering; per graph: degrees, waves and first slots."""
        sizes = self._sizes
        ei, ej, ew = [], [], []  # importance edges (score > 0), global endpoints
        slot_u, slot_nbr, slot_rel = [], [], []  # neighbour slots, sorted by (u, object)
        slot_start: list[np.ndarray] = []  # per graph: first slot of each node
        deg_all: list[np.ndarray] = []
        level_all: list[np.ndarray] = []
        n_slots = 0
        for gi, g in enumerate(graphs):
            e = np.asarray(g.edges, np.int64).reshape(-1, 3)
            sc = np.asarray(g.edge_scores, np.float64).reshape(-1)
            if not np.all(np.isfinite(sc)):
                raise ValueError("edge scores must be finite")
            if e.size and (e[:, 2].min() < 0 or e[:, 2].max() >= N_PREDICATES):
                raise ValueError("predicate index out of range")
            keep = (sc > 0) & (e[:, 0] != e[:, 1])
            ei.append(e[keep, 0] + off[gi])
            ej.append(e[keep, 1] + off[gi])
            ew.append(sc[keep])
            es = e[np.lexsort((e[:, 1], e[:, 0]))]
            n = int(sizes[gi])
            deg = np.bincount(es[:, 0], minlength=n).astype(np.int64)
            deg_all.append(deg)
            slot_start.append(n_slots + np.concatenate([[0], np.cumsum(deg)])[:n])
            slot_u.append(es[:, 0] + off[gi])
            slot_nbr.append(es[:, 1] + off[gi])
            slot_rel.append(es[:, 2])
            level_all.append(_waves(es, n) if len(es) else np.zeros(n, np.int64))
            n_slots += len(es)
        self._ei = np.concatenate(ei).astype(np.int64)
        self._ej = np.concatenate(ej).astype(np.int64)
        self._ew = np.concatenate(ew)
        self._slot_u = np.concatenate(slot_u).astype(np.int64)
        self._slot_nbr = np.concatenate(slot_nbr).astype(np.int64)
        self._deg = np.concatenate(deg_all)
        rel_slot = np.concatenate(slot_rel).astype(np.int64)

        return deg_all, level_all, slot_start, rel_slot

    def _pair_terms(self, pairs, index: dict[int, int], deg_all, level_all):
        """Per pair: L blocks, cosines, location term, image cosine, final-matching groups."""
        sizes = self._sizes
        cos_parts, loc_parts, base_parts, level_parts = [], [], [], []
        self._image = np.empty(len(pairs))
        self._pair_off = np.zeros(len(pairs) + 1, np.int64)
        gidx = []
        final: dict[tuple[int, int], list[int]] = {}
        for k, (g1, g2) in enumerate(pairs):
            a, b = index[id(g1)], index[id(g2)]
            gidx.append((a, b))
            f1 = np.asarray(g1.features, np.float64)
            f2 = np.asarray(g2.features, np.float64)
            if f1.shape[1] != f2.shape[1]:
                raise ValueError(f"pair {k}: feature dimensions differ")
            n1n, n2n = np.linalg.norm(f1, axis=1), np.linalg.norm(f2, axis=1)
            if np.any(n1n == 0) or np.any(n2n == 0):
                raise ValueError(f"pair {k}: a node feature vector is all zeros")
            cos = (f1 / n1n[:, None]) @ (f2 / n2n[:, None]).T
            c1 = np.asarray(g1.centroids, np.float64)
            c2 = np.asarray(g2.centroids, np.float64)
            d2 = ((c1[:, None, :] - c2[None, :, :]) ** 2).sum(axis=2)
            cos_parts.append(cos.ravel())
            loc_parts.append((1.0 - d2 / 2.0).ravel())
            base = (deg_all[a] == 0)[:, None] & (deg_all[b] == 0)[None, :]
            base_parts.append(base.astype(np.float64).ravel())
            level_parts.append(np.repeat(level_all[a], sizes[b]))
            self._image[k] = image_similarity(g1.image_embedding, g2.image_embedding)
            self._pair_off[k + 1] = self._pair_off[k] + cos.size
            final.setdefault((int(sizes[a]), int(sizes[b])), []).append(k)
        self._cos = np.concatenate(cos_parts)
        self._loc = np.concatenate(loc_parts)
        self._base = np.concatenate(base_parts)
        elem_level = np.concatenate(level_parts)
        self._n_waves = int(elem_level.max()) + 1
        self._wave_elems = [np.flatnonzero(elem_level == w) for w in range(self._n_waves)]
        self._gidx = np.array(gidx, np.int64).reshape(-1, 2)

        return gidx, final

    def _final_matchings(self, final: dict[tuple[int, int], list[int]], off: np.ndarray) -> None:
        """Pairs grouped by (n1, n2); gather indices into the stacked L."""
        self._final = []
        for (n1, n2), ks in sorted(final.items()):
            karr = np.array(ks, np.int64)
            gather = self._pair_off[karr][:, None, None] + (
                np.arange(n1)[:, None] * n2 + np.arange(n2)[None, :]
            )
            rows = off[self._gidx[karr, 0]][:, None] + np.arange(n1)[None, :]
            cols = off[self._gidx[karr, 1]][:, None] + np.arange(n2)[None, :]
            self._final.append((karr, gather, rows, cols, n1, n2))

    def _neighbour_problems(self, R, gidx, deg_all, level_all, slot_start, rel_slot, off) -> None:
        """Neighbour-matching problems of every (pair, u, v) with both neighbourhoods
        non-empty, grouped by shape and by wave."""
        sizes = self._sizes
        per_shape: dict[tuple[int, int], list[tuple[np.ndarray, ...]]] = {}
        for k, (a, b) in enumerate(gidx):
            d1, d2_ = deg_all[a], deg_all[b]
            us = np.flatnonzero(d1 > 0)
            vs = np.flatnonzero(d2_ > 0)
            if us.size == 0 or vs.size == 0:
                continue
            uu, vv = np.repeat(us, vs.size), np.tile(vs, us.size)
            da, db = d1[uu], d2_[vv]
            for ra, cb in set(zip(da.tolist(), db.tolist(), strict=True)):
                sel = (da == ra) & (db == cb)
                u, v = uu[sel], vv[sel]
                # natural layout (ra, cb): rows = neighbours of u, columns = neighbours of v
                su = slot_start[a][u][:, None, None] + np.arange(ra)[None, :, None]
                sv = slot_start[b][v][:, None, None] + np.arange(cb)[None, None, :]
                su, sv = np.broadcast_arrays(su, sv)
                nb1 = self._slot_nbr[su] - off[a]
                nb2 = self._slot_nbr[sv] - off[b]
                idx = self._pair_off[k] + nb1 * sizes[b] + nb2
                rv = R[rel_slot[su], rel_slot[sv]]
                if ra > cb:  # store with rows <= columns (KM is transpose-invariant)
                    idx, rv = idx.transpose(0, 2, 1), rv.transpose(0, 2, 1)
                    su, sv = su.transpose(0, 2, 1), sv.transpose(0, 2, 1)
                shape = (min(ra, cb), max(ra, cb))
                pos = self._pair_off[k] + u * sizes[b] + v
                lev = level_all[a][u]
                per_shape.setdefault(shape, []).append(
                    (pos, idx, rv, su, sv, u + off[a], v + off[b], lev)
                )
        self._groups = []
        for shape in sorted(per_shape):
            parts = per_shape[shape]
            cat = [np.concatenate([p[i] for p in parts]) for i in range(8)]
            self._groups.append(_Group(*cat))
        # per wave: (group, selection) of the problems whose u lies in that wave
        self._wave_groups = [
            [(g, np.flatnonzero(g.level == w)) for g in self._groups] for w in range(self._n_waves)
        ]

    # ------------------------------------------------------------------ per trial
    def importances(self, k1: float, k2: float, k3: float) -> np.ndarray:
        """Node importance of every node of every graph, stacked ``(total nodes,)``.

        Same formula as :func:`seess.importance.node_importance_parts`.
        """
        if not (k1 > 0 and k2 > 0 and 0.0 <= k3 <= 1.0):
            raise ValueError(f"need k1 > 0, k2 > 0, 0 <= k3 <= 1; got k1={k1}, k2={k2}, k3={k3}")
        gid, ng = self._node_graph, self.n_graphs
        sem = self._mass ** (1.0 / k1)
        total = np.bincount(gid, sem, minlength=ng)
        sem = np.where(
            (total > 0)[gid], sem / np.where(total > 0, total, 1.0)[gid], 1.0 / self._sizes[gid]
        )
        i, j, w = self._ei, self._ej, self._ew
        denom = sem[i] + sem[j]
        safe = denom > 0
        safe_denom = np.where(safe, denom, 1.0)
        share_i = np.where(safe, sem[i] / safe_denom, 0.5)
        share_j = np.where(safe, sem[j] / safe_denom, 0.5)
        rel = np.zeros(sem.size)
        np.add.at(rel, i, w * share_i)
        np.add.at(rel, j, w * share_j)
        rel = rel ** (1.0 / k2)
        rel_total = np.bincount(gid, rel, minlength=ng)
        has_rel = rel_total > 0
        rel = rel / np.where(has_rel, rel_total, 1.0)[gid]
        imp = k3 * sem + (1.0 - k3) * rel
        imp_total = np.bincount(gid, imp, minlength=ng)
        imp = np.where(has_rel[gid], imp / np.where(imp_total > 0, imp_total, 1.0)[gid], sem)
        imp[self._sizes[gid] == 1] = 1.0
        return imp

    def _slot_weights(self, imp: np.ndarray) -> np.ndarray:
        """Neighbour weight of every slot: ``imp(nbr) / sum over N(u)`` (uniform if 0)."""
        w = imp[self._slot_nbr]
        n_nodes = imp.size
        tot = np.bincount(self._slot_u, w, minlength=n_nodes)[self._slot_u]
        uniform = 1.0 / np.maximum(self._deg[self._slot_u], 1)
        return np.where(tot > 0, w / np.where(tot > 0, tot, 1.0), uniform)

    def _new_values(
        self,
        L: np.ndarray,
        items: list[tuple[_Group, np.ndarray | None]],
        imp: np.ndarray,
        ws: np.ndarray,
        alpha: float,
    ) -> np.ndarray:
        """``S`` of the problems in ``items`` (other entries: the base value)."""
        S = self._base.copy()
        for g, sel in items:
            if sel is not None and sel.size == 0:
                continue
            s_ = slice(None) if sel is None else sel
            idx, rv = g.idx[s_], g.rv[s_]
            p, r, c = idx.shape
            Lv = L[idx]
            X = np.empty((2, p, r, c))
            for t, slots in enumerate((g.s1[s_], g.s2[s_])):
                W = ws[slots]
                X[t] = Lv * ((1.0 - alpha) * W) + (alpha * rv) * W
            km_vals = km_batch(X.reshape(2 * p, r, c))
            iu, iv = imp[g.u[s_]], imp[g.v[s_]]
            den = iu + iv
            safe = den > 0
            cu = np.where(safe, iu / np.where(safe, den, 1.0), 0.5)
            cv = np.where(safe, iv / np.where(safe, den, 1.0), 0.5)
            S[g.pos[s_]] = km_vals[:p] * cu + km_vals[p:] * cv
        return S

    def graph_scores(self, L: np.ndarray, imp: np.ndarray) -> np.ndarray:
        """Final graph score ``(n1 G1 + n2 G2) / (n1 + n2)`` of every pair from the stacked ``L``
        (every view pair, for graphs with views)."""
        out = np.empty(self._image.size)
        for karr, gather, rows, cols, n1, n2 in self._final:
            Ls = L[gather]
            g1 = km_batch(Ls * imp[rows][:, :, None], _FINAL_MAX_COST)
            g2 = km_batch(Ls * imp[cols][:, None, :], _FINAL_MAX_COST)
            out[karr] = (n1 * g1 + n2 * g2) / (n1 + n2)
        return out

    def scores(self, params: SeSSParams) -> np.ndarray:
        """SeSS of every pair under ``params``: ``(n_pairs,)`` float64."""
        if not isinstance(params, SeSSParams):
            raise TypeError(f"params must be a SeSSParams, got {type(params).__name__}")
        p = params
        imp = self.importances(p.k1, p.k2, p.k3)
        ws = self._slot_weights(imp)
        L = (1.0 - p.theta) * self._cos + p.theta * self._loc
        all_items: list[tuple[_Group, np.ndarray | None]] = [(g, None) for g in self._groups]
        for rnd in range(int(p.ite)):
            if p.update == "synchronous" or rnd == 0:
                S = self._new_values(L, all_items, imp, ws, p.alpha)
                L = (1.0 - p.beta) * L + p.beta * S
            else:
                for w in range(self._n_waves):
                    elems = self._wave_elems[w]
                    items: list[tuple[_Group, np.ndarray | None]] = list(self._wave_groups[w])
                    S = self._new_values(L, items, imp, ws, p.alpha)
                    L[elems] = (1.0 - p.beta) * L[elems] + p.beta * S[elems]
        graph = self.graph_scores(L, imp)
        score = (1.0 - p.gamma) * graph + p.gamma * self._image
        if not np.all(np.isfinite(score)):
            raise FloatingPointError("SeSS produced a non-finite score")
        return score if self._views is None else self._views.fold(score)

    def __len__(self) -> int:
        return self.n_pairs
