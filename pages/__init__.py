"""Streamlit pages of Regiekaart. `ui` holds the shared sidebar and caching; `webmap` builds folium maps."""
