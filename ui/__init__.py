"""Shared Streamlit code of the dashboard (for now: the compatibility module for upstream workarounds)."""
