"""A scenario in this browser session: the scenario store (one per process), opening a link
``?scenario=<id>&scenarioversie=<n>`` and handing a scenario to every page as the session's scheme.

The other pages know one kind of session scheme: the upload (``ui.state.SCHEME_UPLOAD``). A scenario that is
opened from a link, or put to use from the Scenario's page, becomes that session scheme, so every page, table
and export takes it as it takes an upload.
"""

from __future__ import annotations

import os
from dataclasses import replace

import streamlit as st

from analysis.datasets import scenario_from_saved
from analysis.scenario_edit import EditError
from geodata import vocabulary
from geodata.scenario_store import ENV_DATABASE, ScenarioStoreError, check_scenario_id, check_version, open_store
from ui import state, views

SCENARIO_PARAM = "scenario"
VERSION_PARAM = "scenarioversie"
STATE_SCENARIO = "scenario"  # the analysis.scenario_edit.Scenario being edited
STATE_SAVED = "scenario_saved"  # the geodata.scenario_store.SavedVersion it was opened as or last saved as
STATE_SAVED_SCENARIO = "scenario_saved_scenario"  # the Scenario object that STATE_SAVED holds, unedited
STATE_IN_USE = "scenario_in_use"  # (Scenario, the session scheme made of it) after use_everywhere
STATE_LINK_MESSAGE = "scenario_link_message"
STATE_LINK_DONE = "scenario_link_done"


@st.cache_resource(show_spinner="Scenariodatabank openen…")
def _store_for(location: str):
    """(store, None) or (None, Dutch message) for a REGIEKAART_DB setting; kept per process, as an unreachable
    database server costs seconds per attempt."""
    try:
        return open_store(location or None), None
    except ScenarioStoreError as error:
        return None, str(error)


def scenario_store():
    """The scenario store of REGIEKAART_DB as (store, None), or (None, Dutch message) when it cannot be used."""
    return _store_for(os.environ.get(ENV_DATABASE, "").strip())


def forget_store() -> None:
    """Try the database again on the next call (after a failure was fixed)."""
    _store_for.clear()


def scenario_link(scenario_id: str, version: int) -> str:
    """The query string that opens a saved version."""
    return f"?{SCENARIO_PARAM}={scenario_id}&{VERSION_PARAM}={version}"


def session_scheme(scenario, title: str):
    """The scenario's scheme as the session's scheme (an upload for every other page)."""
    return replace(scenario.scheme, scheme_id=vocabulary.SCHEME_UPLOAD, label=f"scenario {title}",
                   source_note=f"Scenario {title}", reconstructed=False)


def use_everywhere(scenario, title: str, saved=None) -> None:
    """Make the scenario the session's scheme on every page, on its own map (call before the sidebar runs,
    e.g. from a button callback). `saved`: the saved version (geodata.scenario_store.SavedVersion) that the
    scenario is, unedited; its link then stays in the address bar on every page while the scheme is chosen."""
    st.session_state["upload_scheme"] = session_scheme(scenario, title)
    st.session_state[STATE_IN_USE] = (scenario, st.session_state["upload_scheme"])
    st.session_state.pop("upload_views", None)
    st.session_state["f_scheme"] = vocabulary.SCHEME_UPLOAD
    st.session_state["f_version"] = scenario.boundary_version
    if saved is None:
        state.link_session_scheme(None)
        return
    params = {SCENARIO_PARAM: saved.scenario_id, VERSION_PARAM: str(saved.version)}
    state.link_session_scheme(params)
    # The address bar now carries this link: it is open, not one to open again.
    st.session_state[STATE_LINK_DONE] = (params[SCENARIO_PARAM], params[VERSION_PARAM])


def saved_as(scenario):
    """The saved version (SavedVersion) that `scenario` is without edits since, or None (never saved, or edited
    after it was saved or opened)."""
    saved = st.session_state.get(STATE_SAVED)
    return saved if saved is not None and st.session_state.get(STATE_SAVED_SCENARIO) is scenario else None


def version_title(saved, edited: bool = False) -> str:
    """How a saved version is named as the session's scheme."""
    return f"'{saved.title}' (versie {saved.version}{', gewijzigd' if edited else ''})"


def saved_in_use(scenario, saved) -> None:
    """After `scenario` was saved as `saved`: when it is the session's scheme, it is now that saved version (its
    name and its link in the address bar), without changing the filters chosen."""
    in_use = st.session_state.get(STATE_IN_USE)
    if in_use is None or in_use[0] is not scenario or views.uploaded_scheme() is not in_use[1]:
        return
    chosen = {key: st.session_state[key] for key in ("f_scheme", "f_version") if key in st.session_state}
    use_everywhere(scenario, version_title(saved), saved)
    st.session_state.update(chosen)


def remember_saved(scenario, saved) -> None:
    """`scenario` is, as it is now, the saved version `saved` (after saving it or opening it from a link)."""
    st.session_state[STATE_SAVED] = saved
    st.session_state[STATE_SAVED_SCENARIO] = scenario


def _apply_filters(filters) -> None:
    """The dashboard filters saved with the scenario (URL names) into the session, before the sidebar draws."""
    for name, (key, _default) in state.URL_FILTERS.items():
        value = filters.get(name)
        # A filter in the link itself wins: it is the view the person who shared the address bar had.
        if isinstance(value, str) and name != "schema" and name not in st.query_params:
            st.session_state[key] = value


def open_linked_scenario() -> None:
    """Open the scenario of a link ``?scenario=<id>&scenarioversie=<n>`` once per session and show why when it
    cannot be opened (the default view stays). Keeps a scenario on the 2025 map off the 2019-2024 map, which
    its codes cannot be shown on."""
    params = st.query_params
    reference = (params.get(SCENARIO_PARAM), params.get(VERSION_PARAM))
    if reference[0] is not None and st.session_state.get(STATE_LINK_DONE) != reference:
        st.session_state[STATE_LINK_DONE] = reference
        st.session_state[STATE_LINK_MESSAGE] = _open(*reference)
    message = st.session_state.get(STATE_LINK_MESSAGE)
    if message:
        st.error(message, icon=":material/link_off:")
    upload = views.uploaded_scheme()
    if (upload is not None and upload.boundary_version == "2025" and st.session_state.get("f_scheme") == vocabulary.SCHEME_UPLOAD
            and st.session_state.get("f_version") != "2025"):
        st.session_state["f_version"] = "2025"
        st.info("Dit scenario bestaat alleen op de kaart vanaf 2025 (285 gemeenten).", icon=":material/info:")


def _open(scenario_id, version) -> str | None:
    """Load a linked version into the session; None when it worked, else the Dutch message."""
    def message(text: str) -> str:
        default = "" if "standaardweergave" in text else " U ziet de standaardweergave."
        return f"De scenariolink kon niet geopend worden. {text}{default}"

    try:
        scenario_id = check_scenario_id(scenario_id)
        version = None if version is None else check_version(version)
    except ScenarioStoreError as error:
        return message(str(error))
    store, problem = scenario_store()
    if store is None:
        return message(problem)
    try:
        saved = store.load(scenario_id, version)
        scenario = scenario_from_saved(saved.content)
    except (ScenarioStoreError, EditError) as error:
        return message(str(error))
    st.session_state[STATE_SCENARIO] = scenario
    remember_saved(scenario, saved)
    _apply_filters(saved.content.filters)
    use_everywhere(scenario, version_title(saved), saved)
    return None
