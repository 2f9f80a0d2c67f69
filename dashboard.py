"""Regiekaart: entry point (``streamlit run dashboard.py``)."""

import streamlit as st
import folium
from streamlit_folium import st_folium

from geodata.municipalities import VERSION_LABELS, VERSIONS
from geodata.weblayer import web_layer

st.set_page_config(page_title="Regiekaart", page_icon="🗺️", layout="wide")


@st.cache_resource(show_spinner="Gemeentegrenzen laden…")
def cached_web_layer(version: str):
    return web_layer(version)


st.title("Regiekaart")
st.caption("Lokale regierol sociale economie en werk in Vlaanderen")
version = st.radio("Grenzen", VERSIONS, format_func=VERSION_LABELS.get, horizontal=True)
layer = cached_web_layer(version)
fmap = folium.Map(location=[51.05, 4.4], zoom_start=8, tiles="OpenStreetMap")
folium.GeoJson(layer[["nis", "name", "geometry"]].to_json(), name="Gemeenten",
               style_function=lambda _: {"color": "#555555", "weight": 0.6, "fillColor": "#cccccc", "fillOpacity": 0.4}
               ).add_to(fmap)
st_folium(fmap, height=560, use_container_width=True, returned_objects=[], key=f"map-{version}")
st.caption("Bron: Provincies in Cijfers, Statbel")
