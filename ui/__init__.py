"""Shared Streamlit code of the dashboard: filters and URL state, cached views, widgets, downloads, web maps, upload
panels, saved scenarios in the session, the error boundary, and the one module for upstream workarounds (compat)."""
