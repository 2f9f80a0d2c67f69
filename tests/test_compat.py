"""Each workaround of ui/compat.py still works around something: these tests fail when upstream changes the
behaviour a workaround relies on (then the workaround, or its reason, has to be looked at again)."""

import inspect

import branca
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import DownloadButton, Widget

from ui import compat


def _app_with_pages_folder(tmp_path, script: str) -> AppTest:
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "other.py").write_text("import streamlit as st\nst.write('other page')\n")
    entry = tmp_path / "app.py"
    entry.write_text(inspect.cleandoc(script) + "\n")
    return AppTest.from_file(str(entry), default_timeout=30)


@pytest.mark.slow
def test_a_pages_folder_starts_the_legacy_mode_and_leaving_it_reruns_the_entry_point(tmp_path):
    at = _app_with_pages_folder(tmp_path, """
        import streamlit as st
        from ui.compat import in_legacy_pages_mode, leave_legacy_pages_mode

        st.session_state.setdefault("modes", []).append(in_legacy_pages_mode())
        leave_legacy_pages_mode()
        st.write("entry point ran")
    """).run()
    assert not at.exception
    # Streamlit still starts in the legacy mode because of the folder (else the workaround can go) ...
    assert at.session_state["modes"][0] is True
    # ... and the switch still turns it off for the rerun the workaround asks for.
    assert at.session_state["modes"][1:] == [False]
    assert [m.value for m in at.markdown] == ["entry point ran"]


def test_st_navigation_still_ends_the_legacy_mode(tmp_path):
    at = _app_with_pages_folder(tmp_path, """
        import streamlit as st
        from ui.compat import in_legacy_pages_mode

        before = in_legacy_pages_mode()
        st.navigation([st.Page(lambda: st.write("home"), title="Home", url_path="home")]).run()
        st.session_state["modes"] = (before, in_legacy_pages_mode())
    """).run()
    assert not at.exception
    assert at.session_state["modes"] == (True, False)


def test_deferred_downloads_records_each_buttons_callable():
    at = AppTest.from_string(inspect.cleandoc("""
        import streamlit as st

        st.download_button("CSV", lambda: b"a;b\\n1;2\\n", file_name="tabel.csv", on_click="ignore")
    """))
    with compat.deferred_downloads() as files:
        at.run()
    assert not at.exception
    assert [button.label for button in at.download_button] == ["CSV"]
    assert files["tabel.csv"]() == b"a;b\n1;2\n"


def test_apptest_download_buttons_still_do_not_expose_their_data():
    """If AppTest's DownloadButton gains the file it would give (data, file name, URL), use that instead of
    `compat.deferred_downloads`."""
    own = {name for name in dir(DownloadButton) if not name.startswith("_")} - set(dir(Widget))
    assert own <= {"click", "set_value", "value", "label", "help", "form_id", "proto"}, own


def test_branca_still_compiles_rendered_macros_again():
    """A macro whose output contains Jinja syntax is evaluated a second time; `defuse_template_syntax` stops it."""

    class Shows(branca.element.MacroElement):
        _template = branca.element.Template("{% macro html(this, kwargs) %}<p>{{ this.text }}</p>{% endmacro %}")

        def __init__(self, text):
            super().__init__()
            self.text = text

    def rendered(text):
        figure = branca.element.Figure()
        figure.add_child(Shows(text))
        return figure.render()

    assert "<p>49</p>" in rendered("{{ 7*7 }}")  # evaluated: the workaround is still needed
    defused = compat.defuse_template_syntax("{{ 7*7 }} {% if 1 %}x{% endif %} {# c #} {plain}")
    assert defused == "&#123;{ 7*7 }} &#123;% if 1 %}x&#123;% endif %} &#123;# c #} {plain}"
    assert f"<p>{defused}</p>" in rendered(defused)


def test_version_flags_describe_the_installed_streamlit():
    assert compat.STREAMLIT_GE_1_67 == (compat.STREAMLIT_VERSION.release[:2] >= (1, 67))
    assert str(compat.STREAMLIT_VERSION) == st.__version__


def _coverage_page(compile_with) -> str:
    """The standalone page of the coverage map with branca's rendered texts compiled by `compile_with`; element
    ids (random) are numbered in order of appearance so that two builds compare."""
    import re

    import branca.element

    from analysis.datasets import bundled_view
    from geodata.weblayer import web_layer
    from ui.webmap import coverage_map

    installed = branca.element.Template
    try:
        branca.element.Template = compile_with
        page = coverage_map(bundled_view("regie-2020-2025", "2019"), web_layer("2019"),
                            source="Bron: test {x}").get_root().render()
    finally:
        branca.element.Template = installed
    ids: dict[str, str] = {}
    return re.sub(r"[0-9a-f]{32}", lambda found: ids.setdefault(found.group(), f"id{len(ids)}"), page)


def test_skipping_the_second_template_pass_gives_the_same_page():
    import branca.element
    import jinja2

    assert compat.skip_recompiling_rendered_text()  # active on this branca (else the workaround can go)
    original = _coverage_page(jinja2.Template)
    assert "rk-legend" in original and len(original) > 100_000
    assert _coverage_page(branca.element.Template) == original


def test_branca_still_compiles_every_rendered_text_through_its_module_level_template():
    """The workaround replaces `branca.element.Template`; it only helps while `Element.__init__` compiles its text
    through that name (else the workaround can go, or must follow upstream)."""
    import branca.element

    compiled = []
    patched = branca.element.Template
    try:
        branca.element.Template = lambda source: compiled.append(source) or patched(source)
        branca.element.Element("<div>GeoJSON</div>\n")
    finally:
        branca.element.Template = patched
    assert compiled == ["<div>GeoJSON</div>\n"]


