"""The page menu in the sidebar: one link per page that carries the view's query string (the filters and the link of
the saved scenario in use, `ui.state.url_params`), so a page switch keeps them in the address bar, the Back button
returns to the previous page with them, and a menu item's own link opens the same view.

Streamlit's own menu drops the query string on a page switch (`ui.compat.navigation_position` says how); while it
does, ``dashboard.py`` hides it and this menu takes its place: `st.page_link` with ``query_params`` sends the query
string with the click, so the new page's address has it from the start, in one history entry.
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from ui import state
from ui.compat import navigation_position

MENU_KEY = "paginamenu"  # the menu's container: CSS class ``st-key-paginamenu`` (tests find the menu by it)


def container():
    """The place of the page menu at the top of the sidebar (call before the filters are drawn); None while
    Streamlit's own menu is shown instead (`ui.compat.navigation_position`)."""
    return st.sidebar.container(key=MENU_KEY) if navigation_position() == "hidden" else None


def draw(pages: Sequence, place) -> None:
    """One link per page (the ``st.Page`` objects of ``dashboard.py``) in `place` (from `container`), each with
    the query string of this view; Streamlit marks the current page (bold, shaded). Call after the sidebar's
    filters have settled (`ui.state.sidebar`), so the links carry the filters as they are now. Nothing when
    `place` is None."""
    if place is None:
        return
    params = state.url_params()
    with place:
        for page in pages:
            st.page_link(page, label=page.title, icon=page.icon, query_params=params or None)
        st.divider()
