"""The official list in one step (issue 15): every shape an administration sends, read into the same Scheme with
exact memberships; name resolution; problems naming file, row and column."""

import pytest

from geodata.official_list import read_membership_upload
from geodata.official_list import PASTED_TEXT
from geodata.uploads import ERROR, WARNING
from tests.test_uploads import xlsx_bytes


def read(data, filename=None):
    if isinstance(data, str) and filename is not None:
        data = data.encode("utf-8")
    return read_membership_upload(data, filename)


def members(scheme) -> dict[str, set[str]]:
    """Partnership name -> the names of its members."""
    names = dict(zip(scheme.partnerships["partnership_id"], scheme.partnerships["name"]))
    grouped = scheme.memberships.groupby("partnership_id")["municipality"].agg(set)
    return {names[pid]: set(group) for pid, group in grouped.items()}


def partnership(scheme, name: str) -> dict:
    return scheme.partnerships.set_index("name").loc[name].to_dict()


def errors(problems):
    return [p for p in problems if p.severity == ERROR]


# --- one row per regisseur, its municipalities in one cell -----------------------------------------------------

def test_the_issue_example_one_row_per_regisseur_with_a_b_en_c_in_one_cell():
    scheme, problems = read("Regisseur;Centrumstad;Gemeenten\n"
                            "Interwaas;Sint-Niklaas;Beveren, Kruibeke, Sint-Gillis-Waas, Sint-Niklaas, Stekene, Temse "
                            "en Zwijndrecht\n", "regisseurs.csv")
    assert problems == []
    assert members(scheme) == {"Interwaas": {"Beveren", "Kruibeke", "Sint-Gillis-Waas", "Sint-Niklaas", "Stekene",
                                             "Temse", "Zwijndrecht"}}
    interwaas = partnership(scheme, "Interwaas")
    assert (interwaas["centre_city"], interwaas["centre_city_nis"], interwaas["standalone"]) == \
        ("Sint-Niklaas", "46021", False)


def test_every_separator_and_a_nis_code_in_brackets():
    scheme, problems = read('Regisseur;Gemeenten\n'
                            'Regio Aalst;"Aalst (41002); Lede (41034) & Erpe-Mere / Haaltert | Denderleeuw\n'
                            'Ninove en Haaltert."\n', "tekens.csv")
    assert members(scheme) == {"Regio Aalst": {"Aalst", "Lede", "Erpe-Mere", "Haaltert", "Denderleeuw", "Ninove"}}
    # Haaltert twice in one cell is read once and said once.
    assert [(p.severity, p.row) for p in problems] == [(WARNING, 2)] and "Haaltert" in problems[0].message


def test_a_code_in_brackets_that_is_another_municipality_is_an_error():
    scheme, problems = read("Regisseur;Gemeenten\nRegio Aalst;Aalst (41034), Lede\n", "codes.csv")
    assert scheme is None
    error = errors(problems)[0]
    assert (error.file, error.row, error.column) == ("codes.csv", 2, "B (Gemeenten)")
    assert "41034" in error.message and "Lede" in error.message and "Aalst" in error.message


def test_a_misspelt_name_in_a_list_cell_names_row_column_and_suggests():
    scheme, problems = read("Regisseur;Gemeenten\nInterwaas;Beveren\nMidwest;Ardooie, Izegemm, Lichtervelde\n",
                            "typo.csv")
    assert scheme is None
    [error] = errors(problems)
    assert (error.row, error.column) == (3, "B (Gemeenten)")
    assert "'Izegemm'" in error.message and error.suggestion == "Bedoelt u: Izegem?"


@pytest.mark.parametrize("regisseur, municipalities", [
    ("Regisseur", "Gemeenten"), ("Regieverband", "Deelnemende gemeenten"), ("Samenwerkingsverband", "Leden"),
    ("Verband", "Deelnemende gemeente"), ("Lokaal bestuur", "Gemeenten"), ("REGISSEUR", "(Deelnemende) gemeenten"),
    ("Samenwerkingsverband", "Gemeente(n)"),
])
def test_header_synonyms(regisseur, municipalities):
    scheme, problems = read(f"{regisseur};{municipalities}\nMidwest;Ardooie, Izegem\n", "synoniemen.csv")
    assert problems == [] and members(scheme) == {"Midwest": {"Ardooie", "Izegem"}}


