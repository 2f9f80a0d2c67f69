"""Scenario's: edit memberships in the browser, see every effect at once, save a version and share it by link.

The scenario itself is an immutable :class:`analysis.scenario_edit.Scenario` in the session; every button and
table change is an edit applied in a callback (before the page runs again), so the map and the effects always
show the scenario after the last edit.
"""

from __future__ import annotations

import html

import pandas as pd
import streamlit as st

from analysis.datasets import build_view, scenario_starting_point
from analysis.export import (
    CLUSTER_KIND_NL,
    cluster_label,
    gap_clusters_table,
    overlaps_table,
    partnership_table,
    subsidy_tables,
)
from analysis.formatting import format_number
from analysis.scenario_edit import (
    START_EMPTY,
    START_LABELS_NL,
    START_RECONSTRUCTION,
    START_REFERENCE_REGIONS,
    START_UPLOAD,
    AcceptCandidate,
    Assign,
    AssignCluster,
    CreatePartnership,
    DeletePartnership,
    EditError,
    KeepProjection,
    MarkNonParticipant,
    RenamePartnership,
    SetCentreCity,
    SetLegalForm,
    Unassign,
    new_scenario,
    scenario_content,
)
from geodata import vocabulary
from geodata.scenario_store import ScenarioStoreError
from geodata.vocabulary import MAP_LABELS_NL
from ui import downloads, state, views, widgets
from ui import scenario_session as session
from ui.webmap import coverage_map

NOT_TAKING_PART = "(neemt niet deel)"
NO_PARTNERSHIP = "(geen verband: onbekend)"
STATE_REVISION = "scenario_revision"
STATE_MESSAGE = "scenario_message"
STATE_VIEW = "scenario_view"
STATE_LAST_CLICK = "scenario_last_click"
KEY_MUNICIPALITY = "scenario-nis"


# --- state ---------------------------------------------------------------------------------------------------

@st.cache_resource(show_spinner="Vertrekpunt voorbereiden…")
def _bundled_start(kind: str, version: str):
    """A bundled starting point (immutable, shared by every session)."""
    return scenario_starting_point(kind, version)


def _set_scenario(scenario, keep_saved: bool = True) -> None:
    st.session_state[session.STATE_SCENARIO] = scenario
    if not keep_saved:
        st.session_state.pop(session.STATE_SAVED, None)
        st.session_state.pop(session.STATE_SAVED_SCENARIO, None)
    st.session_state[STATE_REVISION] = st.session_state.get(STATE_REVISION, 0) + 1


def _say(kind: str, text: str) -> None:
    st.session_state[STATE_MESSAGE] = (kind, text)


def _start(kind: str, version: str) -> None:
    """Callback: a new scenario from a starting point."""
    try:
        start = scenario_starting_point(kind, version, views.uploaded_scheme()) if kind == START_UPLOAD \
            else _bundled_start(kind, version)
    except (EditError, ValueError) as error:
        _say("error", str(error))
        return
    _set_scenario(new_scenario(start), keep_saved=False)
    _say("success", f"Nieuw scenario, vertrokken van {start.label[0].lower()}{start.label[1:]}.")


def _edit(make_edit) -> None:
    """Apply the edit that ``make_edit()`` returns (None: nothing to do); a Dutch message when it cannot."""
    scenario = st.session_state[session.STATE_SCENARIO]
    try:
        edit = make_edit()
        if edit is None:
            return
        changed = scenario.apply(edit)
    except EditError as error:
        _say("error", str(error))
        return
    _set_scenario(changed)
    _say("success", changed.descriptions()[-1])


def _undo() -> None:
    scenario = st.session_state[session.STATE_SCENARIO]
    try:
        _set_scenario(scenario.undo())
        _say("info", "Laatste bewerking ongedaan gemaakt.")
    except EditError as error:
        _say("error", str(error))


def _scenario_view(scenario):
    """The analysed view of the scenario's current scheme, with its unemployment rates (kept per session for
    the last scheme: a rerun without an edit costs nothing)."""
    cached = st.session_state.get(STATE_VIEW)
    if cached is not None and cached[0] is scenario.scheme:
        return cached[1], cached[2]

    with st.spinner("Gevolgen berekenen…"):
        view = build_view(scenario.scheme, scenario.boundary_version)
        rates = views.unemployment_rates(view)
    st.session_state[STATE_VIEW] = (scenario.scheme, view, rates)
    return view, rates


