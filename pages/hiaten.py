"""Overlappingen en hiaten: overlaps, non-covered clusters, enclaves and candidate partnerships."""

import streamlit as st

from analysis.coverage import STATUS_LABELS_NL
from analysis.export import CLUSTER_KIND_NL, CLUSTER_NAME_NL, gap_clusters_table, overlaps_table
from analysis.formatting import format_number
from analysis.nearby import not_covered_near
from ui import downloads, state, views, widgets
from ui.webmap import gaps_map

filters = state.current_filters()
view = views.current_view(filters)
st.title("Overlappingen en hiaten")
widgets.data_banner(view)
mask = state.view_mask(view, filters)
widgets.stop_if_empty(view, filters, mask)
in_view = set(view.municipalities.loc[mask, "nis"])
web = views.cached_web_layer(filters.version)
names = view.municipalities.set_index("nis")["name"]

st.subheader("Niet gedekte gemeenten in de buurt van…")
options = sorted(view.municipalities["nis"], key=lambda nis: names[nis].lower())
default = options.index("71016") if "71016" in options else 0  # Genk
col_a, col_b = st.columns([2, 1])
centre = col_a.selectbox("Gemeente", options, index=default, format_func=lambda nis: f"{names[nis]} ({nis})",
                         key="near-nis")
radius = col_b.slider("Afstand (km, grens tot grens)", 0, 30, 10, key="near-km")
near = not_covered_near(view.municipalities, view.status, centre, radius)
st.markdown(f"**{len(near)}** gemeenten binnen {radius} km van {names[centre]} zitten in geen (gekend) "
            f"samenwerkingsverband, samen **{format_number(near['population_2020'].sum())}** inwoners (2020).")
near_table = near.assign(status=near["status"].map(STATUS_LABELS_NL)).rename(columns={
    "nis": "NIS", "name": "Gemeente", "status": "Status", "population_2020": "Inwoners 2020",
    "distance_km": "Afstand (km)"})
downloads.show_table(near_table, numbers={"Inwoners 2020": 0, "Afstand (km)": 1},
                     download=(downloads.file_stem("regiekaart-niet-gedekt", f"{radius} km", names[centre]),
                        "Niet gedekt in de buurt"), key="near-table")

widgets.show_map(gaps_map(view, web, mask, source=widgets.source_line(view), highlight_nis=list(near["nis"])),
            key=f"hiaten-map-{filters.scheme}-{filters.version}", height=560)
st.caption(widgets.source_line(view) + ". 'Onbekend' betekent: geen bron gevonden, niet: neemt niet deel.")
downloads.print_figures(view, mask, filters, "gaps", "regiekaart-overlappingen-hiaten", "hiaten-print")

st.subheader("Overlappingen")
overlaps = view.overlaps[view.overlaps["nis"].isin(in_view)]
if overlaps.empty:
    st.success("Geen gemeenten in meer dan één verband binnen deze selectie.")
else:
    st.markdown(f"{len(overlaps)} gemeenten staan in meer dan één samenwerkingsverband. Dat kan een echte "
                "dubbeltelling zijn of een fout in een bron; elke vermelding staat hieronder met haar bron.")
    downloads.show_table(overlaps_table(view, mask), numbers={"Inwoners 2020": 0},
                         download=("regiekaart-overlappingen", "Overlappingen"), key="overlaps-table")

st.subheader("Aaneengesloten gebieden zonder (gekend) verband")
kind = st.radio("Soort", list(CLUSTER_NAME_NL), format_func=CLUSTER_NAME_NL.get, horizontal=True, key="cluster-kind")
clusters = gap_clusters_table(view, mask)
clusters = clusters[clusters["Soort"] == CLUSTER_KIND_NL[kind]].drop(columns="Soort")
if clusters.empty:
    st.info("Geen zulke gebieden binnen deze selectie.")
else:
    # A part count only says something where an area mixes both kinds.
    table = clusters if kind == "combined" else clusters.drop(columns=["waarvan neemt niet deel", "waarvan onbekend"])
    downloads.show_table(table, numbers={"Inwoners 2020": 0, "Oppervlakte (km²)": 1, "Omtrek (km)": 1},
                         download=(f"regiekaart-hiaten-{kind.replace('_', '-')}", "Hiaten"), key="clusters-table")

st.subheader("Enclaves")
enclaves = view.enclaves[view.enclaves["members"].map(lambda members: bool(set(members) & in_view))] \
    if not view.enclaves.empty else view.enclaves
if enclaves.empty:
    st.info("Geen niet-gedekte gemeenten die volledig door één verband omringd zijn.")
else:
    table = enclaves.assign(
        member_names=enclaves["member_names"].map(", ".join),
        enclosing_partnership_names=enclaves["enclosing_partnership_names"].map(", ".join),
        fully_enclosed=enclaves["fully_enclosed"].map({True: "ja", False: "nee (grenst aan buiten Vlaanderen)"}),
    )[["member_names", "enclosing_partnership_names", "fully_enclosed", "population"]].rename(columns={
        "member_names": "Gemeenten", "enclosing_partnership_names": "Omringd door",
        "fully_enclosed": "Volledig ingesloten", "population": "Inwoners 2020"})
    downloads.show_table(table, numbers={"Inwoners 2020": 0}, download=("regiekaart-enclaves", "Enclaves"),
                         key="enclaves-table")

st.subheader("Kandidaat-verbanden om bij aan te sluiten")
candidates = view.candidates[view.candidates["unit_id"].isin(in_view)]
if candidates.empty:
    st.info("Geen niet-gedekte gemeenten binnen deze selectie.")
else:
    table = candidates.assign(member_names=candidates["member_names"].map(", ".join))[
        ["member_names", "partnership_name", "rank", "shared_border_m", "population_if_joined"]].rename(columns={
            "member_names": "Gemeente", "partnership_name": "Aangrenzend verband", "rank": "Rang",
            "shared_border_m": "Gedeelde grens (m)", "population_if_joined": "Inwoners na aansluiting"})
    downloads.show_table(table, numbers={"Gedeelde grens (m)": 0, "Inwoners na aansluiting": 0},
                         download=("regiekaart-kandidaten", "Kandidaten"), key="candidates-table")
