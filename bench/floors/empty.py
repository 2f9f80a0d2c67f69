"""Floor of the browser bench (bench/browser.py): an empty Streamlit page, one line of text.

Served by bench/server.py with the dashboard's own options (.streamlit/config.toml), so the time until its text is
drawn in a new browser session is what Streamlit's frontend costs before any app content: loading and running
its JavaScript, the websocket, one run of a script that does next to nothing."""

import streamlit as st

st.write("Regiekaart-vloer: lege Streamlit-pagina.")