# --- the page --------------------------------------------------------------------------------------------------

filters = state.current_filters()
st.title("Scenario's")
st.markdown("Probeer een indeling van de samenwerkingsverbanden uit: wijs gemeenten toe in de tabel of door op de "
            "kaart te klikken, en zie meteen wat dat doet met dekking, overlappingen, hiaten, aaneengeslotenheid "
            "en subsidie. Bewaar een versie en deel de link; wie de link opent, ziet hetzelfde scenario.")

if session.STATE_SCENARIO not in st.session_state:
    _start(START_RECONSTRUCTION, filters.version)
    st.session_state.pop(STATE_MESSAGE, None)

scenario = st.session_state[session.STATE_SCENARIO]
saved = st.session_state.get(session.STATE_SAVED)
revision = st.session_state.get(STATE_REVISION, 0)
version = scenario.boundary_version

with st.expander("Nieuw scenario starten", expanded=False):
    kinds = [START_RECONSTRUCTION, START_REFERENCE_REGIONS] + \
        ([START_UPLOAD] if views.uploaded_scheme() is not None else []) + [START_EMPTY]
    col_kind, col_map, col_button = st.columns([2, 2, 1], vertical_alignment="bottom")
    kind = col_kind.selectbox("Vertrekpunt", kinds, key="scenario-start-kind",
                              format_func=lambda k: START_LABELS_NL[k][0].upper() + START_LABELS_NL[k][1:])
    chosen_map = col_map.radio("Kaart", list(MAP_LABELS_NL), key="scenario-start-map", horizontal=True,
                               format_func=lambda v: vocabulary.VERSION_LABELS[v])
    col_button.button("Start", key="scenario-start", on_click=_start, args=(kind, chosen_map), type="primary")
    st.caption("De reconstructie op de kaart vanaf 2025 wordt geprojecteerd: fusies waarvan de delen in "
               "verschillende verbanden zaten, staan hieronder om op te lossen. Een nieuw scenario vervangt het "
               "huidige; bewaar dat eerst als u het wilt houden.")

message = st.session_state.pop(STATE_MESSAGE, None)
if message:
    getattr(st, message[0])(message[1])

status_text = f"Vertrekpunt: {scenario.start.label}. Bewerkingen sinds het openen: {len(scenario.history)}."
if saved is not None:
    status_text += f" Bewaard als '{saved.title}', versie {saved.version}."
st.caption(status_text)

view, (rates, rate_note) = _scenario_view(scenario)
names = dict(scenario.names)
partnership_names = dict(zip(view.scheme.partnerships["partnership_id"], view.scheme.partnerships["name"]))
ordered_partnerships = sorted(partnership_names, key=lambda pid: str(partnership_names[pid]).lower())
ordered_municipalities = sorted(names, key=lambda nis: names[nis].lower())

# Merger conflicts of a projection onto 2025, to resolve by deciding about the merged municipality.
conflicts = scenario.open_conflicts()
if len(scenario.start.conflicts):
    if conflicts.empty:
        st.success("Alle fusieconflicten van de projectie op 2025 zijn opgelost.")
    else:
        with st.expander(f"Fusieconflicten om op te lossen: {len(conflicts)}", expanded=True):
            st.markdown("Deze fusiegemeenten van 2025 bestaan uit delen die in 2019-2024 in verschillende verbanden "
                        "zaten of deels niet gedekt waren. Wijs de gemeente toe (kaart of tabel) of behoud de "
                        "projectie.")
            # Only the columns a saved version keeps too (a fresh projection has its working columns besides).
            downloads.show_table(conflicts[["nis_2025", "name_2025", "description"]].rename(columns={
                "nis_2025": "NIS 2025", "name_2025": "Gemeente", "description": "Conflict"}), key="scenario-conflicts")
            col_a, col_b = st.columns([3, 1], vertical_alignment="bottom")
            keep = col_a.selectbox("Fusiegemeente", list(conflicts["nis_2025"]), key="scenario-conflict",
                                   format_func=lambda nis: names.get(nis, nis))
            col_b.button("Projectie behouden", key="scenario-keep", on_click=_edit,
                         args=(lambda: KeepProjection(st.session_state["scenario-conflict"]),))

