"""The matching index: everything a ranking reads, laid out as arrays once per network version.

Built from plain values (``ConsultantProfile``, ``ExternalProfile``) and a ``Normalizer``, never
from models (docs/architecture.md, house rule 2). A ranking then costs a handful of sparse column
gathers
and numpy masks over all consultants instead of a Python loop, which is what keeps 100,000 profiles
under the benchmark's 15 ms.

Layout, for ``n`` consultants sorted by id (so an array position breaks ties the same way an id
does) and ``s`` skills:

- ``levels``: ``n × s`` CSR of skill levels 1..5 (float32), for explanations and the adapter;
  ``level_weight_csc``: the same divided by 5 in CSC form, so one required skill's holders and
  weights are one contiguous slice (the coverage factor is a sum of such slices);
- ``tfidf_csc``: the TF-IDF matrix of the profile texts (rows l2-normalised, so a dot product is
  a cosine) in CSC form, so a request's few words are a few column slices;
- per-consultant arrays for the hard filters and the other factors;
- ``external_skills``: outside professionals × skill, for referrals;
- the members themselves (id, name, status, groups) as arrays too: names as one UTF-8 buffer
  with offsets, groups as a CSR-like pair, statuses as small codes.

Every per-member value is a numpy array (or a sparse matrix made of three), never a Python
object per member, so ``matching.index_files`` can write the index as ``.npy`` files that every
process maps read-only: one copy of the arrays per machine, whatever the number of workers.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from matching.types import ConsultantProfile, ExternalProfile
from network.text_rules import fold

if TYPE_CHECKING:
    from matching.normalize import Normalizer

# The member statuses that may be offered work (network Consultant.Status values).
OFFERABLE_STATUSES = frozenset({"active", "probation"})
MAX_LEVEL = 5.0


@dataclass(eq=False)
class MatchIndex:
    """Arrays over the whole network for vectorised filtering and scoring.

    Build it with :meth:`build`; ``version`` is set by the caller (any hashable, e.g. the
    database's version counter) so it can tell a stale index from a fresh one.
    """

    normalizer: Normalizer
    externals: list[ExternalProfile]
    skill_names: list[str]
    skill_column: dict[str, int]
    consultant_ids: np.ndarray  # int64, ascending
    levels: sparse.csr_matrix  # n × s, level 1..5, float32
    level_weight_csc: sparse.csc_matrix  # n × s, level / 5, float32
    vectorizer: TfidfVectorizer
    tfidf_csc: sparse.csc_matrix  # n × vocabulary, rows l2-normalised
    offerable: np.ndarray  # bool: status active or probation
    free_hours: np.ndarray  # float64: capacity minus committed hours a week, ≥ 0
    hourly_rate: np.ndarray  # float64, NaN when unknown
    sliding_scale: np.ndarray  # bool
    pro_bono_hours: np.ndarray  # float64: pro bono hours a month on offer
    free_days_left: np.ndarray  # float64: pledged free service days left this year, ≥ 0
    remote_ok: np.ndarray  # bool
    rotation_offers: np.ndarray  # float64: offers in the last 90 days
    language_codes: dict[str, int]
    speaks: np.ndarray  # bool n × languages
    location_names: list[str]  # distinct folded locations
    location_code: np.ndarray  # int32 per consultant, into location_names
    away_owner: np.ndarray  # int64 consultant position of each time-away period
    away_start: np.ndarray  # int64 proleptic ordinal of the first day away
    away_end: np.ndarray  # int64 proleptic ordinal of the last day away
    client_orgs: np.ndarray  # int64 organisation ids served, ascending
    client_indptr: np.ndarray  # int64: client_positions[indptr[i]:indptr[i + 1]] served orgs[i]
    client_positions: np.ndarray  # int64 consultant positions
    external_skills: sparse.csc_matrix  # externals × s, 1.0 where held
    name_bytes: np.ndarray  # uint8: every member's name, UTF-8, one after the other
    name_offsets: np.ndarray  # int64, n + 1: name i is name_bytes[offsets[i]:offsets[i + 1]]
    status_names: list[str]  # the distinct statuses
    status_code: np.ndarray  # int8 per consultant, into status_names
    group_indptr: np.ndarray  # int64, n + 1: group_ids[indptr[i]:indptr[i + 1]]
    group_ids: np.ndarray  # int64 group ids of each member
    version: Hashable = None
    _analyzer: Callable[[str], list[str]] | None = field(default=None, repr=False)
    _idf: np.ndarray | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self._analyzer is None:
            self._analyzer = self.vectorizer.build_analyzer()
        if self._idf is None:
            self._idf = np.asarray(self.vectorizer.idf_, dtype=np.float64)

    @property
    def size(self) -> int:
        return len(self.consultant_ids)

    @property
    def consultants(self) -> Sequence[IndexedMember]:
        """The members in position order, each read from the arrays when asked for."""
        return _Members(self)

    @classmethod
    def build(
        cls,
        consultants: Sequence[ConsultantProfile],
        externals: Sequence[ExternalProfile],
        normalizer: Normalizer,
    ) -> MatchIndex:
        """Lay out ``consultants`` and ``externals`` for ranking.

        Skill names are taken as given (the adapter passes canonical names); the vocabulary is
        the union of the consultants' and the externals' skills, in sorted order so two builds
        of the same network agree column for column.
        """
        profiles = sorted(consultants, key=lambda profile: profile.id)
        outside = sorted(externals, key=lambda profile: profile.id)
        n = len(profiles)

        vocabulary: set[str] = set()
        for profile in profiles:
            vocabulary.update(profile.skills)
        for professional in outside:
            vocabulary.update(professional.skills)
        skill_names = sorted(vocabulary)
        skill_column = {name: column for column, name in enumerate(skill_names)}

        # Sparse skill levels: one pass collecting (row, column, level) triples.
        counts = np.fromiter((len(p.skills) for p in profiles), dtype=np.int64, count=n)
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(counts, out=indptr[1:])
        columns = np.fromiter(
            (skill_column[name] for p in profiles for name in p.skills),
            dtype=np.int32,
            count=int(indptr[-1]),
        )
        level_values = np.fromiter(
            (level for p in profiles for level in p.skills.values()),
            dtype=np.float32,
            count=int(indptr[-1]),
        )
        levels = sparse.csr_matrix(
            (np.clip(level_values, 0, MAX_LEVEL), columns, indptr), shape=(n, len(skill_names))
        )
        levels.sum_duplicates()
        level_weight_csc = (levels / np.float32(MAX_LEVEL)).tocsc().astype(np.float32)
        level_weight_csc.sort_indices()

        # Profile texts plus skill names, so a request that names a skill in prose finds it.
        vectorizer = TfidfVectorizer(
            sublinear_tf=True, stop_words="english", dtype=np.float32, norm="l2"
        )
        texts = [f"{p.text} {' '.join(p.skills)}" for p in profiles]
        if any(text.strip() for text in texts):
            try:
                tfidf = vectorizer.fit_transform(texts)
            except ValueError:  # only stop words: nothing to compare
                vectorizer, tfidf = _empty_vectorizer(n)
        else:
            vectorizer, tfidf = _empty_vectorizer(n)
        tfidf_csc = tfidf.tocsc()
        tfidf_csc.sort_indices()

        capacity = np.fromiter((p.capacity_hours_per_week for p in profiles), np.float64, n)
        committed = np.fromiter((p.committed_hours_per_week for p in profiles), np.float64, n)
        rates = np.fromiter(
            (np.nan if p.hourly_rate is None else float(p.hourly_rate) for p in profiles),
            np.float64,
            n,
        )

        language_codes: dict[str, int] = {}
        for profile in profiles:
            for code in profile.languages:
                language_codes.setdefault(fold(code), len(language_codes))
        speaks = np.zeros((n, len(language_codes)), dtype=bool)
        for position, profile in enumerate(profiles):
            for code in profile.languages:
                speaks[position, language_codes[fold(code)]] = True

        location_index: dict[str, int] = {}
        location_code = np.fromiter(
            (location_index.setdefault(fold(p.location), len(location_index)) for p in profiles),
            np.int32,
            n,
        )

        owners, starts, ends = [], [], []
        for position, profile in enumerate(profiles):
            for start, end in profile.away:
                owners.append(position)
                starts.append(start.toordinal())
                ends.append(end.toordinal())

        served: dict[int, list[int]] = {}
        for position, profile in enumerate(profiles):
            for organization in profile.clients_served:
                served.setdefault(organization, []).append(position)
        client_orgs = np.array(sorted(served), dtype=np.int64)
        client_lists = [served[int(org)] for org in client_orgs]
        client_indptr = np.zeros(len(client_lists) + 1, dtype=np.int64)
        np.cumsum([len(rows) for rows in client_lists], out=client_indptr[1:])
        client_positions = np.fromiter(
            (row for rows in client_lists for row in rows), np.int64, int(client_indptr[-1])
        )

        encoded = [p.name.encode() for p in profiles]
        name_offsets = np.zeros(n + 1, dtype=np.int64)
        np.cumsum([len(name) for name in encoded], out=name_offsets[1:])
        name_bytes = np.frombuffer(b"".join(encoded), dtype=np.uint8).copy()
        status_index: dict[str, int] = {}
        status_code = np.fromiter(
            (status_index.setdefault(p.status, len(status_index)) for p in profiles), np.int8, n
        )
        group_indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum([len(p.groups) for p in profiles], out=group_indptr[1:])
        group_ids = np.fromiter(
            (group for p in profiles for group in sorted(p.groups)),
            np.int64,
            int(group_indptr[-1]),
        )

        external_rows = [
            (row, skill_column[name])
            for row, professional in enumerate(outside)
            for name in professional.skills
        ]
        external_skills = sparse.csc_matrix(
            (
                np.ones(len(external_rows), dtype=np.float32),
                (
                    np.array([row for row, _ in external_rows], dtype=np.int64),
                    np.array([column for _, column in external_rows], dtype=np.int64),
                ),
            ),
            shape=(len(outside), len(skill_names)),
        )

        return cls(
            normalizer=normalizer,
            externals=outside,
            skill_names=skill_names,
            skill_column=skill_column,
            consultant_ids=np.fromiter((p.id for p in profiles), np.int64, n),
            levels=levels,
            level_weight_csc=level_weight_csc,
            vectorizer=vectorizer,
            tfidf_csc=tfidf_csc,
            offerable=np.fromiter((p.status in OFFERABLE_STATUSES for p in profiles), bool, n),
            free_hours=np.clip(capacity - committed, 0.0, None),
            hourly_rate=rates,
            sliding_scale=np.fromiter((p.sliding_scale for p in profiles), bool, n),
            pro_bono_hours=np.fromiter(
                (p.pro_bono_hours_per_month for p in profiles), np.float64, n
            ),
            free_days_left=np.fromiter(
                (max(0.0, p.free_days_left) for p in profiles), np.float64, n
            ),
            remote_ok=np.fromiter((p.remote_ok for p in profiles), bool, n),
            rotation_offers=np.fromiter((p.recent_offers for p in profiles), np.float64, n),
            language_codes=language_codes,
            speaks=speaks,
            location_names=list(location_index),
            location_code=location_code,
            away_owner=np.array(owners, dtype=np.int64),
            away_start=np.array(starts, dtype=np.int64),
            away_end=np.array(ends, dtype=np.int64),
            client_orgs=client_orgs,
            client_indptr=client_indptr,
            client_positions=client_positions,
            external_skills=external_skills,
            name_bytes=name_bytes,
            name_offsets=name_offsets,
            status_names=list(status_index),
            status_code=status_code,
            group_indptr=group_indptr,
            group_ids=group_ids,
        )

    def query_terms(self, text: str) -> tuple[list[int], np.ndarray]:
        """The TF-IDF columns and l2-normalised weights of ``text``, as the vectorizer would
        compute them (sublinear tf × idf), without building a one-row sparse matrix: that
        costs more than the whole ranking of a small network."""
        vocabulary = self.vectorizer.vocabulary_
        counts = Counter(vocabulary[token] for token in self._analyzer(text) if token in vocabulary)
        if not counts:
            return [], np.empty(0)
        columns = list(counts)
        weights = (1.0 + np.log(np.fromiter(counts.values(), np.float64, len(counts)))) * (
            self._idf[columns]
        )
        return columns, weights / np.linalg.norm(weights)

    def away_during(self, first: datetime.date, last: datetime.date) -> np.ndarray:
        """A bool mask of the consultants away for the whole of ``first``..``last``.

        The filter is on time away covering the whole window (docs/architecture.md, "Matching"): a
        member
        away for a week of a three-month project can still take it, and the coordinator sees the
        dates. (Two back-to-back periods that only together cover the window do not filter.)
        """
        away = np.zeros(self.size, dtype=bool)
        if len(self.away_owner):
            covering = (self.away_start <= first.toordinal()) & (self.away_end >= last.toordinal())
            away[self.away_owner[covering]] = True
        return away

    def skill_weight_column(self, skill: str) -> tuple[np.ndarray, np.ndarray]:
        """The positions of the consultants who hold ``skill`` and their level / 5."""
        column = self.skill_column.get(skill)
        if column is None:
            return np.empty(0, dtype=np.int32), np.empty(0, dtype=np.float32)
        matrix = self.level_weight_csc
        start, end = matrix.indptr[column], matrix.indptr[column + 1]
        return matrix.indices[start:end], matrix.data[start:end]

    def skills_of(self, position: int) -> dict[str, int]:
        """The canonical skills and levels of the consultant at ``position``."""
        start, end = self.levels.indptr[position], self.levels.indptr[position + 1]
        names = self.skill_names
        return {
            names[column]: int(level)
            for column, level in zip(
                self.levels.indices[start:end].tolist(),
                self.levels.data[start:end].tolist(),
                strict=True,
            )
        }

    def name_of(self, position: int) -> str:
        start, end = self.name_offsets[position], self.name_offsets[position + 1]
        return bytes(self.name_bytes[start:end]).decode()

    def status_of(self, position: int) -> str:
        return self.status_names[int(self.status_code[position])]

    def groups_of(self, position: int) -> frozenset[int]:
        start, end = self.group_indptr[position], self.group_indptr[position + 1]
        return frozenset(self.group_ids[start:end].tolist())

    def member(self, position: int) -> IndexedMember:
        """The member at ``position``: id, name, status, skills and groups."""
        return IndexedMember(
            id=int(self.consultant_ids[position]),
            name=self.name_of(position),
            status=self.status_of(position),
            skills=self.skills_of(position),
            groups=self.groups_of(position),
        )

    def clients_of(self, organization_id: int) -> np.ndarray | None:
        """The positions of the consultants who served ``organization_id``, or None."""
        found = int(np.searchsorted(self.client_orgs, organization_id))
        if found >= len(self.client_orgs) or int(self.client_orgs[found]) != organization_id:
            return None
        return self.client_positions[self.client_indptr[found] : self.client_indptr[found + 1]]


@dataclass(frozen=True)
class IndexedMember:
    """One member as the index holds them (what rankings and teams name)."""

    id: int
    name: str
    status: str
    skills: dict[str, int]
    groups: frozenset[int]


class _Members(Sequence):
    """``MatchIndex.consultants``: the members, made from the arrays one at a time."""

    def __init__(self, index: MatchIndex) -> None:
        self._index = index

    def __len__(self) -> int:
        return self._index.size

    def __getitem__(self, position):
        if isinstance(position, slice):
            return [self._index.member(i) for i in range(*position.indices(len(self)))]
        if position < 0:
            position += len(self)
        if not 0 <= position < len(self):
            raise IndexError(position)
        return self._index.member(position)


def _empty_vectorizer(n: int) -> tuple[TfidfVectorizer, sparse.csr_matrix]:
    """A vectorizer fitted on a placeholder word, for networks whose profiles have no text."""
    vectorizer = TfidfVectorizer(sublinear_tf=True, dtype=np.float32)
    vectorizer.fit(["placeholder"])
    return vectorizer, sparse.csr_matrix((n, 1), dtype=np.float32)