def test_centre_city_legal_form_and_period_are_read():
    scheme, problems = read("Regisseur;Centrumstad;Rechtsvorm;Periode;Gemeenten\n"
                            "Regio Aalst;Aalst;Interlokale Vereniging;2020-2025;Aalst, Lede\n"
                            "Midwest;nee;ILV;2020-2025;Ardooie, Izegem\n"
                            "Gent;ja;;2020-2025;Gent\n", "kenmerken.csv")
    assert problems == []
    aalst, midwest, gent = (partnership(scheme, name) for name in ("Regio Aalst", "Midwest", "Gent"))
    assert (aalst["centre_city"], aalst["legal_form"], aalst["period"]) == \
        ("Aalst", "interlokale vereniging", "2020-2025")
    assert midwest["legal_form"] == "interlokale vereniging" and midwest["centre_city_nis"] is None
    assert gent["standalone"] and gent["centre_city"] == "Gent"


def test_a_partnership_without_municipalities_is_a_row_with_the_role_zonder_gemeenten():
    scheme, problems = read("samenwerkingsverband;nis;gemeente;rol;rechtsvorm\n"
                            "Noord;;Schoten;lid;\n"
                            "Nog te vormen;;;zonder gemeenten;welzijnsvereniging\n"
                            "Ook leeg;;;Zonder gemeenten;\n"
                            "geen;;Zoersel;;\n", "leeg.csv")
    assert problems == []
    assert members(scheme) == {"Noord": {"Schoten"}}
    assert partnership(scheme, "Nog te vormen")["legal_form"] == "welzijnsvereniging"
    assert partnership(scheme, "Ook leeg")["standalone"] is False
    assert set(scheme.partnerships["name"]) == {"Noord", "Nog te vormen", "Ook leeg"}
    assert list(scheme.non_participants["municipality"]) == ["Zoersel"]


def test_a_row_without_municipality_and_without_that_role_stays_an_error():
    scheme, problems = read("samenwerkingsverband;gemeente;rol\nNoord;Schoten;lid\nVergeten;;lid\n", "fout.csv")
    assert scheme is None
    assert [(p.row, p.message) for p in errors(problems)] == [(3, "Gemeente is leeg.")]


def test_a_regisseur_whose_only_member_is_a_centre_city_is_a_standalone_city():
    scheme, problems = read("Regisseur;Centrumstad;Gemeenten\nStad Leuven;Leuven;\nRegio Leuven;;Leuven, Bierbeek\n",
                            "alleen.csv")
    assert members(scheme) == {"Stad Leuven": {"Leuven"}, "Regio Leuven": {"Leuven", "Bierbeek"}}
    assert partnership(scheme, "Stad Leuven")["standalone"]
    assert not partnership(scheme, "Regio Leuven")["standalone"]
    # An empty member cell with a centre city is read as that city alone, and said so.
    assert any(p.row == 2 and "enige lid" in p.message for p in problems)


@pytest.mark.parametrize("centre, expected", [
    ("nee", "telt als verband met een centrumstad"),  # Aalst is a member: the members decide, as everywhere
    ("Dendermonde", "geen van de 13 centrumsteden"),
    ("Gent", "staat niet bij de gemeenten"),
])
def test_a_centre_city_column_that_disagrees_with_the_members_is_reported(centre, expected):
    scheme, problems = read(f"Regisseur;Centrumstad;Gemeenten\nRegio Aalst;{centre};Aalst, Lede, Dendermonde\n",
                            "centrum.csv")
    assert partnership(scheme, "Regio Aalst")["centre_city"] == "Aalst"
    [warning] = [p for p in problems if expected in p.message]
    assert (warning.severity, warning.row, warning.column) == (WARNING, 2, "B (Centrumstad)")