# Coverage KPIs beside the official totals where those describe the scenario's map (the choice and its wording:
# analysis.datasets.scenario_official_comparison).
from analysis.datasets import scenario_official_comparison
from analysis.scenario import kpis_for

comparison = scenario_official_comparison(version)
kpis = kpis_for(view, official=comparison.values)
widgets.kpi_cards(kpis, with_official=comparison.values is not None)
st.caption(comparison.note)

web = views.cached_web_layer(version)
boundary_source = __import__("geodata.sources", fromlist=["SOURCES"]).SOURCES["gemeente2024.shp"].attribution
source = (f"Bron: gemeentegrenzen: {boundary_source.removeprefix('Bron: ')}; bevolking 2020: Statbel; "
          f"lidmaatschap: scenario, vertrokken van {scenario.start.label[0].lower()}{scenario.start.label[1:]}")

left, right = st.columns([3, 2])
with left:
    scenario_map = coverage_map(view, web, source=source, title="Scenario")
    # The editor takes the row's right side: the legend goes under the map, in columns, rather than squeezing it.
    legend = widgets.take_legend(scenario_map)
    clicked = widgets.show_map(scenario_map, key=f"scenario-map-{revision}", height=600,
                               returned_objects=["last_active_drawing"])
    st.caption(source)
    widgets.show_legend(legend, wide=True)
# A click selects the municipality in the editor (once per click: the map keeps returning its last click).
feature = (clicked or {}).get("last_active_drawing") or {}
clicked_name = html.unescape(str((feature.get("properties") or {}).get("name", "")))
if clicked_name and clicked_name != st.session_state.get(STATE_LAST_CLICK):
    st.session_state[STATE_LAST_CLICK] = clicked_name
    match = next((nis for nis in ordered_municipalities if names[nis] == clicked_name), None)
    if match:
        st.session_state[KEY_MUNICIPALITY] = match


def _states(scheme) -> dict[str, str]:
    """Each municipality's partnership(s) in words ("A + B" for an overlap), or 'neemt niet deel'; one pass over the
    memberships (a pandas selection per municipality cost about 0.12 s a run)."""
    pids_of: dict[str, list[str]] = {}
    for nis, pid in zip(scheme.memberships["nis"].tolist(), scheme.memberships["partnership_id"].tolist()):
        pids_of.setdefault(nis, []).append(pid)
    states = {nis: " + ".join(str(partnership_names.get(pid, pid)) for pid in dict.fromkeys(pids))
              for nis, pids in pids_of.items()}
    for nis in scheme.non_participants["nis"].tolist():
        states.setdefault(nis, NOT_TAKING_PART)
    return states


def _state_of(nis: str) -> str:
    return municipality_states.get(nis, NO_PARTNERSHIP)


municipality_states = _states(view.scheme)


def _assignment(nis: str, target: str, keep_other: bool = False):
    if target == NOT_TAKING_PART:
        return MarkNonParticipant(nis)
    if target == NO_PARTNERSHIP:
        return Unassign(nis)
    return Assign(nis, target, keep_other_partnerships=keep_other)


