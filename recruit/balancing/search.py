"""Local search for SSB: exchanges and moves, evaluated many at a time with NumPy.

The state keeps each group's column sum S_g, so a change is judged from the two groups it touches: SSB is a sum
of one term |S_g|²/n_g per group. For a swap of unit a (group g) with unit b (group h) of the same size,

    ΔSSB = M[a, b] + M[b, a],  M[a, b] = (2 (S_g - y_a)·y_b + |y_a|² + |y_b|² - 2 S_g·y_a) / n_g,

and M[a, :] is one row of a matrix product, so the best partner of a among all units costs one
multiplication by the units' matrix (Papenberg & Klau 2021 evaluate exchange partners the same way, one element
at a time). Rows are evaluated in batches of units; a row whose groups were changed by an earlier exchange of
the batch goes back to the queue, so every exchange made is an improvement.

Constraints: availability and pins decide which group a unit may join (never broken); sizes are kept by swaps
between units of the same size and checked for moves; cannot-link pairs are a penalty that outweighs everything
else, so the first assignment's conflicts are removed first (once none is left, a batch leaves the penalty
out and checks the exchange it picks instead: far cheaper, as conflicts are rare). With a waitlist, the
waitlist is one more group that
does not count in SSB, and leaving someone out costs more than any balance gain. With a previous assignment
(`repair`), each person moved costs `move_cost`.

Descent visits a queue of units; after an exchange the members of the two groups join the queue again (the other
exchanges' values do not change). Iterated local search (Lourenço, Martin & Stützle 2003) then perturbs the
solution with a few random exchanges, descends again, and keeps the result when it is no more than a small
threshold worse than the best. It stops after a number of rounds without improvement that depends only on the
problem, so the same seed gives the same answer, or at the time limit, whichever comes first.
"""

from __future__ import annotations

import time

import numpy as np

from .model import Model

EPS = 1e-9
# Up to this many units, descent takes the best change of all (steepest descent over the full matrix of swaps);
# beyond it, the best change of each unit in turn.
STEEPEST_UNITS = 300


