"""Floor of the browser bench (bench/browser.py): a Streamlit page that shows only the home page's coverage map,
through streamlit-folium the way `ui.widgets.show_map` does (the same constant base map and feature groups of
`ui.webmap.live_parts`, the same `st_folium` arguments and height, in the same column of a wide page), and
nothing else: no sidebar, navigation, KPIs, legend or downloads.

The time until its polygons are drawn in a new browser session is the floor that Streamlit plus streamlit-folium
set for the dashboard's new session; what the dashboard adds above it is the dashboard's own cost."""

import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

import streamlit as st
from streamlit_folium import st_folium

from bench.browser import HOME_MAP_HEIGHT, HOME_MAP_KEY, home_map
from ui.webmap import install_leaflet_assets, live_parts
from ui.widgets import MAP_AND_LEGEND, take_legend

st.set_page_config(page_title="Regiekaart-vloer: alleen de kaart", layout="wide")
# Leaflet from the app's own static folder, as the dashboard serves it (bench/floors/static, not committed).
install_leaflet_assets(Path(__file__).parent / "static", st.get_option("server.baseUrlPath"))

fmap = home_map()
take_legend(fmap)  # the dashboard shows the legend beside the map, not in it: the map's document is the same
live = live_parts(fmap)
map_column, _ = st.columns(MAP_AND_LEGEND, gap="small")
with map_column:
    st_folium(live.base, key=HOME_MAP_KEY, height=HOME_MAP_HEIGHT, use_container_width=True, render=False,
              returned_objects=[], feature_group_to_add=live.groups, layer_control=live.layer_control)