with right:
    st.subheader("Gemeente bewerken")
    nis = st.selectbox("Gemeente (of klik op de kaart)", ordered_municipalities, index=None, key=KEY_MUNICIPALITY,
                       format_func=lambda code: f"{names[code]} ({code})", placeholder="Kies een gemeente")
    if nis:
        st.markdown(f"Nu: **{html.escape(_state_of(nis))}**")
        targets = ordered_partnerships + [NOT_TAKING_PART, NO_PARTNERSHIP]
        target = st.selectbox("Wordt", targets, key="scenario-target",
                              format_func=lambda pid: str(partnership_names.get(pid, pid)))
        keep_other = st.checkbox("Ook in zijn huidige verband blijven (overlapping)", key="scenario-keep-other",
                                 disabled=target in (NOT_TAKING_PART, NO_PARTNERSHIP))
        st.button("Toepassen", key="scenario-apply", type="primary", on_click=_edit,
                  args=(lambda: _assignment(st.session_state[KEY_MUNICIPALITY], st.session_state["scenario-target"],
                                            st.session_state.get("scenario-keep-other", False)),))
    st.button("↶ Laatste bewerking ongedaan maken", key="scenario-undo", on_click=_undo,
              disabled=not scenario.can_undo)

    st.subheader("Gevolgen")
    tab_overlap, tab_gaps, tab_parts, tab_subsidy, tab_diff = st.tabs(
        ["Overlappingen", "Hiaten", "Aaneengesloten", "Subsidie", "Verschillen"])
    with tab_overlap:
        overlaps = overlaps_table(view)
        if overlaps.empty:
            st.success("Geen gemeenten in meer dan één verband.")
        else:
            st.markdown(f"**{len(overlaps)}** gemeenten staan in meer dan één verband.")
            downloads.show_table(overlaps[["Gemeente", "Verbanden", "Inwoners 2020"]], numbers={"Inwoners 2020": 0},
                                 key="scenario-overlaps")
    with tab_gaps:
        clusters = gap_clusters_table(view)
        combined = clusters[clusters["Soort"] == CLUSTER_KIND_NL["combined"]] if not clusters.empty else clusters
        if combined.empty:
            st.success("Geen gemeenten zonder verband: volledige dekking.")
        else:
            st.markdown(f"**{len(combined)}** aaneengesloten gebieden zonder (gekend) verband, samen "
                        f"**{format_number(combined['Gemeenten'].sum())}** gemeenten.")
            downloads.show_table(combined[["Gebied", "Gemeenten", "Namen", "Inwoners 2020"]],
                                 numbers={"Inwoners 2020": 0}, key="scenario-clusters")
        if not view.enclaves.empty:
            st.markdown("**Enclaves** (volledig door één verband omringd): " + html.escape("; ".join(
                f"{', '.join(row.member_names)} in {', '.join(row.enclosing_partnership_names)}"
                for row in view.enclaves.itertuples())))
        cluster_rows = view.clusters[view.clusters["kind"] == "combined"] if not view.clusters.empty else view.clusters
        if len(cluster_rows) and ordered_partnerships:
            st.markdown("**Een heel gebied in één keer toewijzen**")
            cluster_ids = list(cluster_rows["cluster_id"])
            by_id = cluster_rows.set_index("cluster_id")
            st.selectbox("Gebied", cluster_ids, key="scenario-cluster",
                         format_func=lambda cid: f"{cluster_label(cid, 'combined')}: "
                                                 f"{', '.join(by_id.loc[cid, 'member_names'])}")
            st.selectbox("Aan verband", ordered_partnerships, key="scenario-cluster-target",
                         format_func=lambda pid: str(partnership_names[pid]))
            st.button("Gebied toewijzen", key="scenario-assign-cluster", on_click=_edit, args=(
                lambda: AssignCluster.from_cluster(by_id.loc[st.session_state["scenario-cluster"]].to_dict()
                                                   | {"cluster_id": st.session_state["scenario-cluster"]},
                                                   st.session_state["scenario-cluster-target"]),))
        candidates = view.candidates
        if len(candidates):
            proposals = candidates[candidates["partnership_id"].notna() & (candidates["rank"] == 1)]
            if len(proposals):
                st.markdown("**Voorstel van de hiatenanalyse aanvaarden** (het aangrenzende verband met de "
                            "langste gedeelde grens)")
                labels = {row.unit_id: f"{', '.join(row.member_names)} → {row.partnership_name}"
                          for row in proposals.itertuples()}
                st.selectbox("Voorstel", list(labels), key="scenario-candidate", format_func=labels.get)
                by_unit = proposals.set_index("unit_id")
                st.button("Voorstel aanvaarden", key="scenario-accept", on_click=_edit, args=(
                    lambda: AcceptCandidate.from_candidate(by_unit.loc[st.session_state["scenario-candidate"]].to_dict()
                                                           | {"unit_id": st.session_state["scenario-candidate"]}),))
    with tab_parts:
        profiles = partnership_table(view)
        if profiles.empty:
            st.info("Nog geen samenwerkingsverbanden.")
        else:
            not_contiguous = profiles[profiles["Aaneengesloten"] == "nee"]
            not_eligible = profiles[profiles["Subsidieerbaar"] == "nee"]
            st.markdown(f"**{len(not_contiguous)}** verbanden zijn niet aaneengesloten (exclaves); "
                        f"**{len(not_eligible)}** halen de 60.000 inwoners niet (en zijn geen centrumstad alleen).")
            downloads.show_table(profiles[["Samenwerkingsverband", "Gemeenten", "Inwoners 2020",
                                           "Aaneengesloten delen", "Exclaves", "Subsidieerbaar",
                                           "Toelichting subsidieerbaarheid"]],
                                 numbers={"Gemeenten": 0, "Inwoners 2020": 0, "Aaneengesloten delen": 0},
                                 key="scenario-profiles")
    with tab_subsidy:
        col_period, col_amount = st.columns(2)
        budget = widgets.budget_input("scenario", col_period, col_amount)  # the budget of the Subsidie page

        subsidy = subsidy_tables(view, budget, rates, unemployment_note=rate_note)
        totals = dict(zip(subsidy["Totalen"]["Omschrijving"], subsidy["Totalen"]["Waarde"]))
        # Cards as wide as their figure, wrapping to a next line in this narrow column: three equal columns cut
        # "€ 1.650.000" to "€ …" at 1280 and 1440 px.
        cards = st.container(horizontal=True)
        cards.metric("Toegekend", widgets.euro_text(totals["Toegekend (euro)"]), border=True, width="content")
        cards.metric("Tekort", widgets.euro_text(totals["Tekort (euro)"]), border=True, width="content")
        cards.metric("Gefinancierd", f"{totals['Gefinancierd (geheel of gedeeltelijk)']} / "
                                     f"{totals['Subsidieerbaar']}", border=True, width="content",
                     help="regisseurs gefinancierd / subsidieerbare regisseurs")
        downloads.show_table(subsidy["Subsidie"][["Rang", "Regisseur", "Inwoners 2020", "Schijf",
                                                  "Schijfbedrag (euro)", "Plafond (euro)", "Gevraagd (euro)",
                                                  "Toegekend (euro)", "Toelichting"]],
                             numbers={"Rang": 0, "Inwoners 2020": 0},
                             euros=["Schijfbedrag (euro)", "Plafond (euro)", "Gevraagd (euro)", "Toegekend (euro)"],
                             download=("regiekaart-scenario-subsidie", "Subsidie"), key="scenario-subsidy")
        st.caption("Regels 2020-2025: een bedrag per inwonersschijf; met centrumstad hoogstens 50.000 euro meer dan "
                   "de centrumstad alleen, zonder centrumstad hoogstens 50.000 euro; minstens 60.000 inwoners of "
                   f"een centrumstad alleen. {rate_note}")
    with tab_diff:
        partnership_changes = scenario.partnership_differences()
        municipality_changes = scenario.municipality_differences()
        if partnership_changes.empty and municipality_changes.empty:
            st.info("Nog geen verschillen met het vertrekpunt.")
        else:
            st.markdown("\n".join(f"- {html.escape(text)}" for text in partnership_changes["description"]))
            downloads.show_table(municipality_changes[["municipality", "before", "after"]].rename(columns={
                "municipality": "Gemeente", "before": "Vertrekpunt", "after": "Scenario"}),
                download=("regiekaart-scenario-verschillen", "Verschillen"), key="scenario-differences")
        if scenario.history:
            with st.expander(f"Bewerkingen ({len(scenario.history)})"):
                st.markdown("\n".join(f"{i}. {html.escape(text)}"
                                      for i, text in enumerate(scenario.descriptions(), start=1)))