def test_title_rows_and_notes_around_the_table_in_a_workbook():
    data = xlsx_bytes({"Regisseurs": [
        ["Departement Werk en Sociale Economie"], ["Lokale regisseurs sociale economie 2020-2025"], [],
        ["Regisseur", "Gemeenten", "Rechtsvorm"],
        ["Interwaas", "Beveren\nKruibeke\nTemse", "interlokale vereniging"],
        ["Provincie West-Vlaanderen"],
        ["Midwest", "Ardooie, Izegem", "projectvereniging"],
        [], ["Bron: beslissing van de Vlaamse Regering, 2020"], ["* Gent, Antwerpen en Leuven alleen"]]})
    scheme, problems = read(data, "ministerie.xlsx")
    assert members(scheme) == {"Interwaas": {"Beveren", "Kruibeke", "Temse"}, "Midwest": {"Ardooie", "Izegem"}}
    assert [(p.severity, p.row) for p in problems] == [(WARNING, 1), (WARNING, 6), (WARNING, 9)]
    assert "boven de kopregel (rij 4)" in problems[0].message
    assert "tussentitel" in problems[1].message and "Bron:" in problems[2].message


def test_merged_regisseur_cells_carry_down_with_a_warning():
    data = xlsx_bytes({"Lijst": [["Regisseur", "Gemeente"], ["Interwaas", "Beveren"], [None, "Kruibeke"],
                                 ["Midwest", "Ardooie"], [None, "Izegem"], [None, "Lichtervelde"]]})
    scheme, problems = read(data, "samengevoegd.xlsx")
    assert members(scheme) == {"Interwaas": {"Beveren", "Kruibeke"}, "Midwest": {"Ardooie", "Izegem", "Lichtervelde"}}
    assert [(p.row, p.column) for p in problems] == [(3, "A (Regisseur)"), (5, "A (Regisseur)")]
    assert all("samengevoegde cellen" in p.message for p in problems)


def test_a_table_per_province_in_one_workbook_is_read_whole():
    data = xlsx_bytes({"Oost-Vlaanderen": [["Regisseur", "Gemeenten"], ["Interwaas", "Beveren, Temse"]],
                       "West-Vlaanderen": [["Regisseur", "Gemeenten"], ["Midwest", "Ardooie, Izegemm"]]})
    scheme, problems = read(data, "provincies.xlsx")
    assert scheme is None
    [error] = errors(problems)
    assert (error.row, error.column) == (2, "B (Gemeenten, blad West-Vlaanderen)")
    data = xlsx_bytes({"Oost-Vlaanderen": [["Regisseur", "Gemeenten"], ["Interwaas", "Beveren, Temse"]],
                       "West-Vlaanderen": [["Regisseur", "Gemeenten"], ["Midwest", "Ardooie, Izegem"]]})
    scheme, problems = read(data, "provincies.xlsx")
    assert problems == []
    assert members(scheme) == {"Interwaas": {"Beveren", "Temse"}, "Midwest": {"Ardooie", "Izegem"}}


# --- one column per regisseur ---------------------------------------------------------------------------------

def test_one_column_per_regisseur_with_a_title_and_a_note():
    scheme, problems = read("Regisseurs 2020-2025\n\nInterwaas;Midwest;Stad Gent\nBeveren;Ardooie;Gent\n"
                            "Kruibeke;Izegem;\n;Lichtervelde;\n\nBron: WSE\n", "kolommen.csv")
    assert members(scheme) == {"Interwaas": {"Beveren", "Kruibeke"}, "Midwest": {"Ardooie", "Izegem", "Lichtervelde"},
                               "Stad Gent": {"Gent"}}
    assert partnership(scheme, "Stad Gent")["standalone"]
    assert [(p.severity, p.row) for p in problems] == [(WARNING, 1), (WARNING, 8)]


def test_one_column_per_regisseur_named_after_cities():
    scheme, problems = read("Stad Gent;Stad Leuven;Regio Aalst\nGent;Leuven;Aalst\n;;Lede\n", "steden.csv")
    assert problems == []
    assert members(scheme) == {"Stad Gent": {"Gent"}, "Stad Leuven": {"Leuven"}, "Regio Aalst": {"Aalst", "Lede"}}


def test_one_column_per_regisseur_typo_names_its_column():
    scheme, problems = read(xlsx_bytes({"Blad1": [["Interwaas", "Midwest"], ["Beveren", "Ardooie"],
                                                  ["Kruibeke", "Izegemm"], ["Temse", "Lichtervelde"]]}), "k.xlsx")
    assert scheme is None
    [error] = errors(problems)
    assert (error.file, error.row, error.column) == ("k.xlsx", 3, "B (Midwest)")
    assert "Izegem" in error.suggestion


