"""Streamlit's own English texts replaced where Streamlit lets us: placeholders of select boxes and multiselects,
and no English "empty" row for a table without rows (the rest is listed in the README)."""

import pytest
from streamlit.testing.v1 import AppTest

from tests.apptest import open_app

ENGLISH_DEFAULTS = ("Choose an option", "Choose options", "Select...", "")


def can_show_placeholder(widget) -> bool:
    """A multiselect can always be emptied; a select box shows its placeholder while it has no value."""
    return widget.type == "multiselect" or widget.value is None


def assert_dutch_placeholders(at: AppTest) -> list[str]:
    placeholders = []
    for widget in [*at.selectbox, *at.multiselect]:
        if can_show_placeholder(widget):
            placeholder = widget.proto.placeholder
            assert placeholder not in ENGLISH_DEFAULTS, (widget.label, placeholder)
            placeholders.append(placeholder)
    return placeholders


@pytest.mark.slow
def test_dekking_chooser_has_a_dutch_placeholder():
    at = open_app("pages/dekking.py")
    chooser = next(box for box in at.selectbox if box.label == "Gemeente (of klik op de kaart)")
    assert chooser.value is None and chooser.proto.placeholder == "Kies een gemeente"
    assert assert_dutch_placeholders(at) == ["Kies een gemeente"]


@pytest.mark.slow
def test_the_reconciliation_filter_has_a_dutch_placeholder():
    at = open_app("pages/gegevens.py", timeout=240)
    at.text_area(key="list-paste").input("Interwaas: Beveren, Kruibeke, Sint-Niklaas\nGent: Gent\n")
    next(b for b in at.button if b.label == "Geplakte tekst lezen").click().run()
    assert not at.exception
    shown = at.multiselect(key="list-categories")
    assert shown.proto.placeholder == "Kies een of meer uitkomsten"
    shown.set_value([]).run()  # everything unticked: the placeholder is what the user sees
    assert not at.exception
    assert "Kies een of meer uitkomsten" in assert_dutch_placeholders(at)


def _empty_and_full_tables():
    import pandas as pd

    from ui import downloads

    downloads.show_table(pd.DataFrame({"Gemeente": [], "Inwoners 2020": []}), numbers={"Inwoners 2020": 0})
    downloads.show_table(pd.DataFrame({"Gemeente": ["Gent"], "Inwoners 2020": [263_927]}),
                         numbers={"Inwoners 2020": 0})


def test_a_table_without_rows_says_so_in_dutch():
    at = AppTest.from_function(_empty_and_full_tables)
    at.run()
    assert not at.exception
    assert len(at.dataframe) == 1  # only the table with a row; Streamlit would draw the empty one as "empty"
    assert [caption.value for caption in at.caption] == ["Geen rijen (kolommen: Gemeente, Inwoners 2020)."]
