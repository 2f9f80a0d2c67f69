"""The shared filters: kept in ``st.session_state``, drawn in the sidebar, written back to the URL query string on
every page run so a copied link reproduces the view (the page menu, `ui.pagemenu`, carries them to the next page),
and narrowed so that each filter offers only the choices the others leave."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from analysis import scenario
from analysis.coverage import partnerships_without_members
from analysis.filters import (
    Selection,
    centre_choices,
    centre_cities,
    partnership_choices,
    region_choices,
    region_names,
    selected_municipalities,
)
from geodata.municipalities import PROVINCES
from geodata.vocabulary import SCHEME_LABELS, SCHEME_REFREG, SCHEME_REGIE, SCHEME_UPLOAD, VERSION_LABELS
from ui.compat import leave_legacy_pages_mode
from ui.views import PerViewCache, current_view, uploaded_scheme

# Before anything else of the page runs: every page script imports this module first (see
# ui.compat.leave_legacy_pages_mode).
leave_legacy_pages_mode()


ALL = "alle"


CENTRE_ANY, CENTRE_WITH, CENTRE_WITHOUT = "alle", "met", "zonder"


CENTRE_LABELS = {CENTRE_ANY: "Alle", CENTRE_WITH: "Met centrumstad", CENTRE_WITHOUT: "Zonder centrumstad"}


# URL parameter -> (session key, default)
URL_FILTERS = {
    "schema": ("f_scheme", SCHEME_REGIE),
    "versie": ("f_version", "2019"),
    "provincie": ("f_province", ALL),
    "centrumstad": ("f_centre", CENTRE_ANY),
    "verband": ("f_partnership", ALL),
    "referentieregio": ("f_region", ALL),
}


@dataclass(frozen=True)
class Filters:
    scheme: str
    version: str
    province: str
    centre: str
    partnership: str
    region: str = ALL

    def describe(self, partnership_names: dict[str, str], centre_names: dict[str, str],
                 region_names: dict[str, str] | None = None, scheme_label: str | None = None) -> str:
        """The filters in words, for subtitles and exports (`scheme_label`: the name of an uploaded list)."""
        parts = [scheme_label or SCHEME_LABELS.get(self.scheme, self.scheme),
                 VERSION_LABELS.get(self.version, self.version)]
        if self.province != ALL:
            parts.append(f"provincie {self.province}")
        if self.centre in CENTRE_LABELS and self.centre != CENTRE_ANY:
            parts.append(CENTRE_LABELS[self.centre].lower())
        elif self.centre not in CENTRE_LABELS:
            parts.append(f"centrumstad {centre_names.get(self.centre, self.centre)}")
        if self.partnership != ALL:
            parts.append(f"samenwerkingsverband {partnership_names.get(self.partnership, self.partnership)}")
        if self.region != ALL:
            parts.append(f"referentieregio {(region_names or {}).get(self.region, self.region)}")
        return " · ".join(parts)


def _load_url_state_once() -> None:
    if st.session_state.get("_url_loaded"):
        return
    params = st.query_params
    for name, (key, default) in URL_FILTERS.items():
        st.session_state.setdefault(key, params.get(name, default))
    if st.session_state.get("f_scheme") == SCHEME_UPLOAD and uploaded_scheme() is None:
        # A shared link to someone's upload: the upload lives in the browser session that made it, not here.
        st.session_state[UPLOAD_LINK_MISSING] = True
    st.session_state["_url_loaded"] = True


UPLOAD_LINK_MISSING = "_upload_link_missing"


def missing_upload_notice() -> None:
    """Say, in Dutch, that a link asked for an upload this session does not have (instead of silently showing the
    bundled data); shown until the user uploads a list or chooses another scheme."""
    if not st.session_state.get(UPLOAD_LINK_MISSING):
        return
    if uploaded_scheme() is not None or st.session_state.get("f_scheme") not in (SCHEME_REGIE, SCHEME_UPLOAD):
        st.session_state.pop(UPLOAD_LINK_MISSING, None)
        return
    st.warning("Deze link vraagt een eigen lijst (schema=upload), maar die zit niet in deze browsersessie: een "
               "opgeladen lijst blijft alleen in de sessie waarin ze is opgeladen en wordt nergens bewaard. U ziet nu "
               "de gereconstrueerde gegevens. Laad de lijst opnieuw op via de pagina **Gegevens** om ze te bekijken.",
               icon=":material/link_off:")


def scheme_label(scheme_id: str) -> str:
    """The name of a scheme in the sidebar, subtitles and exports; an upload is named by its file."""
    if scheme_id == SCHEME_UPLOAD and uploaded_scheme() is not None:
        return f"{uploaded_scheme().label} (deze sessie)"
    return SCHEME_LABELS.get(scheme_id, scheme_id)


LINKED_SCENARIO = "_linked_scenario"  # (query parameters of a saved scenario's link, the session scheme made of it)


def link_session_scheme(params: dict[str, str] | None) -> None:
    """Record that the session's scheme (``ui.views.uploaded_scheme()``, just set) is the saved scenario that the
    query parameters `params` open, so that every link in the address bar keeps them; None: it is not one."""
    if params:
        st.session_state[LINKED_SCENARIO] = (dict(params), uploaded_scheme())
    else:
        st.session_state.pop(LINKED_SCENARIO, None)


def linked_scenario_params() -> dict[str, str]:
    """The query parameters of the saved scenario that is the session's scheme while that scheme is chosen; empty
    after another scheme (or another upload) is chosen."""
    linked = st.session_state.get(LINKED_SCENARIO)
    if linked is None or st.session_state.get("f_scheme") != SCHEME_UPLOAD or uploaded_scheme() is not linked[1]:
        return {}
    return dict(linked[0])


def url_params() -> dict[str, str]:
    """The query parameters that reproduce this view: the link of the saved scenario in use
    (``?scenario=<id>&scenarioversie=<n>``), then every filter that differs from its default (defaults are left
    out to keep links short). For the address bar and for every link of the page menu (`ui.pagemenu`)."""
    params = linked_scenario_params()
    params.update({name: str(st.session_state.get(key, default))
                   for name, (key, default) in URL_FILTERS.items()
                   if str(st.session_state.get(key, default)) != str(default)})
    return params


def write_url_state() -> None:
    """Mirror the current filters (`url_params`) into the query string, so the address bar can be shared."""
    wanted = url_params()
    if dict(st.query_params) != wanted:
        st.query_params.from_dict(wanted)


def _valid_choice(key: str, options: list[str], default: str) -> None:
    if st.session_state.get(key) not in options:
        st.session_state[key] = default if default in options else options[0]


def sidebar() -> Filters:
    """Render the shared filters in the sidebar and keep them in the URL. Call once per run (dashboard.py).

    Filters narrow each other's choices: province and referentieregio restrict the referentieregio, centre-city
    and partnership options to those with municipalities there, and the centre city the partnerships. A choice that
    no longer fits is reset, with a note (`filter_notes`) that says so.
    """
    _load_url_state_once()
    schemes = [SCHEME_REGIE, SCHEME_REFREG] + ([SCHEME_UPLOAD] if uploaded_scheme() is not None else [])
    _valid_choice("f_scheme", schemes, SCHEME_REGIE)
    _valid_choice("f_version", list(VERSION_LABELS), "2019")
    notes = []
    with st.sidebar:
        st.header("Filters")
        labels = {scheme: scheme_label(scheme) for scheme in schemes}
        st.selectbox("Indeling", schemes, format_func=labels.get, key="f_scheme")
        st.radio("Gemeentegrenzen", list(VERSION_LABELS), format_func=VERSION_LABELS.get, key="f_version")
        view = current_view(_filters_now())

        provinces = [ALL] + sorted(PROVINCES.values())
        _valid_choice("f_province", provinces, ALL)
        st.selectbox("Provincie", provinces, format_func=lambda p: "Alle provincies" if p == ALL else p,
                     key="f_province")
        regions = region_options(view, _filters_now())
        notes += _narrow("f_region", regions, ALL, "referentieregio", region_options(view), view)
        st.selectbox("Referentieregio", list(regions), format_func=regions.get, key="f_region")
        centres = centre_options(view, _filters_now())
        notes += _narrow("f_centre", centres, CENTRE_ANY, "centrumstad", centre_options(view), view)
        st.selectbox("Centrumstad", list(centres), format_func=centres.get, key="f_centre")
        partnerships = partnership_options(view, _filters_now())
        notes += _narrow("f_partnership", partnerships, ALL, "samenwerkingsverband", partnership_options(view), view)
        st.selectbox("Samenwerkingsverband", list(partnerships), format_func=partnerships.get, key="f_partnership")
        st.caption("De filters staan in de adresbalk: kopieer de link om dit beeld te delen.")
        if notes:  # shown on the page itself by `data_banner` (on a phone the sidebar is folded away)
            st.session_state["_filter_notes"] = (_filters_now(), notes)
    write_url_state()
    missing_upload_notice()
    return _filters_now()


def _narrow(key: str, options: dict[str, str], default: str, kind: str, every_option: dict[str, str],
            view) -> list[str]:
    """Reset a filter whose value is not among `options` (the choices left by the other filters); returns the
    Dutch note saying so, or nothing when the value fits (or was never a valid choice at all)."""
    value = st.session_state.get(key)
    if value in options:
        return []
    st.session_state[key] = default
    if value is None or value == default or value not in every_option:
        return []
    # The other filters in words, without the scheme and the boundary version (the first two parts).
    others = " · ".join(filter_text(view, _filters_now()).split(" · ")[2:])
    return [f"De keuze {kind} '{every_option[value]}' past niet bij de andere filters ({others}): er liggen geen "
            f"gemeenten in beide. De keuze is teruggezet op '{options[default]}'."]


def filter_notes() -> list[str]:
    """Notes about filter choices that were reset, while the filters are still those they were reset to."""
    stored = st.session_state.get("_filter_notes")
    if not stored or stored[0] != _filters_now():
        return []
    return list(stored[1])


def _filters_now() -> Filters:
    return Filters(*(str(st.session_state.get(key, default)) for key, default in URL_FILTERS.values()))


def current_filters() -> Filters:
    """The filters chosen in the sidebar (for pages)."""
    return _filters_now()


# The sidebar's choices per view and filters: computing them was about a third of the server's work in a run that
# opens a page (bench/README.md); the views are shared and never change, so each combination is computed once.
_CHOICES = PerViewCache(max_entries=1024)


def _choices(kind: str, view, filters: Filters | None, compute) -> dict[str, str]:
    return dict(_CHOICES.get(kind, view, view, compute, detail=filters))


def centre_options(view, filters: Filters | None = None) -> dict[str, str]:
    """Centre-city filter options; with `filters`, only those that keep a municipality in its province and
    referentieregio."""
    return _choices("centres", view, filters, lambda: _centre_options(view, filters))


def _centre_options(view, filters: Filters | None) -> dict[str, str]:
    options = dict(CENTRE_LABELS)
    options.update({nis: f"Centrumstad {name}" for nis, name in centre_cities(view.scheme.partnerships).items()})
    if filters is None:
        return options
    allowed = centre_choices(view.municipalities, view.scheme.partnerships, view.scheme.memberships,
                             selection_of(filters), view.regions)
    return {value: label for value, label in options.items() if value in allowed}


def region_options(view, filters: Filters | None = None) -> dict[str, str]:
    """Referentieregio filter options; with `filters`, only the regions with a municipality in its province."""
    return _choices("regions", view, filters, lambda: _region_options(view, filters))


def _region_options(view, filters: Filters | None) -> dict[str, str]:
    names = region_names(view.regions) if view.regions is not None else {}
    if filters is not None and view.regions is not None:
        allowed = set(region_choices(view.municipalities, view.regions, filters.province))
        names = {region: name for region, name in names.items() if region in allowed}
    return {ALL: "Alle referentieregio's", **names}


MEMBERLESS_SUFFIX = " (zonder gekende leden)"


def partnership_options(view, filters: Filters | None = None) -> dict[str, str]:
    """Partnership filter options by name; a partnership without members on the map is marked "zonder gekende
    leden". With `filters`, only those that fit its province, referentieregio and centre city."""
    return _choices("partnerships", view, filters, lambda: _partnership_options(view, filters))