# --- one sheet per regisseur ----------------------------------------------------------------------------------

def test_one_sheet_per_regisseur():
    data = xlsx_bytes({
        "Interwaas": [["Gemeente"], ["Beveren"], ["Kruibeke"], ["Sint-Niklaas"]],
        "Blad2": [["Regisseur: Midwest"], ["Rechtsvorm", "projectvereniging"], ["NIS", "Gemeente"],
                  [36006, "Hooglede"], [36007, "Ingelmunster"]],
        "Gent": [["Gent"]],
        "Toelichting": [["Deze lijst is opgesteld door het departement."]],
    })
    scheme, problems = read(data, "bladen.xlsx")
    assert members(scheme) == {"Interwaas": {"Beveren", "Kruibeke", "Sint-Niklaas"},
                               "Midwest": {"Hooglede", "Ingelmunster"}, "Gent": {"Gent"}}
    assert partnership(scheme, "Midwest")["legal_form"] == "projectvereniging"
    assert partnership(scheme, "Gent")["standalone"]
    assert [(p.severity, p.row) for p in problems] == [(WARNING, None)]
    assert "'Toelichting'" in problems[0].message


def test_a_nis_code_and_name_on_a_regisseur_sheet_must_agree():
    data = xlsx_bytes({"Midwest": [["NIS", "Gemeente"], [36006, "Izegem"]], "W13": [["Gemeente"], ["Kortrijk"]]})
    scheme, problems = read(data, "nis.xlsx")
    assert scheme is None
    assert errors(problems)[0].row == 2 and "niet naar dezelfde gemeente" in errors(problems)[0].message


# --- pasted text ------------------------------------------------------------------------------------------------

def test_pasted_lines_with_a_colon_and_a_wrapped_line():
    scheme, problems = read("Interwaas: Beveren, Kruibeke, Sint-Gillis-Waas,\nStekene en Temse\n"
                            "Werkkracht10: Beernem, Damme & Zuienkerke\nGent: Gent\n")
    assert problems == []
    assert members(scheme) == {"Interwaas": {"Beveren", "Kruibeke", "Sint-Gillis-Waas", "Stekene", "Temse"},
                               "Werkkracht10": {"Beernem", "Damme", "Zuienkerke"}, "Gent": {"Gent"}}
    assert scheme.scheme_id == f"upload:{PASTED_TEXT}"


def test_pasted_regisseur_lines_with_indented_or_bulleted_members():
    scheme, problems = read("Lokale regisseurs 2020-2025\n"
                            "Midwest\n    Ardooie\n    Izegem\n    Centrumstad: geen\n"
                            "Regio Aalst\n• Aalst\n• Lede\n\n"
                            "Bron: socialeeconomie.be\n")
    assert members(scheme) == {"Midwest": {"Ardooie", "Izegem"}, "Regio Aalst": {"Aalst", "Lede"}}
    assert [(p.file, p.row, p.column) for p in problems] == \
        [(PASTED_TEXT, 1, "teken 1"), (PASTED_TEXT, 10, "teken 1")]
    assert all(p.severity == WARNING and "overgeslagen" in p.message for p in problems)


def test_pasted_blocks_without_indentation_as_copied_from_a_pdf():
    scheme, problems = read("Interwaas\nBeveren\nKruibeke\n\nMidwest\nArdooie\nIzegemm\n\nLeuven\n")
    assert scheme is None  # the typo stays a member of Midwest, with a suggestion, not a new regisseur
    [error] = errors(problems)
    assert (error.file, error.row, error.column) == (PASTED_TEXT, 7, "teken 1")
    assert error.suggestion == "Bedoelt u: Izegem?"
    scheme, problems = read("Interwaas\nBeveren\nKruibeke\n\nMidwest\nArdooie\nIzegem\n\nLeuven\n")
    assert members(scheme) == {"Interwaas": {"Beveren", "Kruibeke"}, "Midwest": {"Ardooie", "Izegem"},
                               "Leuven": {"Leuven"}}
    assert partnership(scheme, "Leuven")["standalone"]
    assert [p.row for p in problems] == [9]  # Leuven alone on a line: read as a city alone, and said so


