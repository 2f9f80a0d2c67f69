"""Every workaround for another library's behaviour, in one place (in the style of geopandas' ``_compat.py``).

The rest of the code uses public APIs only and imports a version flag or a function from here. Each workaround
says what upstream behaviour it works around and when it can go, and ``tests/test_compat.py`` has a test that
fails when that behaviour changes. When upstream changes, this is the one place to look.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib.metadata import version

import branca.element
import folium
import folium.features
import folium.template
import jinja2
import streamlit as st
import xstatic.pkg.leaflet as xstatic_leaflet
from branca.element import MacroElement, Template
from packaging.version import Version
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.pages_manager import PagesManager
from streamlit.runtime.scriptrunner import get_script_run_ctx

STREAMLIT_VERSION = Version(version("streamlit"))
STREAMLIT_GE_1_67 = STREAMLIT_VERSION >= Version("1.67")
# Streamlit's own page menu empties the query string on a page switch (see `navigation_position`); checked on 1.67
# (tests/test_compat.py reads the served frontend, tests/test_browser_navigation.py walks the menu).
STREAMLIT_MENU_DROPS_QUERY = STREAMLIT_VERSION < Version("1.68")
STREAMLIT_FOLIUM_VERSION = Version(version("streamlit-folium"))
FOLIUM_VERSION = Version(version("folium"))
BRANCA_VERSION = Version(version("branca"))
BRANCA_LT_0_9 = BRANCA_VERSION < Version("0.9")
# folium up to 0.20 serialises a GeoJson layer's data in every render (`render_serialised_geojson`) and compiles
# a tooltip's style template in every render (`compile_folium_templates_once`).
FOLIUM_LT_0_21 = FOLIUM_VERSION < Version("0.21")
LEAFLET_VERSION = Version(xstatic_leaflet.VERSION)  # the Leaflet the dashboard serves (ui.webmap)
# Leaflet up to 1.9.4 focuses the map's element on the first mouse press without `preventScroll`
# (see `FocusWithoutScroll`); test_compat reads the served Leaflet to check.
LEAFLET_FOCUS_SCROLLS = LEAFLET_VERSION <= Version("1.9.4")


def leave_legacy_pages_mode() -> None:
    """Make sure `dashboard.py` (shared sidebar and `st.navigation`) runs, also for a deep link.

    Works around: a folder named ``pages/`` beside the entry point puts Streamlit in its legacy multipage mode
    (the class attribute ``PagesManager.uses_pages_directory``) until `st.navigation` has run once in the process.
    When the very first request of a new server is a deep link such as ``/verbanden``, Streamlit then runs
    ``pages/verbanden.py`` on its own: no sidebar, no filters, and our helper modules listed as pages. Every page
    imports `ui.state` first, which calls this: switching the mode off and rerunning hands the request to
    `dashboard.py`, which shows the intended page.

    Can go when the page scripts no longer live in a folder named ``pages/`` beside the entry point, or when
    Streamlit lets an app that calls `st.navigation` opt out of the legacy mode before its first run.
    """
    if PagesManager.uses_pages_directory and get_script_run_ctx() is not None:
        PagesManager.uses_pages_directory = False
        st.rerun()


def navigation_position() -> str:
    """The ``position`` of Streamlit's own page menu for `st.navigation`: "hidden" while that menu drops the query
    string, as `ui.pagemenu` then draws the page menu (`st.page_link`s that carry it); else "sidebar".

    Works around: a click on Streamlit's menu empties the query string (the frontend keeps only embedding and
    widget-bound parameters, ``WidgetStateManager.filterParamsForPageChange``), links each item to a page's bare
    address and pushes that bare address to the browser history; the app's filters come back only when the new
    page's run writes them again (`ui.state.write_url_state`), as a second history entry. Until then the address
    bar has no filters, the Back button lands on the bare address (the same page, not the previous one), and
    "copy link address" on a menu item gives a link to the default view (issue 17).

    Can go when Streamlit's menu keeps the query string on a page switch (`STREAMLIT_MENU_DROPS_QUERY`, checked by
    tests/test_compat.py against the served frontend).
    """
    return "hidden" if STREAMLIT_MENU_DROPS_QUERY else "sidebar"


@contextmanager
def deferred_downloads() -> Iterator[dict[str, Callable[[], object]]]:
    """For tests: file name -> the callable of every deferred ``st.download_button(data=callable)`` registered
    while the context is open (an AppTest run included).

    Works around: ``streamlit.testing.v1`` shows a download button's label but not its data, and a deferred
    button's file is made only when the browser asks for it, which an AppTest never does. The callables are
    recorded where Streamlit registers them, ``MediaFileManager.add_deferred``.

    Can go when AppTest's ``DownloadButton`` exposes the file it would give (check ``streamlit.testing.v1``).
    """
    files: dict[str, Callable[[], object]] = {}
    original = MediaFileManager.add_deferred

    def record(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):
        files[file_name] = data_callable
        return original(self, data_callable, mimetype, coordinates, file_name, **kwargs)

    MediaFileManager.add_deferred = record
    try:
        yield files
    finally:
        MediaFileManager.add_deferred = original


def in_legacy_pages_mode() -> bool | None:
    """Whether Streamlit runs this process in its legacy ``pages/`` mode (None before the first session).

    For `leave_legacy_pages_mode` and its tests; can go with it.
    """
    return PagesManager.uses_pages_directory


_JINJA_OPENERS = re.compile(r"\{(?=[{%#])")


def defuse_template_syntax(html_text: str) -> str:
    """`html_text` with every Jinja opener (``{{``, ``{%``, ``{#``) written as ``&#123;`` plus the rest, so it shows
    the same in HTML but is never evaluated.

    Works around: branca's ``MacroElement.render`` wraps the text each macro rendered in an ``Element``, which
    compiles it as a Jinja template again; a map element that carries user text (a partnership named
    ``{{ 7*7 }}``) would otherwise be evaluated on the server. Only for text that reaches HTML (the entity is
    HTML); `ui.webmap.escape_text` applies it to every such string.

    Can go when branca puts a rendered macro into the page as finished text (no second compilation).
    """
    return _JINJA_OPENERS.sub("&#123;", html_text)


_NEWLINES = re.compile(r"\r\n|\r")
_TRAILING_NEWLINE = re.compile(r"\n\Z")


class _VerbatimTemplate:
    """What ``jinja2.Template(text).render()`` gives for a text without any Jinja syntax: the text with its newlines
    normalised to ``\\n`` and one trailing newline removed (Jinja's defaults), without lexing or compiling it."""

    def __init__(self, text: str):
        self._text = _TRAILING_NEWLINE.sub("", _NEWLINES.sub("\n", text), count=1)

    def render(self, *args, **kwargs) -> str:
        return self._text


def _verbatim_or_compiled(source, *args, **kwargs):
    if args or kwargs or not isinstance(source, str) or _JINJA_OPENERS.search(source):
        return jinja2.Template(source, *args, **kwargs)
    return _VerbatimTemplate(source)


def skip_recompiling_rendered_text() -> bool:
    """Let branca keep an already rendered text as it is instead of compiling it as a Jinja template again.

    Works around: ``MacroElement.render`` wraps the text each macro rendered in ``Element(text)``, and
    ``Element.__init__`` compiles any text it gets with ``jinja2.Template``. For a map layer that text is its whole
    GeoJSON (about 300 kB for the 300 municipalities): lexing and compiling it took about 0.17 s of every run
    (`bench/README.md`), for a template that renders to itself. Here a text without any Jinja opener (``{{``, ``{%``,
    ``{#``; user text never has one, see `defuse_template_syntax`) becomes a template that returns it as Jinja
    would; any other text, and every template of folium and branca themselves, is compiled as before. The
    page is the same (``tests/test_compat.py``). Process-wide and idempotent; returns whether the workaround is
    active.

    Can go when branca stops compiling rendered text (``Element.__init__`` in ``branca/element.py``).
    """
    if not BRANCA_LT_0_9:
        return False
    branca.element.Template = _verbatim_or_compiled
    return True
_FOCUS_WITHOUT_SCROLL_TEMPLATE = """
{% macro script(this, kwargs) %}
(function (container) {
  var focus = container.focus;
  container.focus = function (options) { return focus.call(container, Object.assign({preventScroll: true}, options)); };
})({{ this._parent.get_name() }}.getContainer());
{% endmacro %}
"""


class FocusWithoutScroll(MacroElement):
    """Let a Leaflet map take the keyboard focus without scrolling the page (add it to a `folium.Map`).

    Works around: Leaflet's keyboard handler focuses the map's element on the first mouse press
    (``Map.Keyboard._onMouseDown``, and ``Control._refocusOnMap`` after a click on a control) with a plain
    ``focus()``. The browser then scrolls every scrolling ancestor to bring the map into view, also outside the
    streamlit-folium iframe: Streamlit's main area. When the map is partly out of view, the page moves between
    mouse press and release, so the click lands elsewhere and the clicked municipality is lost (Leaflet issues
    #1605, #4125, #10360; Leaflet restores only the scroll of its own window). Focusing with
    ``preventScroll: true`` keeps the keyboard controls and leaves the page where it is.

    Can go when Leaflet focuses the map with ``preventScroll`` (`LEAFLET_FOCUS_SCROLLS` turns False for a newer
    Leaflet; ``tests/test_compat.py`` checks the served source).
    """

    _template = Template(_FOCUS_WITHOUT_SCROLL_TEMPLATE)

    def __init__(self):
        super().__init__()
        self._name = "FocusWithoutScroll"


class SerialisedGeoJson(dict):
    """GeoJSON data for `folium.GeoJson`: the dict folium reads (tooltip fields, bounds), carrying its own JSON text,
    exactly what Jinja's ``tojson`` makes of the dict (``json.dumps(data, sort_keys=True)``, `SERIALISED_AS`).
    With `render_serialised_geojson` a layer's render writes that text."""

    def __init__(self, data: dict, json_text: str):
        super().__init__(data)
        self.json_text = json_text


SERIALISED_AS = {"sort_keys": True}  # the arguments of json.dumps a SerialisedGeoJson's text stands for


def _dumps_keeping_serialised(value, **kwargs) -> str:
    if type(value) is SerialisedGeoJson and kwargs == SERIALISED_AS:
        return value.json_text
    return json.dumps(value, **kwargs)


def render_serialised_geojson() -> bool:
    """Let folium's GeoJson template write a `SerialisedGeoJson`'s own text instead of serialising the data again.

    Works around: ``folium.GeoJson`` serialises its whole data in every render (``{{ this.data|tojson }}`` in its
    template), and streamlit-folium renders the map's layers in every script run: json.dumps of the coverage map's
    570 kB of GeoJSON took about 25-45 ms of each run (`bench/README.md`), for geometries that never change. Jinja
    lets an environment choose the function behind its ``tojson`` filter (the documented policy
    ``json.dumps_function``); on the environment of folium's templates this sets one that returns a
    `SerialisedGeoJson`'s text and serialises every other value as before. The page is the same
    (``tests/test_compat.py``). Process-wide and idempotent; returns whether the workaround is active.

    Can go when folium can take a layer's data as finished JSON text (``GeoJson.render`` in ``folium/features.py``).
    """
    if not FOLIUM_LT_0_21:
        return False
    environment = folium.GeoJson._template.environment
    environment.policies["json.dumps_function"] = _dumps_keeping_serialised
    return True


@functools.lru_cache(maxsize=64)
def _folium_template(source: str) -> folium.template.Template:
    return folium.template.Template(source)


def _compiled_once(source, *args, **kwargs):
    if args or kwargs or not isinstance(source, str):
        return folium.template.Template(source, *args, **kwargs)
    return _folium_template(source)


def compile_folium_templates_once() -> bool:
    """Let folium compile the templates it makes while rendering once per process instead of in every render.

    Works around: ``GeoJsonDetail.render`` (every ``GeoJsonTooltip``) builds its style sheet with a new
    ``Template("...")`` of a fixed text in every render, and Jinja compiles it each time: with a tooltip on each of
    a map's four or five layers, about 9 % of the server's work in a run that opens a page (`bench/README.md`).
    A compiled Jinja template is immutable and renders the same for the same arguments, so the name
    ``folium.features.Template`` is pointed at a cache of compiled templates per source text. The page is the same
    (``tests/test_compat.py``). Process-wide and idempotent; returns whether the workaround is active.

    Can go when folium compiles that template once (``GeoJsonDetail.render`` in ``folium/features.py``).
    """
    if not FOLIUM_LT_0_21:
        return False
    folium.features.Template = _compiled_once
    return True