def _partnership_options(view, filters: Filters | None) -> dict[str, str]:
    partnerships = view.scheme.partnerships.sort_values("name", key=lambda s: s.str.lower())
    memberless = set(partnerships_without_members(partnerships, view.scheme.memberships, view.municipalities["nis"]))
    options = {pid: name + (MEMBERLESS_SUFFIX if pid in memberless else "")
               for pid, name in zip(partnerships["partnership_id"], partnerships["name"])}
    if filters is not None:
        allowed = set(partnership_choices(view.municipalities, view.scheme.partnerships, view.scheme.memberships,
                                          selection_of(filters), view.regions))
        options = {pid: label for pid, label in options.items() if pid in allowed}
    return {ALL: "Alle verbanden", **options}


def selection_of(filters: Filters):
    return Selection(province=filters.province, centre=filters.centre, partnership=filters.partnership,
                     region=filters.region)


def view_mask(view, filters: Filters):
    """Boolean mask over view.municipalities of the municipalities the filters keep."""
    return selected_municipalities(view.municipalities, view.scheme.partnerships, view.scheme.memberships,
                                   selection_of(filters), view.regions)


def counted_partnerships(view, filters: Filters, mask=None) -> list[str]:
    """The partnership ids (stand-alone centre cities included) the view counts under the filters: the one
    definition of `analysis.coverage.counted_partnership_ids`, for cards, legends, tables and downloads alike."""
    in_view = view_mask(view, filters) if mask is None else mask
    return scenario.counted_partnerships(view, in_view, selection_of(filters))


def filter_text(view, filters: Filters) -> str:
    names = _choices("names", view, None, lambda: dict(zip(view.scheme.partnerships["partnership_id"],
                                                            view.scheme.partnerships["name"])))
    centres = _choices("centre names", view, None, lambda: centre_cities(view.scheme.partnerships))
    return filters.describe(names, centres, region_options(view), scheme_label(filters.scheme))