# --- partnerships ---------------------------------------------------------------------------------------------

st.header("Samenwerkingsverbanden")
tab_new, tab_rename, tab_centre, tab_delete = st.tabs(["Nieuw", "Hernoemen", "Centrumstad en rechtsvorm",
                                                       "Verwijderen"])
with tab_new:
    st.text_input("Naam", key="scenario-new-name", max_chars=200)
    st.text_input("Rechtsvorm (optioneel)", key="scenario-new-form", placeholder="bv. welzijnsvereniging")
    st.multiselect("Gemeenten (optioneel; ze verlaten hun huidige verband)", ordered_municipalities,
                   key="scenario-new-members", format_func=lambda code: names[code], placeholder="Kies gemeenten")

    def _create():
        name = st.session_state.get("scenario-new-name", "")
        scenario_now = st.session_state[session.STATE_SCENARIO]
        form = st.session_state.get("scenario-new-form", "").strip() or None
        return CreatePartnership(scenario_now.new_partnership_id(name or "verband"), name, form,
                                 tuple(st.session_state.get("scenario-new-members", [])))

    st.button("Verband aanmaken", key="scenario-create", on_click=_edit, args=(_create,))
if ordered_partnerships:
    with tab_rename:
        st.selectbox("Verband", ordered_partnerships, key="scenario-rename-pid",
                     format_func=lambda pid: str(partnership_names[pid]))
        st.text_input("Nieuwe naam", key="scenario-rename-name", max_chars=200)
        st.button("Hernoemen", key="scenario-rename", on_click=_edit, args=(
            lambda: RenamePartnership(st.session_state["scenario-rename-pid"],
                                      st.session_state.get("scenario-rename-name", "")),))
    with tab_centre:
        pid = st.selectbox("Verband", ordered_partnerships, key="scenario-centre-pid",
                           format_func=lambda pid: str(partnership_names[pid]))
        row = view.scheme.partnerships.set_index("partnership_id").loc[pid]
        members = sorted(set(view.scheme.memberships.loc[view.scheme.memberships["partnership_id"] == pid, "nis"]),
                         key=lambda code: names.get(code, code).lower())
        col_a, col_b = st.columns(2)
        centre_options = [""] + members
        current_centre = row["centre_city_nis"] if row["centre_city_nis"] in members else ""
        col_a.selectbox("Centrumstad", centre_options, index=centre_options.index(current_centre),
                        key=f"scenario-centre-{pid}-{revision}",
                        format_func=lambda code: names.get(code, code) if code else "geen centrumstad")
        col_a.button("Centrumstad instellen", key="scenario-set-centre", on_click=_edit, args=(
            lambda pid=pid, key=f"scenario-centre-{pid}-{revision}":
                SetCentreCity(pid, st.session_state[key] or None),))
        legal_form = row["legal_form"] if isinstance(row["legal_form"], str) else ""
        col_b.text_input("Rechtsvorm", value=legal_form, key=f"scenario-form-{pid}-{revision}", max_chars=200)
        col_b.button("Rechtsvorm instellen", key="scenario-set-form", on_click=_edit, args=(
            lambda pid=pid, key=f"scenario-form-{pid}-{revision}":
                SetLegalForm(pid, st.session_state[key].strip() or None),))
    with tab_delete:
        st.selectbox("Verband", ordered_partnerships, key="scenario-delete-pid",
                     format_func=lambda pid: str(partnership_names[pid]))
        st.caption("Gemeenten die in geen ander verband zitten, worden 'onbekend'.")
        st.button("Verband verwijderen", key="scenario-delete", on_click=_edit,
                  args=(lambda: DeletePartnership(st.session_state["scenario-delete-pid"]),))

