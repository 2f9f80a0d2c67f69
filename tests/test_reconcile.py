"""Reconciliation of a list with the reconstruction, the totals check against the published facts, and the diff map:
hand-made schemes with known answers."""

from types import SimpleNamespace

import pandas as pd
import pytest

from analysis.reconcile import (
    CATEGORIES, CONFIRMED, CONTRADICTED, MISSING, NEITHER, NEW, match_partnerships, municipalities_table_nl,
    partnerships_table_nl, reconcile, totals_check, totals_table_nl,
)

MUNICIPALITIES = pd.DataFrame({"nis": list("ABCDEFGH"), "name": [f"Gemeente {c}" for c in "ABCDEFGH"]})


def scheme(members: dict[str, list[str]], names: dict[str, str] | None = None, non_participants=()):
    ids = list(members)
    partnerships = pd.DataFrame({"partnership_id": ids, "name": [(names or {}).get(i, i) for i in ids]})
    memberships = pd.DataFrame([{"partnership_id": pid, "nis": nis} for pid, codes in members.items() for nis in codes],
                               columns=["partnership_id", "nis"])
    return SimpleNamespace(partnerships=partnerships, memberships=memberships,
                           non_participants=pd.DataFrame({"nis": list(non_participants)}))


OURS = scheme({"p1": ["A", "B", "C"], "p2": ["D", "E", "G"], "p3": []},
              {"p1": "Ons Noord", "p2": "Ons Zuid", "p3": "Zonder leden"}, non_participants=["H"])
LISTED = scheme({"l1": ["A", "B", "D"], "l2": ["E", "F", "H"]}, {"l1": "Lijst Noord", "l2": "Lijst Zuid"})


def test_the_four_categories_on_a_hand_made_case():
    result = reconcile(LISTED, OURS, MUNICIPALITIES)
    categories = dict(zip(result.municipalities["nis"], result.municipalities["category"]))
    assert categories == {
        "A": CONFIRMED, "B": CONFIRMED,  # Lijst Noord is matched to Ons Noord (2 of 4 shared)
        "C": MISSING,  # we had it in Ons Noord, the list has it nowhere
        "D": CONTRADICTED,  # the list puts it in Lijst Noord, we had it in Ons Zuid
        "E": CONFIRMED,  # Lijst Zuid is matched to Ons Zuid through E
        "F": NEW,  # we had no membership for it
        "G": MISSING,
        "H": CONTRADICTED,  # we had it as not taking part
    }
    assert result.counts == {CONFIRMED: 3, CONTRADICTED: 2, NEW: 1, MISSING: 2, NEITHER: 0}
    notes = dict(zip(result.municipalities["nis"], result.municipalities["note"]))
    assert notes["H"] == "bij ons: neemt niet deel"


def test_a_municipality_neither_has_is_its_own_category():
    result = reconcile(scheme({"l1": ["A"]}), scheme({"p1": ["A"]}), MUNICIPALITIES)
    assert result.counts == {CONFIRMED: 1, CONTRADICTED: 0, NEW: 0, MISSING: 0, NEITHER: 7}


def test_an_overlap_in_the_reconstruction_that_the_list_settles_is_confirmed_with_a_note():
    ours = scheme({"p1": ["A", "B"], "p2": ["B", "C", "D"]}, {"p1": "Midwest", "p2": "W13"})
    listed = scheme({"l1": ["A", "B"], "l2": ["C", "D"]}, {"l1": "Midwest", "l2": "W13"})
    result = reconcile(listed, ours, MUNICIPALITIES).municipalities.set_index("nis")
    assert result.loc["B", "category"] == CONFIRMED and result.loc["B", "note"] == "bij ons ook in W13"


def test_partnerships_are_matched_one_to_one_by_overlap_with_both_names():
    matched = match_partnerships(LISTED, OURS)
    rows = {row.list_name: row for row in matched.itertuples() if row.list_name}
    assert rows["Lijst Noord"].our_name == "Ons Noord" and rows["Lijst Noord"].jaccard == pytest.approx(2 / 4)
    assert (rows["Lijst Noord"].shared, rows["Lijst Noord"].only_list, rows["Lijst Noord"].only_ours) == (2, 1, 1)
    assert rows["Lijst Zuid"].our_name == "Ons Zuid" and rows["Lijst Zuid"].jaccard == pytest.approx(1 / 5)
    unmatched = matched[matched["list_id"].isna()]
    assert unmatched["our_name"].tolist() == ["Zonder leden"]
    table = partnerships_table_nl(reconcile(LISTED, OURS, MUNICIPALITIES))
    assert table.iloc[0][["Verband in de lijst", "Verband bij ons", "Overlap (%)"]].tolist() == \
        ["Lijst Noord", "Ons Noord", 50.0]
    assert table.iloc[-1]["Verband in de lijst"] == "(niet in de lijst)"


def test_a_tie_in_overlap_goes_to_the_more_similar_name():
    ours = scheme({"p1": ["A", "B"], "p2": ["C", "D"]}, {"p1": "Regio Kortrijk", "p2": "Midwest"})
    listed = scheme({"l1": ["B", "C"]}, {"l1": "Midwest (Roeselare)"})
    assert match_partnerships(listed, ours).iloc[0]["our_name"] == "Midwest"


def test_the_municipality_table_speaks_dutch():
    table = municipalities_table_nl(reconcile(LISTED, OURS, MUNICIPALITIES)).set_index("NIS")
    assert table.loc["D"].tolist() == ["Gemeente D", "tegengesproken", "Lijst Noord", "Ons Zuid", ""]
    assert table.loc["C", "Verband in de lijst"] == "geen" and table.loc["F", "Verband bij ons"] == "onbekend"


