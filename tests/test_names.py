"""Municipality name matching: spelling variants, French and former names, 2025 mergers."""

import pytest

from geodata.names import (
    EXACT, FORMER, FRENCH, MERGED_2025, MERGED_INTO, NORMALISED, OUTSIDE_FLANDERS, UNKNOWN, MunicipalityMatcher,
    matcher_for_version, name_key,
)


@pytest.mark.parametrize("variant", ["Sint-Niklaas", "SINT-NIKLAAS", "sint niklaas", "St.-Niklaas", "St Niklaas",
                                     "Stad Sint-Niklaas", "Sint-Niklaas (46021)", " sint–niklaas ".replace("–", "-")])
def test_name_key_ignores_case_punctuation_and_prefixes(variant):
    assert name_key(variant) == name_key("Sint-Niklaas") == "sintniklaas"


def test_name_key_strips_accents_and_writes_out_ste():
    assert name_key("Sinte-Katelijne") == name_key("Ste.-Katelijne")
    assert name_key("Zoë") == "zoe"
    assert name_key("") == ""


def test_matcher_on_hand_made_names():
    matcher = MunicipalityMatcher({"00001": "Aaa-op-Zee", "00002": "Bbb"},
                                  [("Oud-Aaa", ("00001",), FORMER), ("Ccc", ("00001", "00002"), MERGED_2025)])
    assert matcher.match("Aaa-op-Zee").kind == EXACT
    assert matcher.match("aaa op zee").codes == ("00001",)
    assert matcher.match("aaa op zee").kind == NORMALISED
    assert matcher.match("Oud Aaa").kind == FORMER
    assert matcher.match("Ccc").codes == ("00001", "00002")
    missing = matcher.match("Aab-op-Zee")
    assert missing.kind == UNKNOWN and not missing.found
    assert missing.suggestions[0] == "Aaa-op-Zee"


def test_official_name_wins_over_an_alias_with_the_same_key():
    matcher = MunicipalityMatcher({"00001": "Bbb"}, [("BBB", ("00009",), FRENCH)])
    assert matcher.match("bbb").codes == ("00001",)


def test_real_2019_map_aliases():
    matcher = matcher_for_version("2019")
    assert matcher.match("Saint-Nicolas").codes == ("46021",)
    assert matcher.match("Saint-Nicolas").kind == FRENCH
    assert matcher.match("Neerpelt").codes == ("72043",)  # Pelt since 2019
    assert matcher.match("Neerpelt").kind == FORMER
    pajottegem = matcher.match("Pajottegem")
    assert pajottegem.kind == MERGED_2025
    assert pajottegem.codes == ("23023", "23024", "23032")  # Galmaarden, Gooik, Herne
    assert matcher.match("Borsbeek").codes == ("11007",)
    assert "Gent" in matcher.match("Gendt").suggestions


def test_real_2025_map_aliases():
    matcher = matcher_for_version("2025")
    borsbeek = matcher.match("Borsbeek")
    assert (borsbeek.codes, borsbeek.kind) == (("11002",), MERGED_INTO)
    assert matcher.match("Anvers").codes == ("11002",)  # French name of a city that kept its name
    assert matcher.match("Looz").kind == MERGED_INTO  # Borgloon, now Tongeren-Borgloon
    assert matcher.match("Hasselt").kind == EXACT


# --- suggestions and names outside Flanders (issue 12, point 7) --------------------------------------------------

@pytest.mark.parametrize("name, region", [("Brussel", "het Brussels Hoofdstedelijk Gewest"),
                                          ("Bruxelles", "het Brussels Hoofdstedelijk Gewest"),
                                          ("Ukkel", "het Brussels Hoofdstedelijk Gewest"),
                                          ("Moeskroen", "het Waals Gewest"), ("Liège", "het Waals Gewest")])
def test_brussels_and_walloon_municipalities_are_recognised_as_outside_flanders(name, region):
    match = matcher_for_version("2019").match(name)
    assert (match.kind, match.region, match.found) == (OUTSIDE_FLANDERS, region, False)
    assert match.suggestions == ()  # "Brussel" used to get Beersel, Ruiselede and Dessel


def test_a_misspelt_brussels_name_is_said_to_look_like_it_not_like_a_flemish_one():
    match = matcher_for_version("2019").match("Brusel")
    assert (match.kind, match.name, match.region) == (UNKNOWN, "Brussel", "het Brussels Hoofdstedelijk Gewest")
    assert match.suggestions == ()


@pytest.mark.parametrize("typo, expected", [
    ("Sint-Niklas", ("Sint-Niklaas",)), ("Sint Niklaass", ("Sint-Niklaas",)), ("St-Niklas", ("Sint-Niklaas",)),
    ("Knesselaere", ("Aalter (vroeger Knesselare)",)), ("Kneselare", ("Aalter (vroeger Knesselare)",)),
    ("Kortrik", ("Kortrijk",)), ("Gendt", ("Gent",)), ("Ninov", ("Ninove",)),
])
def test_suggestions_are_the_real_look_alikes_only(typo, expected):
    assert matcher_for_version("2019").match(typo).suggestions == expected


@pytest.mark.parametrize("typo, dutch", [("Courtray", "Kortrijk"), ("Saint-Nicolaas", "Sint-Niklaas"),
                                         ("Maline", "Mechelen")])
def test_a_french_name_is_never_offered_as_the_fix_its_dutch_name_is(typo, dutch):
    from geodata.municipalities import french_names_2019

    suggestions = matcher_for_version("2019").match(typo).suggestions
    assert dutch in suggestions
    assert not set(suggestions) & set(french_names_2019().values())


def test_a_french_name_still_reads_as_the_dutch_municipality():
    match = matcher_for_version("2019").match("Malines")
    assert (match.codes, match.name, match.kind) == (("12025",), "Mechelen", FRENCH)


def test_suggestions_rank_by_similarity_on_hand_made_names():
    matcher = MunicipalityMatcher({"1": "Abcdefgh", "2": "Abcdefxy", "3": "Zzzzzzzz"},
                                  [("Franse Naam", ("3",), FRENCH), ("Oudenaam", ("2",), FORMER)])
    assert matcher.match("Abcdefgx").suggestions == ("Abcdefgh", "Abcdefxy")  # best first, both close
    assert matcher.match("Franse Naan").suggestions == ("Zzzzzzzz",)  # the Dutch name of the French alias
    assert matcher.match("Oudenaan").suggestions == ("Abcdefxy (vroeger Oudenaam)",)
    assert matcher.match("Qqqq").suggestions == ()