# --- every municipality in a table editor ------------------------------------------------------------------------

st.header("Alle gemeenten")
st.caption("Kies in de kolom 'Verband' een ander verband, 'neemt niet deel' of 'geen verband'; de wijziging geldt "
           "meteen. Een gemeente in twee verbanden (overlapping) staat er als 'A + B'.")
status_by_nis = view.status.set_index("nis")
table = pd.DataFrame({
    "NIS": ordered_municipalities,
    "Gemeente": [names[nis] for nis in ordered_municipalities],
    "Provincie": [status_by_nis.at[nis, "province"] if nis in status_by_nis.index else None
                  for nis in ordered_municipalities],
    "Verband": [_state_of(nis) for nis in ordered_municipalities],
})
label_to_target = {str(partnership_names[pid]): pid for pid in ordered_partnerships}
label_to_target.update({NOT_TAKING_PART: NOT_TAKING_PART, NO_PARTNERSHIP: NO_PARTNERSHIP})
options = list(label_to_target) + sorted(set(table["Verband"]) - set(label_to_target))
TABLE_KEY = f"scenario-table-{revision}"


def _from_table() -> None:
    """Callback: the rows changed in the table editor, as edits (in one go)."""
    changes = st.session_state.get(TABLE_KEY, {}).get("edited_rows", {})
    for position, values in changes.items():
        target = label_to_target.get(values.get("Verband"))
        if target is not None:
            _edit(lambda nis=table.at[int(position), "NIS"], target=target: _assignment(nis, target))


