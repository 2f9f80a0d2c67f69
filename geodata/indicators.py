"""Labour-market and population indicators per municipality: the model, the catalogue and the loaders.

Long format
-----------
Every indicator value is one row of a *long* table with the columns of :data:`LONG_COLUMNS`:

``nis``            NIS code of a municipality on the map the table is for (see ``keyed_on`` below);
``indicator_id``   an id of :data:`CATALOGUE` (or ``upload:...`` for an analyst's upload);
``year``           the reference year (int);
``value``          float; NaN when the value is not known;
``unit``           the unit as shown to the user ("personen", "%", "km²", "inwoners per km²");
``source``         the attribution line of the source ("Bron: VDAB, Provincies in Cijfers");
``flag``           why a value is or is not there: :data:`FLAG_OK`, :data:`FLAG_MISSING` (the source has no value,
                   ``-``/``n.b.``/empty), :data:`FLAG_SUPPRESSED` (the source hides it, ``x``: small numbers),
                   :data:`FLAG_APPROXIMATE` (on the 2019-2024 map: the figure of the 2025 merged municipality,
                   standing for its largest 2019 part) or :data:`FLAG_MERGED` (on the 2019-2024 map: a smaller part
                   of a 2025 merged municipality, whose figure sits in the largest part).

A missing or suppressed value is a row with ``value`` NaN and its flag, never a 0 and never an estimate. The only
approximation is the merger rule below, and it is always flagged.

The catalogue
-------------
:data:`CATALOGUE` lists every indicator that has a source (the indicators without one - leefloners,
niet-beroepsactieven, werkzaamheidsgraad - are deliberately absent; analysts can upload them). Each entry says its
kind: ``count`` (an additive quantity: persons, km²; groups are summed), ``rate`` (``scale * numerator /
denominator``) or ``density`` (numerator per unit of the denominator). A rate or density of a group of
municipalities is always **recomputed** from the summed numerator and the summed denominator, never averaged from
the municipal rates. A rate whose numerator and denominator are not both available (the werkzoekendengraad of men,
women and age groups: the source gives the rate only) can be mapped per municipality but not aggregated.

Sources and what was done with them
-----------------------------------
* **Jobseekers** (``jobseekers_xlsx``: VDAB via Provincies in Cijfers, 2014-2024). A portal export keyed by the
  municipality *name* of the 2025 map (285 rows), with a title row, a two-row header (indicator over year) and
  footnotes; it is read by the same parser as an analyst's upload (:mod:`geodata.indicator_upload`), names matched
  with :func:`geodata.names.matcher_for_version`. It gives ``nwwz`` (niet-werkende werkzoekenden, annual average, a
  count) and the werkzoekendengraad (total, men, women, 18-24, 25-59, 60-64), which the workbook stores as
  fractions in percent-formatted cells (0.081 shown as 8,1%); they are kept in percent (8.1). The workbook marks
  hidden values with ``x`` (kept as :data:`FLAG_SUPPRESSED`, e.g. Herstappe's NWWZ 2022-2024) and absent ones with
  ``-`` (:data:`FLAG_MISSING`, e.g. Herstappe's NWWZ 2014-2019 and 2021).

  *Derived denominator.* The werkzoekendengraad is NWWZ divided by the labour force (beroepsbevolking), but the
  file does not give the labour force. To recompute the rate of a group honestly we derive, per municipality and
  year, the labour force the file implies: ``beroepsbevolking = nwwz / (werkzoekendengraad / 100)``. It is in the
  catalogue as ``beroepsbevolking`` with ``derived=True`` and is used only as the denominator of the rate. The group
  rate ``100 * sum(nwwz) / sum(beroepsbevolking)`` then equals the rate VDAB would publish for that group, up to
  rounding: the file rounds the rate to 0.1 percentage point, so each derived labour force is uncertain by up to
  ``0.05 / rate`` (0.6% at a rate of 8%, 2.5% at 2%); for a group these errors largely cancel. When the rate is 0
  or NWWZ is missing, suppressed or 0 with a rate of 0 (0/0), the labour force is not derived (NaN, flag of the
  missing input or :data:`FLAG_MISSING`) - and that municipality is then left out of both sums, which the
  aggregate reports.

* **Population** (``population_parquet``: Statbel, 1 January, 2009-2025). The file holds 2019-2024 on the 2019
  codes, 2025 on the 2025 codes and 2009-2018 on the codes before the 2019 mergers. On the 2019 map: 2019-2024
  directly; 2009-2018 directly for the 293 municipalities that did not merge in 2019, and summed over the former
  municipalities (by name, ``geodata/data/former_municipalities_2019.csv``) for the 7 formed on 1 January 2019;
  2025 directly for the 272 municipalities that did not merge in 2025, and for the 28 that merged by the merger
  rule (see "Boundary versions"). On the 2025 map: 2025 directly; earlier years summed over the 2019 parts (population is a
  count, so summing parts is exact).

* **Area** (the municipality layers of :mod:`geodata.municipalities`, EPSG:31370): the area of each municipality
  within the boundaries of the map, repeated for every population year so ``bevolkingsdichtheid = bevolking /
  oppervlakte`` pairs numerator and denominator of the same year.

Boundary versions
-----------------
``keyed_on`` in the catalogue says on which map the source gives values. :func:`indicator_values` gives every
indicator on the requested map: on the 2025 map the jobseekers' values directly; on the 2019-2024 map the 272
municipalities that did not merge in 2025 take their values directly. For the 28 that merged the source only has
their 13 successors, and one rule (:mod:`geodata.crosswalk`: :func:`~geodata.crosswalk.on_2019_map`,
:func:`~geodata.crosswalk.aggregation_units`) is used by every page, table,
export and the command line:

* the merged municipality's figure is attributed to its **largest** 2019 part (inhabitants on 1 January 2020),
  flagged :data:`FLAG_APPROXIMATE` (e.g. Antwerpen 11002 carries the figure of Antwerpen + Borsbeek);
* the other parts have no figure of their own (:data:`FLAG_MERGED`, "cijfer zit in Antwerpen (fusie 2025)");
  dividing a successor's value over its parts would invent numbers;
* a group of municipalities gets the whole figure - a count, or a rate's numerator *and* denominator - when it
  contains the largest part. When all parts are in the group that is exact; when they are not, the group value is
  an approximation and :func:`analysis.indicators.aggregate` says so. Groups that partition the map therefore add
  up to the total, over exactly the same municipalities.

:func:`geodata.crosswalk.merger_notes` gives the Dutch explanation per municipality.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from geodata.crosswalk import aggregation_units, on_2019_map, successors
from geodata.fetch import fetch_path
from geodata.indicator_model import (
    COUNT,
    DENSITY,
    FLAG_APPROXIMATE,
    FLAG_MISSING,
    FLAG_OK,
    LONG_COLUMNS,
    RATE,
    VALUE_FLAGS,
    Indicator,
)
from geodata.indicator_upload import read_indicator_upload
from geodata.municipalities import is_flemish, load_municipalities, normalise_nis
from geodata.names import former_municipalities_2019
from geodata.sources import SOURCES
from geodata.uploads import has_errors

JOBSEEKERS = "jobseekers_xlsx"
POPULATION = "population_parquet"
AREA_SOURCE = {"2019": "gemeente2024.shp", "2025": "gemeente2025.shp"}
_VDAB = "VDAB via Provincies in Cijfers, 2014-2024, jaargemiddelde; gegeven per gemeente van 2025."
_NOT_AGGREGATABLE = (" De bron geeft alleen de graad (geen teller en noemer), dus voor een groep gemeenten kan ze "
                     "niet herberekend worden en wordt ze niet getoond.")

_ENTRIES = (
    Indicator("nwwz", "Niet-werkende werkzoekenden (jaargemiddelde)", "personen", COUNT,
              "Aantal niet-werkende werkzoekenden (NWWZ), gemiddelde over het jaar. " + _VDAB,
              JOBSEEKERS, "2025", higher_is_worse=True),
    Indicator("werkzoekendengraad", "Werkzoekendengraad (jaargemiddelde)", "%", RATE,
              "Niet-werkende werkzoekenden als % van de beroepsbevolking. " + _VDAB + " Voor een groep gemeenten "
              "herberekend als 100 × som NWWZ / som beroepsbevolking (afgeleid).",
              JOBSEEKERS, "2025", numerator="nwwz", denominator="beroepsbevolking", scale=100.0,
              higher_is_worse=True, decimals=1),
    Indicator("beroepsbevolking", "Beroepsbevolking (afgeleid)", "personen", COUNT,
              "Afgeleid door Regiekaart: NWWZ / werkzoekendengraad, per gemeente en jaar. De bron geeft de "
              "beroepsbevolking niet; de graad is afgerond op 0,1 procentpunt, dus dit getal is een benadering "
              "(onzekerheid tot 0,05 / graad, bv. 0,6% bij 8%). Alleen bedoeld als noemer van de werkzoekendengraad.",
              JOBSEEKERS, "2025", derived=True),
    *(
        Indicator(f"werkzoekendengraad_{suffix}", f"Werkzoekendengraad {label} (jaargemiddelde)", "%", RATE,
                  f"Niet-werkende werkzoekenden {label} als % van de beroepsbevolking {label}. " + _VDAB
                  + _NOT_AGGREGATABLE, JOBSEEKERS, "2025", higher_is_worse=True, decimals=1)
        for suffix, label in (("mannen", "mannen"), ("vrouwen", "vrouwen"), ("18_24", "18-24 jaar"),
                              ("25_59", "25-59 jaar"), ("60_64", "60-64 jaar"))
    ),
    Indicator("bevolking", "Bevolking op 1 januari", "inwoners", COUNT,
              "Inwoners op 1 januari (Statbel), 2009-2025. Op de kaart 2025 zijn jaren vóór 2025 opgeteld over de "
              "deelgemeenten; op de kaart 2019-2024 zijn 2009-2018 opgeteld over de gemeenten van vóór de fusies "
              "van 2019.", POPULATION, "2019+2025"),
    Indicator("oppervlakte", "Oppervlakte", "km²", COUNT,
              "Oppervlakte binnen de grenzen van de gekozen kaart (Lambert 72), herhaald voor elk jaar met "
              "bevolkingscijfers.", None, "kaart", decimals=1),
    Indicator("bevolkingsdichtheid", "Bevolkingsdichtheid", "inwoners per km²", DENSITY,
              "Inwoners op 1 januari per km². Voor een groep: som inwoners / som oppervlakte.", None, "kaart",
              numerator="bevolking", denominator="oppervlakte", decimals=0, derived=True),
)
CATALOGUE: dict[str, Indicator] = {entry.id: entry for entry in _ENTRIES}

# Header texts of the jobseekers workbook (unit and footnote marks removed by the parser) -> catalogue id.
JOBSEEKER_LABELS = {
    "werkzoekenden zonder werk (jaargemiddelde)": "nwwz",
    "werkzoekendengraad (jaargemiddelde)": "werkzoekendengraad",
    "werkzoekendengraad mannen (jaargemiddelde)": "werkzoekendengraad_mannen",
    "werkzoekendengraad vrouwen (jaargemiddelde)": "werkzoekendengraad_vrouwen",
    "werkzoekendengraad 18-24 jaar (jaargemiddelde)": "werkzoekendengraad_18_24",
    "werkzoekendengraad 25-59 jaar (jaargemiddelde)": "werkzoekendengraad_25_59",
    "werkzoekendengraad 60-64 jaar (jaargemiddelde)": "werkzoekendengraad_60_64",
}


def catalogue_frame(catalogue: dict[str, Indicator] | None = None) -> pd.DataFrame:
    """The catalogue as a table (one row per indicator), e.g. for the data page."""
    entries = (catalogue or CATALOGUE).values()
    return pd.DataFrame([{
        "id": entry.id, "label": entry.label, "unit": entry.unit, "kind": entry.kind,
        "numerator": entry.numerator, "denominator": entry.denominator, "scale": entry.scale,
        "higher_is_worse": entry.higher_is_worse, "derived": entry.derived, "aggregatable": entry.aggregatable,
        "source_key": entry.source_key, "source": entry.source, "keyed_on": entry.keyed_on,
        "description": entry.description,
    } for entry in entries])


def _long(nis, indicator_id: str, year, value, flag, source: str | None = None) -> pd.DataFrame:
    entry = CATALOGUE[indicator_id]
    frame = pd.DataFrame({"nis": nis, "year": year, "value": value, "flag": flag})
    frame.insert(1, "indicator_id", indicator_id)
    frame["value"] = frame["value"].astype(float)
    frame["year"] = frame["year"].astype(int)
    frame["unit"] = entry.unit
    frame["source"] = source if source is not None else entry.source
    return frame[LONG_COLUMNS]


# --- jobseekers ------------------------------------------------------------------------------------------------

class SourceFormatError(ValueError):
    """A registered source no longer has the layout Regiekaart was written for."""


@lru_cache(maxsize=1)
def _jobseekers_2025() -> pd.DataFrame:
    path = fetch_path(JOBSEEKERS)
    parsed, problems = read_indicator_upload(path.read_bytes(), path.name, "2025")
    if parsed is None or has_errors(problems):
        details = "; ".join(f"rij {p.row} kolom {p.column}: {p.message}" for p in problems if p.is_error)
        raise SourceFormatError(f"{path.name} kon niet gelezen worden: {details}")
    parsed = parsed[parsed["label"].isin(JOBSEEKER_LABELS)].copy()
    found = set(parsed["label"])
    if found != set(JOBSEEKER_LABELS):
        raise SourceFormatError(f"{path.name}: kolommen ontbreken: {sorted(set(JOBSEEKER_LABELS) - found)}")
    parsed["indicator_id"] = parsed["label"].map(JOBSEEKER_LABELS)
    frames = [_long(group["nis"], indicator_id, group["year"], group["value"], group["flag"])
              for indicator_id, group in parsed.groupby("indicator_id")]
    values = pd.concat(frames, ignore_index=True)
    return pd.concat([values, _derived_labour_force(values)], ignore_index=True)


def _derived_labour_force(values: pd.DataFrame) -> pd.DataFrame:
    """beroepsbevolking = nwwz / (werkzoekendengraad / 100), per municipality and year (see module docstring)."""
    keys = ["nis", "year"]
    count = values[values["indicator_id"] == "nwwz"].set_index(keys)[["value", "flag"]]
    rate = values[values["indicator_id"] == "werkzoekendengraad"].set_index(keys)[["value", "flag"]]
    joined = count.merge(rate, how="outer", left_index=True, right_index=True, suffixes=("_n", "_r"))
    joined["flag_n"] = joined["flag_n"].fillna(FLAG_MISSING)
    joined["flag_r"] = joined["flag_r"].fillna(FLAG_MISSING)
    usable = (joined["flag_n"] == FLAG_OK) & (joined["flag_r"] == FLAG_OK) & (joined["value_r"] > 0)
    labour = np.where(usable, joined["value_n"] / (joined["value_r"] / 100.0), np.nan)
    flag = np.where(usable, FLAG_OK, np.where(joined["flag_n"] != FLAG_OK, joined["flag_n"],
                                              np.where(joined["flag_r"] != FLAG_OK, joined["flag_r"], FLAG_MISSING)))
    joined = joined.reset_index()
    return _long(joined["nis"], "beroepsbevolking", joined["year"], labour, flag)


def load_jobseekers() -> pd.DataFrame:
    """The jobseeker indicators (and the derived labour force) in long format, keyed on the 2025 codes."""
    return _jobseekers_2025().copy()


# --- population and area ---------------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _population_source() -> pd.DataFrame:
    frame = pd.read_parquet(fetch_path(POPULATION), columns=["year", "CD_REFNIS", "TX_DESCR_NL", "total"])
    frame = frame.rename(columns={"CD_REFNIS": "nis", "TX_DESCR_NL": "name", "total": "value"})
    frame["nis"] = frame["nis"].map(normalise_nis)
    frame = frame[frame["nis"].map(is_flemish)].copy()
    frame["year"] = frame["year"].astype(int)
    return frame.reset_index(drop=True)


@lru_cache(maxsize=2)
def _population(version: str) -> pd.DataFrame:
    source = _population_source()
    codes_2019 = set(load_municipalities("2019")["nis"])
    codes_2025 = set(load_municipalities("2025")["nis"])
    to_2025 = successors()
    former = dict(zip(former_municipalities_2019()["former_name"], former_municipalities_2019()["nis_2019"]))

    before_2019 = source[source["year"] < 2019].copy()
    unknown = ~before_2019["nis"].isin(codes_2019) & ~before_2019["name"].isin(former)
    if unknown.any():
        raise SourceFormatError(f"{POPULATION}: onbekende gemeenten vóór 2019: "
                                f"{sorted(set(before_2019.loc[unknown, 'name']))}")
    before_2019["nis"] = before_2019["nis"].where(before_2019["nis"].isin(codes_2019),
                                                  before_2019["name"].map(former))
    on_2019 = pd.concat([before_2019, source[source["year"].between(2019, 2024)]])
    on_2019 = on_2019.groupby(["nis", "year"], as_index=False)["value"].sum()
    on_2019["flag"] = FLAG_OK
    latest = source[source["year"] >= 2025]

    if version == "2019":
        latest = on_2019_map(latest.assign(flag=FLAG_OK)[["nis", "year", "value", "flag"]])
        result = pd.concat([on_2019, latest[["nis", "year", "value", "flag"]]], ignore_index=True)
    elif version == "2025":
        summed = on_2019.assign(nis=on_2019["nis"].map(to_2025)).groupby(["nis", "year"], as_index=False)["value"].sum()
        summed["flag"] = FLAG_OK
        result = pd.concat([summed, latest.assign(flag=FLAG_OK)[["nis", "year", "value", "flag"]]], ignore_index=True)
        result = result[result["nis"].isin(codes_2025)]
    else:
        raise ValueError(f"Onbekende grensversie {version!r}")
    result = result.sort_values(["year", "nis"]).reset_index(drop=True)
    return _long(result["nis"], "bevolking", result["year"], result["value"], result["flag"])


def load_population(version: str) -> pd.DataFrame:
    """Population on 1 January, 2009-2025, on the map of `version` (long format; see the module docstring)."""
    return _population(version).copy()


def load_area(version: str, years) -> pd.DataFrame:
    """Area (km²) of each municipality of the map, one row per year in `years` (the same value every year)."""
    layer = load_municipalities(version)
    years = sorted({int(year) for year in years})
    nis = np.repeat(layer["nis"].to_numpy(), len(years))
    year = np.tile(years, len(layer))
    area = np.repeat(layer["area_km2"].to_numpy(dtype=float), len(years))
    source = SOURCES[AREA_SOURCE[version]].attribution
    return _long(nis, "oppervlakte", year, area, FLAG_OK, source=source)


def density(population: pd.DataFrame, area: pd.DataFrame, units: pd.DataFrame | None = None) -> pd.DataFrame:
    """bevolkingsdichtheid = bevolking / oppervlakte per municipality and year (NaN when either is missing).

    A population that is a 2025 merged municipality's figure standing for its largest 2019 part
    (:data:`FLAG_APPROXIMATE`) is divided by the area of all the parts (``units``, see :func:`aggregation_units`):
    numerator and denominator go with the largest part together, so its density is the merged municipality's.
    """
    keys = ["nis", "year"]
    area = area.copy()
    if units is not None:
        unit_of, holder_of = dict(zip(units["nis"], units["unit_nis"])), dict(zip(units["nis"], units["holder"]))
        unit_area = area.assign(unit_nis=area["nis"].map(unit_of)).groupby(["unit_nis", "year"])["value"].sum()
        whole = pd.Series(unit_area.reindex(list(zip(area["nis"].map(unit_of), area["year"]))).to_numpy(),
                          index=area.index)
        area["unit_value"] = whole.where(area["nis"].map(holder_of) == area["nis"])
    else:
        area["unit_value"] = np.nan
    joined = population.set_index(keys)[["value", "flag"]].merge(
        area.set_index(keys)[["value", "flag", "unit_value"]], how="inner", left_index=True, right_index=True,
        suffixes=("_p", "_a"))
    approximate = (joined["flag_p"] == FLAG_APPROXIMATE) & joined["unit_value"].notna()
    divisor = joined["value_a"].where(~approximate, joined["unit_value"])
    usable = ((joined["flag_p"] == FLAG_OK) | approximate) & (joined["flag_a"] == FLAG_OK) & (divisor > 0)
    value = np.where(usable, joined["value_p"] / divisor, np.nan)
    flag = np.where(usable, joined["flag_p"],
                    np.where(~joined["flag_p"].isin(VALUE_FLAGS), joined["flag_p"],
                             np.where(joined["flag_a"] != FLAG_OK, joined["flag_a"], FLAG_MISSING)))
    joined = joined.reset_index()
    source = "Bron: Statbel (bevolking); Provincies in Cijfers, Statbel (grenzen)"
    return _long(joined["nis"], "bevolkingsdichtheid", joined["year"], value, flag, source=source)


# --- everything on one map ----------------------------------------------------------------------------------

def jobseekers_on(version: str) -> pd.DataFrame:
    """The jobseeker indicators on the map of `version` (see "Boundary versions" in the module docstring)."""
    values = load_jobseekers()
    if version == "2025":
        return values
    if version != "2019":
        raise ValueError(f"Onbekende grensversie {version!r}")
    return on_2019_map(values)[LONG_COLUMNS]


@lru_cache(maxsize=2)
def _indicator_values(version: str) -> pd.DataFrame:
    population = load_population(version)
    area = load_area(version, population["year"].unique())
    frame = pd.concat([jobseekers_on(version), population, area,
                       density(population, area, aggregation_units(version))], ignore_index=True)
    return frame.sort_values(["indicator_id", "year", "nis"]).reset_index(drop=True)


def indicator_values(version: str) -> pd.DataFrame:
    """Every catalogue indicator on the map of `version` ("2019" or "2025"), in long format."""
    return _indicator_values(version).copy()