def test_pasted_table_from_a_spreadsheet():
    scheme, problems = read("Regisseur\tGemeenten\nInterwaas\tBeveren, Kruibeke\nGent\tGent\n")
    assert problems == []
    assert members(scheme) == {"Interwaas": {"Beveren", "Kruibeke"}, "Gent": {"Gent"}}


def test_pasted_text_without_any_regisseur_is_explained():
    scheme, problems = read("Dit is geen lijst.\nHelemaal niet.\n")
    assert scheme is None
    assert errors(problems)[0].file == PASTED_TEXT and "geen regisseur" in errors(problems)[0].message
    scheme, problems = read("   \n")
    assert scheme is None and "leeg" in problems[0].message


# --- names ----------------------------------------------------------------------------------------------------

def test_names_from_before_2019_from_2025_french_and_written_differently():
    scheme, problems = read("Regisseur;Gemeenten\n"
                            "Meetjesland;Knesselare, Eeklo\n"
                            "Pajottenland;Pajottegem\n"
                            "W13;Courtrai, Menen\n"
                            "Waasland;ST.-NIKLAAS, sint gillis waas\n"
                            "Kempen;Herk de Stad, kapelle op den bos, Heist-op-dèn-Berg\n", "namen.csv")
    assert members(scheme) == {
        "Meetjesland": {"Aalter", "Eeklo"}, "Pajottenland": {"Galmaarden", "Gooik", "Herne"},
        "W13": {"Kortrijk", "Menen"}, "Waasland": {"Sint-Niklaas", "Sint-Gillis-Waas"},
        "Kempen": {"Herk-de-Stad", "Kapelle-op-den-Bos", "Heist-op-den-Berg"}}
    said = {p.row: p.message for p in problems}
    assert set(said) == {2, 3, 4}
    assert "Aalter" in said[2] and "fusiegemeente van 2025" in said[3] and "Frans" in said[4]


def test_a_french_name_with_a_walloon_namesake_says_so():
    scheme, problems = read("Regisseur;Gemeenten\nInterwaas;Saint-Nicolas, Beveren\n", "frans.csv")
    assert members(scheme) == {"Interwaas": {"Sint-Niklaas", "Beveren"}}
    assert "Waals Gewest" in problems[0].message


@pytest.mark.parametrize("name, region", [("Brussel", "Brussels Hoofdstedelijk Gewest"),
                                          ("Moeskroen", "Waals Gewest"), ("Brusel", "Brussels Hoofdstedelijk Gewest")])
def test_a_municipality_outside_flanders_is_reported_as_such(name, region):
    scheme, problems = read(f"Regisseur;Gemeenten\nVilvoorde;Vilvoorde, {name}\n", "buiten.csv")
    assert scheme is None
    [error] = errors(problems)
    assert (error.row, error.column) == (2, "B (Gemeenten)")
    assert region in error.message and "buiten Vlaanderen" in error.message


# --- what is not a list -----------------------------------------------------------------------------------------

def test_a_table_that_is_no_list_keeps_the_missing_columns_message():
    scheme, problems = read("stad;groep\nGent;X\n", "geen.csv")
    assert scheme is None
    assert "Verplichte kolommen ontbreken" in problems[0].message and "stad, groep" in problems[0].message
    assert "één kolom per regisseur" in problems[0].suggestion


def test_a_plain_list_of_names_in_a_csv_has_no_regisseur():
    scheme, problems = read("Gemeente\nGent\nLede\n", "namen.csv")
    assert scheme is None and "Verplichte kolommen ontbreken" in problems[0].message


def test_a_pasted_text_far_longer_than_a_list_is_refused_quickly():
    from geodata.official_list import MAX_PASTED_LINES

    scheme, problems = read("\n".join(f"Regel {number}" for number in range(MAX_PASTED_LINES + 1)))
    assert scheme is None
    assert (problems[0].row, problems[0].file) == (MAX_PASTED_LINES + 1, PASTED_TEXT)
    assert "geen lijst van regisseurs" in problems[0].message