# --- totals check -------------------------------------------------------------------------------------------

OFFICIAL = {"regie_entities": 37, "partnerships": 34, "with_centre_city": 10, "standalone_cities": 3,
            "municipalities": 238, "population_share": 0.89, "min_partnership_population": 61786,
            "max_partnership_population": 301550, "legal_form_interlokale_vereniging": 20,
            "legal_form_projectvereniging": 4, "legal_form_dienstverlenende_vereniging": 5,
            "legal_form_welzijnsvereniging": 5}


def kpis(**values):
    return pd.DataFrame({"kpi": list(values), "value": list(values.values())})


def test_totals_check_agreeing_counts_and_a_rounded_share():
    check = totals_check(kpis(regie_entities=37, partnerships=34, with_centre_city=10, standalone_cities=3,
                              municipalities=238, total_municipalities=300, population_share=0.893),
                         pd.DataFrame({"name": ["A"], "population": [100_000], "standalone": [False]}),
                         pd.DataFrame({"legal_form": [None], "standalone": [False]}), OFFICIAL).set_index("key")
    assert check["agrees"].all()
    assert check.loc["partnerships", "sentence"] == "34 samenwerkingsverbanden, zoals officieel."
    assert check.loc["municipalities", "sentence"] == "238 van de 300 gemeenten nemen deel, zoals officieel."
    assert check.loc["population_share", "sentence"].startswith("89,3%")
    assert not any(key.startswith("legal_form") for key in check.index)  # the list names no legal form


def test_totals_check_says_each_difference_in_one_sentence():
    profiles = pd.DataFrame({"name": ["Groot", "Middel", "Klein", "Stad"],
                             "population": [400_000, 320_000, 50_000, 530_000],
                             "standalone": [False, False, False, True]})
    partnerships = pd.DataFrame({"legal_form": ["interlokale vereniging", "welzijnsvereniging", None, None],
                                 "standalone": [False, False, False, True]})
    check = totals_check(kpis(regie_entities=38, partnerships=36, with_centre_city=9, standalone_cities=2,
                              municipalities=240, total_municipalities=300, population_share=0.91),
                         profiles, partnerships, OFFICIAL).set_index("key")
    sentences = check["sentence"].to_dict()
    assert sentences["partnerships"] == "36 samenwerkingsverbanden: 2 meer dan de officiële 34."
    assert sentences["with_centre_city"] == "9 verbanden met een centrumstad: 1 minder dan de officiële 10."
    assert sentences["municipalities"] == "240 van de 300 gemeenten nemen deel: 2 meer dan de officiële 238."
    assert sentences["max_partnership_population"] == ("2 verbanden boven het officiële maximum van 301.550 inwoners: "
                                                      "Groot (400.000), Middel (320.000).")
    assert sentences["min_partnership_population"] == ("1 verband onder het officiële minimum van 61.786 inwoners: "
                                                      "Klein (50.000).")
    assert check.loc["max_partnership_population", "difference"] == 400_000 - 301_550
    assert check.loc["legal_form_interlokale_vereniging", "value"] == 1
    assert check.loc["legal_form_other", "sentence"] == \
        "Verbanden buiten de vier officiële rechtsvormen: 1 zonder rechtsvorm."
    assert not check["agrees"].any()
    assert "(+2,0 procentpunt)" in sentences["population_share"]
    table = totals_table_nl(check.reset_index())
    assert table.set_index("Kerncijfer").loc["Aandeel van de bevolking", ["In de lijst", "Officieel"]].tolist() == \
        [91.0, 89.0]


# --- diff map -----------------------------------------------------------------------------------------------

@pytest.mark.slow
def test_diff_map_has_four_colour_blind_safe_categories_a_legend_and_a_source():
    from geodata.weblayer import web_layer
    from ui.webmap import reconciliation_map
    from tests.conftest import feature_properties

    web = web_layer("2019")
    codes = web["nis"].tolist()
    listed = scheme({"l1": codes[:3] + [codes[5]], "l2": codes[10:12]}, {"l1": "<b>Lijst</b>", "l2": "Twee"})
    ours = scheme({"p1": codes[:4], "p2": [codes[5]]}, {"p1": "Ons", "p2": "Ander"})
    result = reconcile(listed, ours, web[["nis", "name"]])
    html = reconciliation_map(result.municipalities, web, "Bron: test; vergelijking: lijst.csv").get_root().render()
    counts = result.counts
    assert counts == {CONFIRMED: 3, CONTRADICTED: 1, NEW: 2, MISSING: 1, NEITHER: len(codes) - 7}
    for key, label, colour in CATEGORIES:
        assert f"{label}</span> <span class='rk-legend-count' style='color:#555;white-space:nowrap'>({counts[key]})" in html
        assert colour in html
    assert {colour for key, _, colour in CATEGORIES if key != NEITHER} == {"#009E73", "#D55E00", "#0072B2", "#E69F00"}
    assert "Bron: test; vergelijking: lijst.csv" in html
    assert "<b>Lijst</b>" not in html  # a partnership name from the list is text, never HTML
    properties = feature_properties(reconciliation_map(result.municipalities, web, "Bron: test"))
    assert len(properties) == len(codes)
    first = next(props for props in properties if props["name"] == web["name"].iloc[0])
    assert (first["category_label"], first["list_label"], first["ours_label"]) == \
        ("Bevestigd: zelfde verband als bij ons", "&lt;b&gt;Lijst&lt;/b&gt;", "Ons")