def _ranges(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """The concatenation of range(start, start + count) for each pair."""
    if len(counts) == 0 or counts.sum() == 0:
        return np.zeros(0, dtype=np.intp)
    ends = np.cumsum(counts)
    offsets = np.repeat(starts - (ends - counts), counts)
    return np.arange(ends[-1]) + offsets


def _union(mask: np.ndarray | None, more: np.ndarray) -> np.ndarray:
    return more if mask is None else mask | more


class Search:
    """The current assignment of units to groups, with everything needed to judge changes quickly."""

    def __init__(
        self,
        model: Model,
        group_of: np.ndarray,
        *,
        rng: np.random.Generator,
        deadline: float,
        previous: np.ndarray | None = None,
        move_cost: float | None = None,
    ):
        self.model = model
        self.rng = rng
        self.deadline = deadline
        self.waitlist = model.problem.allow_unassigned
        K = model.n_groups
        self.K = K
        self.n_slots = K + 1 if self.waitlist else K  # the waitlist is group K
        G = self.n_slots

        self.Y = model.Y
        self.q = (self.Y * self.Y).sum(axis=1)
        self.Yp = np.ascontiguousarray(np.column_stack([self.Y, self.q]))
        self.w = model.weight.astype(float)
        self.U, self.d = self.Y.shape
        self.equal_weights = bool((model.weight == 1).all())

        self.counted = np.ones(G, dtype=bool)
        self.min = np.concatenate([model.min_size, [0] * (G - K)]).astype(float)
        self.max = np.concatenate([model.max_size, [np.inf] * (G - K)]).astype(float)
        compatible = model.class_compatible
        if self.waitlist:
            self.counted[K] = False
            pinned_class = np.zeros(len(compatible), dtype=bool)
            pinned_class[model.unit_class[model.pinned >= 0]] = True
            compatible = np.column_stack([compatible, ~pinned_class])
        self.compatible = compatible
        self.compatible_by_group = np.ascontiguousarray(compatible.T)
        # Whether a and b may swap depends only on (class of a, kind of b's group) and the reverse, where groups
        # of one kind accept the same classes (groups meeting at one slot). A table indexed by the pair of
        # keys class × group kind answers for a whole batch with one gather.
        kinds, self.group_kind = np.unique(compatible.T, axis=0, return_inverse=True)
        self.group_kind = self.group_kind.ravel()
        self.n_kinds = len(kinds)
        n_keys = len(compatible) * self.n_kinds
        self.pair_ok = None
        if n_keys <= 2048:
            accepts = kinds.T  # class × kind
            cls_of_key, kind_of_key = np.divmod(np.arange(n_keys), self.n_kinds)
            self.pair_ok = accepts[cls_of_key[:, None], kind_of_key[None, :]] & \
                accepts[cls_of_key[None, :], kind_of_key[:, None]]
        self.cls = model.unit_class
        self.constrained = not compatible.all()
        self.use_moves = self.waitlist or bool((self.min < self.max).any())

        total_sst = float(self.q.sum()) if self.U else 0.0
        n_people = float(self.w.sum())
        self.move_cost = 0.0 if previous is None else (total_sst + 1.0 if move_cost is None else float(move_cost))
        self.lam_wait = (n_people + 2) * (total_sst + 1.0 + self.move_cost * (n_people + 1))
        self.lam_link = (n_people + 2) * (self.lam_wait + 1.0)
        self.prev = previous
        self.moves_first = previous is not None and move_cost is None

        links = model.unit_links
        self.has_links = len(links) > 0
        if self.has_links:
            both = np.concatenate([links, links[:, ::-1]])
            order = np.lexsort((both[:, 1], both[:, 0]))
            both = both[order]
            self.nbr_ptr = np.searchsorted(both[:, 0], np.arange(self.U + 1))
            self.nbr = both[:, 1].copy()
            self.neighbours = [self.nbr[self.nbr_ptr[u]: self.nbr_ptr[u + 1]].tolist() for u in range(self.U)]
            self.neighbour_sets = [set(n) for n in self.neighbours]
            if self.U <= STEEPEST_UNITS:
                self.adjacency = np.zeros((self.U, self.U))
                self.adjacency[both[:, 0], both[:, 1]] = 1.0

        # Units that could sit elsewhere (the others are pinned or have a single possible group).
        self.movable = np.flatnonzero(compatible[self.cls].sum(axis=1) > 1) if self.constrained else None
        self._log: list | None = None
        self.g = np.where(group_of < 0, K, group_of).astype(np.intp)
        self.recompute()

    # --- state -----------------------------------------------------------------------------------------

    def recompute(self) -> None:
        """Rebuild every running figure from the assignment (also clears rounding drift)."""
        G = self.n_slots
        self.S = np.zeros((G, self.d))
        np.add.at(self.S, self.g, self.Y)
        self.n = np.bincount(self.g, weights=self.w, minlength=G).astype(float)
        self.sq = (self.S * self.S).sum(axis=1)
        self.inv = np.divide(1.0, self.n, out=np.zeros(G), where=(self.n > 0) & self.counted)
        self.own = (self.Y * self.S[self.g]).sum(axis=1)
        self.R = np.empty((self.U, self.d + 1))
        inv_u = self.inv[self.g]
        self.R[:, : self.d] = 2 * inv_u[:, None] * (self.S[self.g] - self.Y)
        self.R[:, self.d] = inv_u
        self.r = inv_u * (self.q - 2 * self.own)
        self.dirty: set[int] = set()
        if self.has_links:
            dtype = np.int16 if self.U < 30000 else np.int32
            self.C = np.zeros((self.U, G), dtype=dtype)
            src = np.repeat(np.arange(self.U), np.diff(self.nbr_ptr))
            np.add.at(self.C, (src, self.g[self.nbr]), 1)
            self.CT = np.ascontiguousarray(self.C.T)  # groups × units, for gathering whole rows
        self.key = self.cls * self.n_kinds + self.group_kind[self.g]
        self.ssb = float((self.sq * self.inv).sum())
        self.conflicts = self._conflicts()
        self.waiting = float(self.n[self.K]) if self.waitlist else 0.0
        self.moves = int(((self.prev >= 0) & (self.g != self.prev)).sum()) if self.prev is not None else 0
        self.operations = 0

    def _conflicts(self) -> int:
        if not self.has_links:
            return 0
        links = self.model.unit_links
        ga, gb = self.g[links[:, 0]], self.g[links[:, 1]]
        return int(((ga == gb) & self.counted[ga]).sum())

    @property
    def penalty(self) -> float:
        """The lexicographic part of the objective: conflicts, waitlisted people, and moves when they come first."""
        moves = self.move_cost * self.moves if self.moves_first else 0.0
        return self.lam_link * self.conflicts + self.lam_wait * self.waiting + moves

    @property
    def balance(self) -> float:
        """The part traded off continuously: SSB, plus the cost of moves when `move_cost` was given."""
        return self.ssb + (0.0 if self.moves_first else self.move_cost * self.moves)

    @property
    def total(self) -> float:
        return self.penalty + self.balance

    def assignment(self) -> np.ndarray:
        """Unit -> group index, -1 for the waitlist."""
        return np.where(self.g == self.K, -1, self.g) if self.waitlist else self.g.copy()

    def members(self, group: int) -> np.ndarray:
        return np.flatnonzero(self.g == group)

    def _clean(self) -> None:
        """Bring the per-unit figures (own, R, r) up to date for the units of groups changed since last time."""
        if not self.dirty:
            return
        if self.U <= STEEPEST_UNITS or len(self.dirty) > 0.25 * self.n_slots:
            members = slice(None)
        else:
            members = np.flatnonzero(np.isin(self.g, np.fromiter(self.dirty, dtype=np.intp)))
        self.dirty.clear()
        groups = self.g[members]
        inv = self.inv[groups]
        sums = self.S[groups]
        Y = self.Y[members]
        own = np.einsum("ij,ij->i", Y, sums)
        self.own[members] = own
        self.R[members, : self.d] = (2 * inv)[:, None] * (sums - Y)
        self.R[members, self.d] = inv
        self.r[members] = inv * (self.q[members] - 2 * own)

    def _cost(self, group: int, sums: np.ndarray, size: float) -> float:
        if not self.counted[group] or size <= 0:
            return 0.0
        return float(sums @ sums) / size

    def _moved(self, unit: int, group: int) -> int:
        return int(self.prev is not None and self.prev[unit] >= 0 and self.prev[unit] != group)

    def _relink(self, unit: int, old: int, new: int) -> None:
        if self.has_links:
            C, CT = self.C, self.CT
            for x in self.neighbours[unit]:
                C[x, old] -= 1
                C[x, new] += 1
                CT[old, x] -= 1
                CT[new, x] += 1

    def _link_count(self, unit: int, group: int, besides: int = -1) -> int:
        """Cannot-link neighbours of `unit` in `group` (not counting `besides`), 0 for the waitlist."""
        if not self.has_links or not self.counted[group]:
            return 0
        return int(self.C[unit, group]) - (besides in self.neighbour_sets[unit])

    def swap_delta(self, a: int, b: int) -> float:
        """The exact change of the objective if units a and b (of the same size) swapped groups."""
        ga, gb = int(self.g[a]), int(self.g[b])
        diff = self.Y[b] - self.Y[a]
        new_a, new_b = self.S[ga] + diff, self.S[gb] - diff
        delta = (float(new_a @ new_a) - self.sq[ga]) * self.inv[ga] + (float(new_b @ new_b) - self.sq[gb]) * self.inv[gb]
        if self.has_links:
            delta += self.lam_link * (
                self._link_count(a, gb, b) - self._link_count(a, ga)
                + self._link_count(b, ga, a) - self._link_count(b, gb)
            )
        if self.prev is not None:
            delta += self.move_cost * (
                self._moved(a, gb) - self._moved(a, ga) + self._moved(b, ga) - self._moved(b, gb))
        return float(delta)

    def swap(self, a: int, b: int) -> None:
        """Exchange units a and b (of the same size) between their groups."""
        ga, gb = int(self.g[a]), int(self.g[b])
        diff = self.Y[b] - self.Y[a]
        new_a, new_b = self.S[ga] + diff, self.S[gb] - diff
        sq_a, sq_b = float(new_a @ new_a), float(new_b @ new_b)
        self.ssb += (sq_a - self.sq[ga]) * self.inv[ga] + (sq_b - self.sq[gb]) * self.inv[gb]
        if self.has_links:
            self.conflicts += (
                self._link_count(a, gb, b) - self._link_count(a, ga)
                + self._link_count(b, ga, a) - self._link_count(b, gb)
            )
        if self.prev is not None:
            self.moves += self._moved(a, gb) - self._moved(a, ga) + self._moved(b, ga) - self._moved(b, gb)
        self.S[ga], self.S[gb] = new_a, new_b
        self.sq[ga], self.sq[gb] = sq_a, sq_b
        self.g[a], self.g[b] = gb, ga
        self.key[a] = self.cls[a] * self.n_kinds + self.group_kind[gb]
        self.key[b] = self.cls[b] * self.n_kinds + self.group_kind[ga]
        if self._log is not None:
            self._log.append(("swap", a, b))
        self._relink(a, ga, gb)
        self._relink(b, gb, ga)
        self.dirty.update((ga, gb))
        self._count_operation()

    def move(self, a: int, h: int) -> None:
        """Move unit a to group h."""
        ga = int(self.g[a])
        w = self.w[a]
        new_a, new_h = self.S[ga] - self.Y[a], self.S[h] + self.Y[a]
        self.ssb += (
            self._cost(ga, new_a, self.n[ga] - w) - self._cost(ga, self.S[ga], self.n[ga])
            + self._cost(h, new_h, self.n[h] + w) - self._cost(h, self.S[h], self.n[h])
        )
        if self.has_links:
            self.conflicts += self._link_count(a, h) - self._link_count(a, ga)
        if self.waitlist:
            self.waiting += w * ((h == self.K) - (ga == self.K))
        if self.prev is not None:
            self.moves += self._moved(a, h) - self._moved(a, ga)
        self.S[ga], self.S[h] = new_a, new_h
        self.sq[ga], self.sq[h] = new_a @ new_a, new_h @ new_h
        self.n[ga] -= w
        self.n[h] += w
        for group in (ga, h):
            self.inv[group] = 1.0 / self.n[group] if self.n[group] > 0 and self.counted[group] else 0.0
        self.g[a] = h
        self.key[a] = self.cls[a] * self.n_kinds + self.group_kind[h]
        if self._log is not None:
            self._log.append(("move", a, ga))
        self._relink(a, ga, h)
        self.dirty.update((ga, h))
        self._count_operation()

    def _count_operation(self) -> None:
        self.operations += 1
        if self.operations % 20000 == 0:
            self.recompute()

    # --- evaluation ------------------------------------------------------------------------------------

    def evaluate(self, rows: np.ndarray, links: bool = True) -> tuple[np.ndarray, np.ndarray | None]:
        """The change of the objective for every swap and move of the units in `rows`.

        Returns (swaps, moves): swaps[i, b] for exchanging rows[i] with unit b, moves[i, h] for moving
        rows[i] to group h (None when sizes are fixed); inf where not allowed.
        links=False leaves the cannot-link penalty out of the swaps (the caller checks the swap it picks
        with `swap_delta`): cheaper for large batches once no conflict is left, as conflicts are rare.
        """
        self._clean()
        g, cls = self.g, self.cls
        ga = g[rows]
        if len(rows) == self.U:  # the full matrix (rows are all units, in order): M + M.T
            half = self.R @ self.Yp.T
            half += self.r[:, None]
            swaps = half + half.T
        else:
            swaps = self.R[rows] @ self.Yp.T
            swaps += self.r[rows][:, None]
            swaps += self.Yp[rows] @ self.R.T
            swaps += self.r[None, :]

        full = len(rows) == self.U
        with_links = links and self.has_links
        if with_links:
            if full:
                adjacency = self.adjacency
            else:
                counts = self.nbr_ptr[rows + 1] - self.nbr_ptr[rows]
                adjacency = np.zeros(swaps.shape)
                adjacency[np.repeat(np.arange(len(rows)), counts),
                          self.nbr[_ranges(self.nbr_ptr[rows], counts)]] = 1.0
            own_links = self.CT[g, np.arange(self.U)]
            joined_b = self.C[rows][:, g] - adjacency  # rows[i]'s neighbours in b's group, b leaving
            joined_a = self.CT[ga] - adjacency  # b's neighbours in rows[i]'s group, rows[i] leaving
            if self.waitlist:  # conflicts on the waitlist do not count
                counted_u = self.counted[g]
                joined_b *= counted_u[None, :]
                joined_a *= counted_u[rows][:, None]
                own_links = own_links * counted_u
            links = joined_b
            links += joined_a
            links -= own_links[None, :]
            links -= own_links[rows][:, None]
            swaps += self.lam_link * links
        if self.prev is not None:
            prev = self.prev
            has_prev = prev >= 0
            moved_now = (has_prev & (g != prev)).astype(float)
            a_moved = (has_prev[rows][:, None] & (g[None, :] != prev[rows][:, None])).astype(float)
            b_moved = (has_prev[None, :] & (ga[:, None] != prev[None, :])).astype(float)
            swaps += self.move_cost * (a_moved + b_moved - moved_now[rows][:, None] - moved_now[None, :])

        # Swapping within a group changes nothing and shows as ≥ 0, except for the link penalty: mask it then.
        forbidden = (g[None, :] == ga[:, None]) if with_links else None
        if not self.equal_weights:
            forbidden = _union(forbidden, self.w[None, :] != self.w[rows][:, None])
        if self.constrained and self.pair_ok is not None and not full:
            forbidden = _union(forbidden, ~self.pair_ok[self.key[rows]][:, self.key])
        elif self.constrained:
            can_join = self.compatible[cls[rows]][:, g]  # rows[i] may join b's group
            forbidden = _union(forbidden, ~can_join)
            forbidden |= ~can_join.T if full else ~self.compatible_by_group[ga][:, cls]  # b may join rows[i]'s
        if forbidden is not None:
            np.copyto(swaps, np.inf, where=forbidden)

        moves = None
        if self.use_moves:
            moves = self._evaluate_moves(rows)
        return swaps, moves

    def _evaluate_moves(self, rows: np.ndarray) -> np.ndarray:
        self._clean()
        ga = self.g[rows]
        wa = self.w[rows]
        qa = self.q[rows]
        counted = self.counted
        n_left = self.n[ga] - wa
        leave = np.divide(self.sq[ga] - 2 * self.own[rows] + qa, n_left, out=np.zeros(len(rows)),
                          where=n_left > 0)
        leave = (leave - self.sq[ga] * self.inv[ga]) * counted[ga]
        joined = self.n[None, :] + wa[:, None]
        join = (self.sq[None, :] + 2 * (self.Y[rows] @ self.S.T) + qa[:, None]) / joined
        join -= (self.sq * self.inv)[None, :]
        join *= counted[None, :]
        moves = join + leave[:, None]
        if self.has_links:
            links = self.C[rows].astype(float) * counted[None, :]
            links -= (self.C[rows, ga] * counted[ga])[:, None]
            moves += self.lam_link * links
        if self.waitlist:
            moves += self.lam_wait * wa[:, None] * (
                (np.arange(self.n_slots) == self.K)[None, :].astype(float) - (ga == self.K)[:, None]
            )
        if self.prev is not None:
            prev = self.prev[rows]
            has_prev = prev >= 0
            moved_to = (has_prev[:, None] & (np.arange(self.n_slots)[None, :] != prev[:, None])).astype(float)
            moved_now = (has_prev & (ga != prev)).astype(float)
            moves += self.move_cost * (moved_to - moved_now[:, None])
        forbidden = np.arange(self.n_slots)[None, :] == ga[:, None]
        forbidden |= joined > self.max[None, :]
        forbidden |= (n_left < self.min[ga])[:, None]
        forbidden |= ~self.compatible[self.cls[rows]]
        np.copyto(moves, np.inf, where=forbidden)
        return moves

    # --- descent ---------------------------------------------------------------------------------------

    def descend(self, queue: np.ndarray | None = None, batch: int | None = None) -> bool:
        """Make improving changes until none of the queued units (and those they affect) has one.

        Returns False if the deadline stopped it.
        """
        if self.U == 0:
            return True
        if self.U <= STEEPEST_UNITS:
            return self._steepest()
        if queue is None:
            queue = np.arange(self.U)
        if self.has_links and self.conflicts > 0:
            # Units in conflict first: once none is left, batches can skip the link penalty (see evaluate).
            in_conflict = self.C[np.arange(self.U), self.g] * self.counted[self.g] > 0
            queue = np.concatenate([np.flatnonzero(in_conflict), queue[~in_conflict[queue]]])
        if batch is None:
            batch = 96
        queued = np.zeros(self.U, dtype=bool)
        pending: list[np.ndarray] = [np.asarray(queue, dtype=np.intp)]
        queued[pending[0]] = True
        while pending:
            if time.monotonic() > self.deadline:
                return False
            rows = np.concatenate(pending)
            pending = []
            for start in range(0, len(rows), batch):
                if time.monotonic() > self.deadline:
                    return False
                chunk = rows[start: start + batch]
                queued[chunk] = False
                self._descend_chunk(chunk, queued, pending)
        return True

    def _steepest(self) -> bool:
        rows = np.arange(self.U)
        while time.monotonic() < self.deadline:
            swaps, moves = self.evaluate(rows)
            best = int(swaps.argmin())
            value = swaps.flat[best]
            a, b = divmod(best, self.U)
            if moves is not None:
                best_move = int(moves.argmin())
                if moves.flat[best_move] < value:
                    value = moves.flat[best_move]
                    a, h = divmod(best_move, self.n_slots)
                    if value < -EPS:
                        self.move(a, h)
                        continue
            if not value < -EPS:
                return True
            self.swap(a, b)
        return False

    def _descend_chunk(self, rows: np.ndarray, queued: np.ndarray, pending: list[np.ndarray]) -> None:
        check_links = self.has_links and self.conflicts == 0
        swaps, moves = self.evaluate(rows, links=not check_links)
        best_swap = swaps.argmin(axis=1)
        swap_value = swaps[np.arange(len(rows)), best_swap]
        if check_links:
            # The penalty was left out: replace each row's pick by its true value, and when the pick would
            # seat cannot-linked people together, try the row's next best partners.
            for i in np.flatnonzero(swap_value < -EPS):
                a = int(rows[i])
                for _attempt in range(4):
                    b = int(best_swap[i])
                    if self._link_count(a, int(self.g[b]), b) == 0 and self._link_count(b, int(self.g[a]), a) == 0:
                        break
                    swaps[i, b] = np.inf
                    best_swap[i] = swaps[i].argmin()
                    swap_value[i] = swaps[i, best_swap[i]]
                    if not swap_value[i] < -EPS:
                        break
                else:
                    swap_value[i] = np.inf
        if moves is not None:
            best_move = moves.argmin(axis=1)
            move_value = moves[np.arange(len(rows)), best_move]
        else:
            move_value = np.full(len(rows), np.inf)
        candidates = np.flatnonzero(np.minimum(swap_value, move_value) < -EPS)
        changed: set[int] = set()
        for i in candidates:
            a = int(rows[i])
            is_swap = swap_value[i] <= move_value[i]
            partner = int(best_swap[i]) if is_swap else int(best_move[i])
            target = int(self.g[partner]) if is_swap else partner
            if changed and (int(self.g[a]) in changed or target in changed):
                # This row's values are stale: look at it again in a later batch.
                if not queued[a]:
                    queued[a] = True
                    pending.append(np.array([a]))
                continue
            ga = int(self.g[a])
            if is_swap:
                gb = int(self.g[partner])
                self.swap(a, partner)
            else:
                gb = partner
                self.move(a, partner)
            changed.update((ga, gb))
            for group in (ga, gb):
                members = self.members(group)
                members = members[~queued[members]]
                queued[members] = True
                pending.append(members)

    # --- iterated local search -------------------------------------------------------------------------

    def perturb(self, strength: int) -> np.ndarray:
        """Make `strength` random exchanges that keep every constraint; return the groups touched."""
        touched = []
        candidates = self.movable
        if candidates is not None and len(candidates) == 0:
            return np.array([], dtype=np.intp)
        # Exchanges whose value is below this bound add no conflict, waitlisted person or move.
        bound = 0.5 * (self.move_cost if self.moves_first else self.lam_wait)
        for _ in range(strength):
            for _attempt in range(5):
                a = int(self.rng.integers(self.U)) if candidates is None else int(self.rng.choice(candidates))
                swaps, _moves = self.evaluate(np.array([a]))
                allowed = np.flatnonzero((swaps[0] < bound) & (self.g != self.g[a]))
                if len(allowed):
                    b = int(self.rng.choice(allowed))
                    touched += [int(self.g[a]), int(self.g[b])]
                    self.swap(a, b)
                    break
        return np.unique(np.array(touched, dtype=np.intp))

    def iterate(self, *, rounds_without_gain: int, strength: int = 3, threshold: float = 0.004) -> None:
        """Iterated local search from the current (locally optimal) assignment; ends at the best one found."""
        if self.U < 2:
            return
        best_g = self.g.copy()
        best_penalty, best_ssb = self.penalty, self.balance
        stall = 0
        while stall < rounds_without_gain and time.monotonic() < self.deadline:
            log: list = []
            saved = (self.ssb, self.conflicts, self.waiting, self.moves)
            self._log = log
            touched = self.perturb(strength)
            if len(touched) == 0:
                self._log = None
                break
            self.descend(None if self.U <= STEEPEST_UNITS else np.flatnonzero(np.isin(self.g, touched)))
            self._log = None
            penalty, ssb = self.penalty, self.balance
            if penalty < best_penalty - EPS or (penalty <= best_penalty + EPS and ssb < best_ssb - EPS):
                best_g = self.g.copy()
                best_penalty, best_ssb = penalty, ssb
                stall = 0
                continue
            stall += 1
            if penalty <= best_penalty + EPS and ssb <= best_ssb * (1 + threshold) + EPS:
                continue  # accept a slightly worse solution to move on
            for operation in reversed(log):
                if operation[0] == "swap":
                    self.swap(operation[1], operation[2])
                else:
                    self.move(operation[1], operation[2])
            self.ssb, self.conflicts, self.waiting, self.moves = saved
        if not np.array_equal(best_g, self.g):
            self.g = best_g
            self.recompute()
