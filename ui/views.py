"""Cached data and the analysed view of this session: bundled views and boundaries are shared by every session
(`st.cache_resource`), an uploaded or scenario scheme is kept in the session that made it and never in a shared
cache."""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict

import pandas as pd
import streamlit as st

from analysis.datasets import build_view, bundled_view, merger_conflicts_for, referentieregio_scheme, regie_scheme
from analysis.indicator_data import unemployment_rate_by_partnership, values_on
from geodata.vocabulary import SCHEME_REFREG, SCHEME_REGIE, SCHEME_UPLOAD
from geodata.weblayer import web_layer


@st.cache_resource(show_spinner="Gemeentegrenzen voorbereiden…")
def cached_web_layer(version: str):
    return web_layer(version)


@st.cache_resource(show_spinner="Analyse berekenen…")
def cached_bundled_view(scheme_id: str, version: str):
    return bundled_view(scheme_id, version)


@st.cache_data(show_spinner="Indicatoren laden…")
def cached_indicator_values(version: str):
    """Every catalogue indicator on the map of `version` (long format, see geodata.indicators)."""
    return values_on(version)


def uploaded_scheme():
    """The membership scenario uploaded in this browser session, or None."""
    return st.session_state.get("upload_scheme")


def current_view(filters):
    """The analysed view for the chosen scheme and boundary version (`filters`: a `ui.state.Filters`)."""
    if filters.scheme == SCHEME_UPLOAD and uploaded_scheme() is not None:
        # Uploaded data is kept per session, never in a shared cache.
        cache = st.session_state.setdefault("upload_views", {})
        token = (id(uploaded_scheme()), filters.version)
        if token not in cache:
            with st.spinner("Analyse van de upload berekenen…"):
                cache.clear()
                cache[token] = build_view(uploaded_scheme(), filters.version)
        return cache[token]
    return cached_bundled_view(SCHEME_REGIE if filters.scheme == SCHEME_UPLOAD else filters.scheme, filters.version)


def cached_merger_conflicts(scheme_id: str):
    """Merger conflicts of the chosen scheme (on its 2019 codes); empty for schemes keyed on 2025 codes."""

    if scheme_id == SCHEME_UPLOAD and uploaded_scheme() is not None:
        scheme = uploaded_scheme()
        if scheme.boundary_version != "2019":
            return pd.DataFrame(columns=["nis_2025"])
        return merger_conflicts_for(scheme)
    return _bundled_merger_conflicts(SCHEME_REGIE if scheme_id == SCHEME_UPLOAD else scheme_id)


@st.cache_data(show_spinner=False)
def _bundled_merger_conflicts(scheme_id: str):

    if scheme_id == SCHEME_REGIE:
        return merger_conflicts_for(regie_scheme())
    if scheme_id == SCHEME_REFREG:
        return merger_conflicts_for(referentieregio_scheme("2019"))
    return pd.DataFrame(columns=["nis_2025"])


def unemployment_rates(view):
    """The werkzoekendengraad (%) per partnership for the subsidy ranking, with a note on its source and year.

    Recomputed per partnership from the number of jobseekers and the (derived) labour force of 2019, the last full
    year before the 2020-2025 call (`analysis.indicator_data`). Returns (None, note) when no rate can be computed
    honestly: missing rates are never invented.
    """
    return unemployment_rate_by_partnership(view)


class PerViewCache:
    """Values derived from one (view, web layer) pair, kept while both objects live (by identity, bounded).

    Views and web layers are built once and then only read (Streamlit caches them, an upload's view lives in
    its session), so what is derived from them is computed once too and a filter change only selects from it.
    A value derived from one of them alone passes it as both `view` and `web`; `detail` tells apart several
    values of one kind (a partnership's outline by its member set, the sidebar's choices by the filters).
    """

    def __init__(self, max_entries: int = 24):
        self._entries: OrderedDict[tuple, tuple] = OrderedDict()
        self._lock = threading.Lock()
        self._max_entries = max_entries

    def get(self, kind: str, view, web, compute, detail=None):
        key = (kind, id(view), id(web), detail)
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry[0]() is view and entry[1]() is web:
                self._entries.move_to_end(key)
                return entry[2]
        value = compute()
        with self._lock:
            self._entries[key] = (weakref.ref(view), weakref.ref(web), value)
            self._entries.move_to_end(key)
            while len(self._entries) > self._max_entries:
                self._entries.popitem(last=False)
        # A view that is gone (an upload forgotten, a session closed) takes what was derived from it along.
        weakref.finalize(view, self._discard, key)
        weakref.finalize(web, self._discard, key)
        return value

    def _discard(self, key) -> None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and (entry[0]() is None or entry[1]() is None):
                del self._entries[key]

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
