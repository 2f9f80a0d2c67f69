"""Fusies 2025: the 2019 and 2025 maps side by side, with merger conflicts highlighted."""

import streamlit as st

from ui import downloads, state, views, widgets
from ui.webmap import add_merger_conflicts, coverage_map, merged_legend

filters = state.current_filters()
st.title("Fusies van 1 januari 2025")
st.markdown("Op 1 januari 2025 fuseerden 28 gemeenten tot 13 nieuwe (300 → 285). Lidmaatschap 2020-2025 is "
            "vastgelegd op de oude gemeenten; hier wordt het op de nieuwe kaart gelegd. Een fusiegemeente waarvan "
            "de delen in verschillende verbanden zaten, of maar deels gedekt waren, is een **fusieconflict**.")
scheme_filters = state.Filters(filters.scheme, "2019", state.ALL, state.CENTRE_ANY, state.ALL)
view_2019 = views.current_view(scheme_filters)
view_2025 = views.current_view(state.Filters(filters.scheme, "2025", state.ALL, state.CENTRE_ANY, state.ALL))
widgets.data_banner(view_2019)
conflicts = views.cached_merger_conflicts(filters.scheme)

from geodata.municipalities import load_merger_table  # noqa: E402

merged_2025 = set(load_merger_table().groupby("nis_2025").filter(lambda g: len(g) > 1)["nis_2025"])
conflict_2025 = set(conflicts["nis_2025"]) if not conflicts.empty else set()
mode = st.radio("Weergave", ["naast elkaar", "wisselen"], horizontal=True, key="merger-mode")
only_merged = st.toggle("Alleen fusiegemeenten en hun delen tonen", value=False, key="merger-only")


PRINT_TITLES = {"2019": "Dekking vóór de fusies van 2025 (gemeenten 2019-2024)",
                "2025": "Dekking na de fusies van 1 januari 2025 (gemeenten vanaf 2025)"}


def _mask(view, codes):
    return view.municipalities["nis"].isin(codes) if only_merged else None


parts_2019 = set(load_merger_table().loc[lambda t: t["nis_2025"].isin(merged_2025), "nis_2019"])
maps = [("Gemeenten 2019-2024", view_2019, "2019", parts_2019), ("Gemeenten vanaf 2025", view_2025, "2025", merged_2025)]
if mode == "wisselen":
    label = st.segmented_control("Kaart", [m[0] for m in maps], default=maps[1][0], key="merger-toggle") or maps[1][0]
    maps = [m for m in maps if m[0] == label]
# One map: its legend beside it. Two maps side by side share one legend (counts per map) across the page under
# them: beside two maps it would leave each map a third of the width, and Flanders a strip.
columns = st.columns([1, 1] if len(maps) > 1 else list(widgets.MAP_AND_LEGEND), gap="small")
legends = {}
for column, (title, view, version, codes) in zip(columns, maps):
    with column:
        st.markdown(f"**{title}**")
        web = views.cached_web_layer(version)
        fmap = coverage_map(view, web, _mask(view, codes), source=widgets.source_line(view), title=title)
        if version == "2025":
            add_merger_conflicts(fmap, web, conflict_2025)
        legends[version] = widgets.take_legend(fmap)
        widgets.show_map(fmap, key=f"merger-{version}-{filters.scheme}-{only_merged}", height=440)
if len(legends) > 1:
    widgets.show_legend(merged_legend("aantallen 2019-2024 / vanaf 2025", legends, widgets.source_line(view_2019)),
                        wide=True)
else:
    with columns[-1]:
        widgets.show_legend(next(iter(legends.values())))
st.caption("Blauwe stippellijn: fusiegemeente met een conflict. " + widgets.source_line(view_2019))
# The print versions under the legend, each under its own map.
for column, (title, view, version, codes) in zip(st.columns(len(maps)), maps):
    with column:
        st.markdown(f"**{title}**")
        described = state.filter_text(view, state.Filters(filters.scheme, version, state.ALL, state.CENTRE_ANY, state.ALL))
        if only_merged:
            described += " · alleen fusiegemeenten en hun delen"
        downloads.print_figures(view, _mask(view, codes), filters, "coverage",
                                downloads.file_stem("regiekaart-fusies", "gemeenten", version), f"merger-print-{version}",
                                text=described, title=PRINT_TITLES[version],
                                conflict_nis=conflict_2025 if version == "2025" else ())

st.subheader("Fusieconflicten")
if conflicts.empty:
    st.success("Geen fusieconflicten in deze indeling.")
else:
    table = conflicts.assign(
        part_names=conflicts["part_names"].map(", ".join),
        covered_population_share=conflicts["covered_population_share"],
    )[["nis_2025", "name_2025", "part_names", "description", "population_total", "covered_population_share"]].rename(
        columns={"nis_2025": "NIS 2025", "name_2025": "Fusiegemeente", "part_names": "Vroegere gemeenten",
                 "description": "Conflict", "population_total": "Inwoners 2020",
                 "covered_population_share": "Aandeel gedekt"})
    downloads.show_table(table, numbers={"Inwoners 2020": 0}, percents={"Aandeel gedekt": 0},
                         download=("regiekaart-fusieconflicten", "Fusieconflicten"), key="merger-table")

st.subheader("Omzettingstabel oude → nieuwe NIS-codes")
table = load_merger_table()
old = view_2019.municipalities.set_index("nis")["name"]
new = view_2025.municipalities.set_index("nis")["name"]
table = table.assign(name_2019=table["nis_2019"].map(old), name_2025=table["nis_2025"].map(new))
table = table[["nis_2019", "name_2019", "nis_2025", "name_2025"]].rename(columns={
    "nis_2019": "NIS 2019", "name_2019": "Gemeente 2019", "nis_2025": "NIS 2025", "name_2025": "Gemeente 2025"})
downloads.show_table(table[table["NIS 2025"].isin(merged_2025)],
                     download=("regiekaart-nis-2019-2025-fusiegemeenten", "Fusiegemeenten"), key="merged-codes-table")
with st.expander(f"Volledige omzettingstabel ({len(table)} gemeenten van 2019)"):
    downloads.show_table(table, download=("regiekaart-nis-2019-2025", "Codes"), key="codes-table")