def test_verbatim_text_renders_as_jinja_would():
    import jinja2

    for text in ["a\n", "a\r\nb\r\n", "a\n\n", "", "no newline", "x\rY\n"]:
        assert compat._verbatim_or_compiled(text).render() == jinja2.Template(text).render(), repr(text)
    assert isinstance(compat._verbatim_or_compiled("{{ 7*7 }}"), jinja2.Template)
def test_leaflet_still_focuses_the_map_without_prevent_scroll():
    """`FocusWithoutScroll` is needed while the served Leaflet focuses the map's element on a mouse press with a plain
    ``focus()`` (which scrolls Streamlit's main area when the map is partly out of view)."""
    from pathlib import Path

    import xstatic.pkg.leaflet as xstatic_leaflet

    source = (Path(xstatic_leaflet.BASE_DIR) / "leaflet-src.js").read_text(encoding="utf-8")
    start = source.index("_onMouseDown: function () {\n  \t\tif (this._focused)")
    keyboard_mouse_down = source[start:source.index("},", start)]
    assert ("this._map._container.focus();" in keyboard_mouse_down) is compat.LEAFLET_FOCUS_SCROLLS
    assert "preventScroll" not in source  # else Leaflet may have fixed it: look at the workaround again


def test_focus_without_scroll_is_on_every_dashboard_map():
    from ui.webmap import base_map

    html = base_map().get_root().render()
    assert "preventScroll: true" in html


def _coverage_page_with_dumps(dumps) -> str:
    """The coverage map's standalone page with `dumps` behind the tojson filter of folium's templates."""
    import folium

    policies = folium.GeoJson._template.environment.policies
    installed = policies["json.dumps_function"]
    try:
        policies["json.dumps_function"] = dumps
        return _coverage_page(branca.element.Template)
    finally:
        policies["json.dumps_function"] = installed


def test_writing_the_kept_geojson_text_gives_the_same_page():
    import json

    assert compat.render_serialised_geojson()  # active on this folium (else the workaround can go)
    written = _coverage_page_with_dumps(compat._dumps_keeping_serialised)
    assert "FeatureCollection" in written and len(written) > 100_000
    assert written == _coverage_page_with_dumps(json.dumps)


def test_folium_still_serialises_a_geojson_layer_in_every_render_through_tojson():
    """The workaround sets the function behind Jinja's tojson for folium's templates; it only helps while
    folium.GeoJson writes its data with that filter (else it can go, or must follow upstream)."""
    import folium

    compat.render_serialised_geojson()
    data = {"type": "FeatureCollection", "features": []}
    fmap = folium.Map()
    folium.GeoJson(compat.SerialisedGeoJson(data, '{"kept": "text"}')).add_to(fmap)
    assert '_add({"kept": "text"});' in fmap.get_root().render()
    fmap = folium.Map()
    folium.GeoJson(data).add_to(fmap)  # a plain dict is serialised as before, keys sorted
    assert '_add({"features": [], "type": "FeatureCollection"});' in fmap.get_root().render()


def test_streamlits_page_menu_still_drops_the_query_string():
    """`navigation_position` hides Streamlit's page menu while the served frontend empties the query string on a
    page switch (keeping only the parameters it filters for the new page); when that code goes, look again (and
    walk the menu: tests/test_browser_navigation.py)."""
    from pathlib import Path

    bundles = (Path(st.__file__).parent / "static" / "static" / "js").glob("index.*.js")
    app = next(text for text in (path.read_text(encoding="utf-8") for path in bundles) if "sendRerunBackMsg" in text)
    assert ("filterParamsForPageChange(" in app) is compat.STREAMLIT_MENU_DROPS_QUERY
    assert compat.navigation_position() == ("hidden" if compat.STREAMLIT_MENU_DROPS_QUERY else "sidebar")
    # Nor can st.navigation be told to keep it.
    assert not [name for name in inspect.signature(st.navigation).parameters if "query" in name]


def test_compiling_folium_templates_once_gives_the_same_page():
    import folium.features
    import folium.template

    assert compat.compile_folium_templates_once()  # active on this folium (else the workaround can go)
    cached = _coverage_page(branca.element.Template)
    installed = folium.features.Template
    try:
        folium.features.Template = folium.template.Template
        plain = _coverage_page(branca.element.Template)
    finally:
        folium.features.Template = installed
    assert ".foliumtooltip {" in cached  # the style sheet the cached template renders
    assert cached == plain


def test_folium_still_compiles_a_tooltips_style_template_in_every_render():
    """The workaround replaces `folium.features.Template`; it only helps while GeoJsonDetail.render compiles its
    style sheet through that name in every render (else it can go, or must follow upstream)."""
    import folium
    import folium.features

    data = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [4.0, 51.0]}, "properties": {"name": "a"}}]}
    compiled = []
    installed = folium.features.Template
    try:
        folium.features.Template = lambda source, *args, **kwargs: compiled.append(source) or installed(source)
        for _ in range(2):
            fmap = folium.Map()
            folium.GeoJson(data, tooltip=folium.GeoJsonTooltip(fields=["name"])).add_to(fmap)
            fmap.get_root().render()
    finally:
        folium.features.Template = installed
    assert len(compiled) == 2 and compiled[0] == compiled[1]
    assert compat._compiled_once(compiled[0]) is compat._compiled_once(compiled[0])  # compiled once, kept