st.data_editor(table, key=TABLE_KEY, hide_index=True, width="stretch", height=360, on_change=_from_table,
               disabled=["NIS", "Gemeente", "Provincie"],
               column_config={"Verband": st.column_config.SelectboxColumn("Verband", options=options, required=True)})

# --- save, share, download, use ---------------------------------------------------------------------------------

st.header("Bewaren en delen")
store, store_problem = session.scenario_store()
if store is None:
    st.error(f"Bewaren kan nu niet: {store_problem} De rest van het dashboard werkt gewoon.",
             icon=":material/database:")
    st.button("Opnieuw proberen", key="scenario-store-retry", on_click=session.forget_store)
else:
    col_a, col_b = st.columns([1, 2])
    col_a.text_input("Titel", key="scenario-title", max_chars=200,
                     value=saved.title if saved is not None else "")
    col_b.text_area("Toelichting", key="scenario-note", max_chars=10_000, height=80,
                    value=saved.note if saved is not None else "")

    def _save() -> None:
        scenario_now = st.session_state[session.STATE_SCENARIO]
        previous = st.session_state.get(session.STATE_SAVED)
        saved_filters = {name: str(st.session_state.get(key, default))
                         for name, (key, default) in state.URL_FILTERS.items() if name != "schema"}
        saved_filters["versie"] = scenario_now.boundary_version
        content = scenario_content(scenario_now, saved_filters)
        title, note = st.session_state.get("scenario-title", ""), st.session_state.get("scenario-note", "")
        try:
            if previous is None:
                result = store.save_new(title, note, content)
            else:
                result = store.save_version(previous.scenario_id, title, note, content,
                                            based_on_version=previous.version)
        except ScenarioStoreError as error:
            _say("error", f"Niet bewaard: {error}")
            return
        session.remember_saved(scenario_now, result)
        session.saved_in_use(scenario_now, result)
        later = previous is not None and result.version != previous.version + 1
        _say("success", f"Bewaard als versie {result.version}."
             + (" Iemand anders bewaarde intussen ook een versie; niets is verloren." if later else ""))

    st.button("Nieuwe versie bewaren" if saved is not None else "Bewaren", key="scenario-save", type="primary",
              on_click=_save)
    st.caption("Elke bewaring is een nieuwe versie; oudere versies blijven bereikbaar. Wie de link heeft, kan het "
               "scenario openen; er is geen lijst van scenario's.")
    if saved is not None:
        link = session.scenario_link(saved.scenario_id, saved.version)
        base = str(st.context.url or "").split("?")[0]
        st.markdown(f"**Link naar versie {saved.version}** (opent het scenario en de filters, op elke pagina):")
        st.code(base + link, language=None)

col_a, col_b, col_c = st.columns(3)
from analysis.tables import to_csv_bytes, to_xlsx_bytes
from geodata.membership import TEMPLATE_SHEET, membership_upload_table


def _upload_table():
    scheme = st.session_state[session.STATE_SCENARIO].scheme
    return membership_upload_table(scheme.partnerships, scheme.memberships, scheme.non_participants)


col_a.download_button("⬇ Scenario als CSV (uploadformaat)", lambda: to_csv_bytes(_upload_table()),
                      file_name="regiekaart-scenario.csv", mime="text/csv", key="scenario-csv", on_click="ignore")
col_b.download_button("⬇ Scenario als Excel (uploadformaat)",
                      lambda: to_xlsx_bytes({TEMPLATE_SHEET: _upload_table()}), file_name="regiekaart-scenario.xlsx",
                      mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key="scenario-xlsx",
                      on_click="ignore")
unedited = session.saved_as(scenario)
title_now = session.version_title(saved, edited=unedited is None) if saved is not None else "(niet bewaard)"
col_c.button("Gebruik dit scenario op alle pagina's", key="scenario-use", on_click=session.use_everywhere,
             args=(scenario, title_now, unedited))
st.caption("Het bestand kan op de pagina Gegevens weer opgeladen worden (een code van 2025 geldt daar voor haar "
           "vroegere gemeenten). Een bewaarde versie die u op alle pagina's gebruikt, houdt haar link in de "
           "adresbalk.")
