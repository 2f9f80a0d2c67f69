"""Reconcile a list of regisseurs (an official list, an analyst's upload) with the reconstruction, and check its
totals against the published facts. Pure functions: schemes and frames in, frames out.

Per municipality, the list and the reconstruction ("bij ons") are compared after matching each partnership of the
list to the reconstruction's partnership it shares the most members with (Jaccard index, one to one):

- **bevestigd**: the list puts it in the partnership matched to (one of) ours;
- **tegengesproken**: the list puts it in a partnership that is not the one we had it in (or we had it as not
  taking part);
- **nieuw**: the list has it, we had no membership for it (unknown);
- **ontbreekt**: we had it in a partnership, the list does not have it;
- **in geen van beide**: neither has it (unknown to us, and not on the list: for a complete official list, not
  taking part).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.formatting import format_number, format_percent, format_signed_number, is_missing

CONFIRMED, CONTRADICTED, NEW, MISSING, NEITHER = "bevestigd", "tegengesproken", "nieuw", "ontbreekt", "in_geen"
# Four categories in Okabe-Ito colours (distinguishable for every colour vision type), and a neutral grey.
CATEGORIES = (
    (CONFIRMED, "Bevestigd: zelfde verband als bij ons", "#009E73"),
    (CONTRADICTED, "Tegengesproken: bij ons in een ander verband", "#D55E00"),
    (NEW, "Nieuw: bij ons onbekend", "#0072B2"),
    (MISSING, "Ontbreekt: bij ons lid, niet in de lijst", "#E69F00"),
    (NEITHER, "In geen van beide", "#E8E8E8"),
)
CATEGORY_LABELS = {key: label for key, label, _ in CATEGORIES}
CATEGORY_COLOURS = {key: colour for key, _, colour in CATEGORIES}
CATEGORY_WORDS = {CONFIRMED: "bevestigd", CONTRADICTED: "tegengesproken", NEW: "nieuw", MISSING: "ontbreekt",
                  NEITHER: "in geen van beide"}

MUNICIPALITY_COLUMNS = ["nis", "name", "category", "list_partnerships", "our_partnerships", "note"]
PARTNERSHIP_COLUMNS = ["list_id", "list_name", "our_id", "our_name", "jaccard", "shared", "only_list", "only_ours",
                       "n_list", "n_ours"]


@dataclass(frozen=True)
class Reconciliation:
    """The comparison of a list with the reconstruction (see the module)."""

    municipalities: pd.DataFrame  # MUNICIPALITY_COLUMNS, one row per municipality of the map
    partnerships: pd.DataFrame  # PARTNERSHIP_COLUMNS, a row per list partnership and per unmatched one of ours

    @property
    def counts(self) -> dict[str, int]:
        """Municipalities per category (every category present, also with 0)."""
        found = self.municipalities["category"].value_counts()
        return {key: int(found.get(key, 0)) for key, _, _ in CATEGORIES}


def _members(scheme) -> dict[str, set[str]]:
    memberships = scheme.memberships[["partnership_id", "nis"]].dropna().drop_duplicates()
    members = {pid: set() for pid in scheme.partnerships["partnership_id"]}
    for pid, nis in zip(memberships["partnership_id"], memberships["nis"]):
        members.setdefault(pid, set()).add(nis)
    return members


def match_partnerships(listed, ours) -> pd.DataFrame:
    """Each partnership of `listed` matched one to one with the partnership of `ours` it shares most members with.

    Pairs are taken greedily by Jaccard index (shared members / members of either), highest first; a tie goes to
    the more similar name. Partnerships without a shared member stay unmatched. Returns PARTNERSHIP_COLUMNS: one
    row per partnership of the list (``our_id`` None when unmatched), then one per unmatched partnership of ours
    (``list_id`` None).
    """
    list_members, our_members = _members(listed), _members(ours)
    list_names = dict(zip(listed.partnerships["partnership_id"], listed.partnerships["name"]))
    our_names = dict(zip(ours.partnerships["partnership_id"], ours.partnerships["name"]))
    pairs = []
    for lid, members in list_members.items():
        for oid, theirs in our_members.items():
            shared = len(members & theirs)
            if shared:
                similarity = difflib.SequenceMatcher(None, str(list_names.get(lid, lid)).lower(),
                                                     str(our_names.get(oid, oid)).lower()).ratio()
                pairs.append((-shared / len(members | theirs), -similarity, str(lid), str(oid), lid, oid))
    pairs.sort()
    matched: dict = {}
    taken: set = set()
    for *_, lid, oid in pairs:
        if lid not in matched and oid not in taken:
            matched[lid] = oid
            taken.add(oid)
    rows = []
    for lid in listed.partnerships["partnership_id"]:
        members = list_members.get(lid, set())
        oid = matched.get(lid)
        theirs = our_members.get(oid, set()) if oid is not None else set()
        union = members | theirs
        rows.append({"list_id": lid, "list_name": list_names.get(lid), "our_id": oid, "our_name": our_names.get(oid),
                     "jaccard": len(members & theirs) / len(union) if union else 0.0,
                     "shared": len(members & theirs), "only_list": len(members - theirs),
                     "only_ours": len(theirs - members), "n_list": len(members), "n_ours": len(theirs)})
    for oid in ours.partnerships["partnership_id"]:
        if oid not in taken:
            theirs = our_members.get(oid, set())
            rows.append({"list_id": None, "list_name": None, "our_id": oid, "our_name": our_names.get(oid),
                         "jaccard": 0.0, "shared": 0, "only_list": 0, "only_ours": len(theirs), "n_list": 0,
                         "n_ours": len(theirs)})
    return pd.DataFrame(rows, columns=PARTNERSHIP_COLUMNS)


def reconcile(listed, ours, municipalities: pd.DataFrame) -> Reconciliation:
    """Compare the scheme `listed` (a list) with `ours` (the reconstruction) on `municipalities` (nis, name).

    Both schemes have ``partnerships``, ``memberships`` and ``non_participants`` on the codes of the map.
    """
    partnerships = match_partnerships(listed, ours)
    to_ours = {row.list_id: row.our_id for row in partnerships.itertuples() if row.list_id is not None}
    list_names = dict(zip(listed.partnerships["partnership_id"], listed.partnerships["name"]))
    our_names = dict(zip(ours.partnerships["partnership_id"], ours.partnerships["name"]))
    list_of = listed.memberships.groupby("nis")["partnership_id"].agg(lambda ids: sorted(set(ids))).to_dict()
    ours_of = ours.memberships.groupby("nis")["partnership_id"].agg(lambda ids: sorted(set(ids))).to_dict()
    our_non_participants = set(ours.non_participants["nis"]) if len(ours.non_participants) else set()
    list_non_participants = set(listed.non_participants["nis"]) if len(listed.non_participants) else set()

    rows = []
    for nis, name in zip(municipalities["nis"], municipalities["name"]):
        in_list, in_ours = list_of.get(nis, []), ours_of.get(nis, [])
        matched = {to_ours.get(pid) for pid in in_list} - {None}
        note = ""
        if not in_list and not in_ours:
            category = NEITHER
            if nis in our_non_participants:
                note = "bij ons: neemt niet deel"
        elif not in_list:
            category = MISSING
            if nis in list_non_participants:
                note = "volgens de lijst neemt de gemeente niet deel"
        elif not in_ours:
            category = CONTRADICTED if nis in our_non_participants else NEW
            if category == CONTRADICTED:
                note = "bij ons: neemt niet deel"
        elif matched & set(in_ours):
            category = CONFIRMED
            extra = [our_names.get(pid, pid) for pid in in_ours if pid not in matched]
            if extra:
                note = "bij ons ook in " + ", ".join(extra)
        else:
            category = CONTRADICTED
        rows.append({"nis": nis, "name": name, "category": category,
                     "list_partnerships": [list_names.get(pid, pid) for pid in in_list],
                     "our_partnerships": [our_names.get(pid, pid) for pid in in_ours], "note": note})
    return Reconciliation(pd.DataFrame(rows, columns=MUNICIPALITY_COLUMNS), partnerships)


def municipalities_table_nl(result: Reconciliation) -> pd.DataFrame:
    """The per-municipality comparison with Dutch headers, as shown and downloaded."""
    frame = result.municipalities
    return pd.DataFrame({
        "NIS": frame["nis"],
        "Gemeente": frame["name"],
        "Uitkomst": frame["category"].map(CATEGORY_WORDS),
        "Verband in de lijst": frame["list_partnerships"].map(lambda names: "; ".join(names) or "geen"),
        "Verband bij ons": frame["our_partnerships"].map(lambda names: "; ".join(names) or "onbekend"),
        "Toelichting": frame["note"],
    })


def partnerships_table_nl(result: Reconciliation) -> pd.DataFrame:
    """The partnership matching with Dutch headers: both names side by side, overlap as a percentage."""
    frame = result.partnerships
    return pd.DataFrame({
        "Verband in de lijst": frame["list_name"].where(frame["list_name"].notna(), "(niet in de lijst)"),
        "Verband bij ons": frame["our_name"].where(frame["our_name"].notna(), "(geen overeenkomst)"),
        "Overlap (%)": (frame["jaccard"] * 100).round(1),
        "Gemeenten samen": frame["shared"],
        "Alleen in de lijst": frame["only_list"],
        "Alleen bij ons": frame["only_ours"],
        "Gemeenten in de lijst": frame["n_list"],
        "Gemeenten bij ons": frame["n_ours"],
    })


# -------------------------------------------------------------------------------------------------------------
# Totals check
# -------------------------------------------------------------------------------------------------------------

TOTALS_COLUMNS = ["key", "label", "value", "official", "difference", "agrees", "sentence"]
LEGAL_FORM_LABELS = {
    "interlokale_vereniging": ("interlokale vereniging", "interlokale verenigingen"),
    "projectvereniging": ("projectvereniging", "projectverenigingen"),
    "dienstverlenende_vereniging": ("dienstverlenende vereniging", "dienstverlenende verenigingen"),
    "welzijnsvereniging": ("welzijnsvereniging", "welzijnsverenigingen"),
}
# The published population share is rounded ("about 89%"): within half a percentage point it agrees.
POPULATION_SHARE_TOLERANCE = 0.005


def _count_sentence(value: int, official: int, singular: str, plural: str) -> str:
    words = singular if value == 1 else plural
    if value == official:
        return f"{format_number(value)} {words}, zoals officieel."
    difference = value - official
    more = "meer" if difference > 0 else "minder"
    return (f"{format_number(value)} {words}: {format_number(abs(difference))} {more} dan de officiële "
            f"{format_number(official)}.")


def totals_check(kpis: pd.DataFrame, profiles: pd.DataFrame, partnerships: pd.DataFrame,
                 official: dict) -> pd.DataFrame:
    """The list's totals beside the published facts, each with its difference and one plain Dutch sentence.

    `kpis` are :func:`analysis.coverage.coverage_kpis` of the list (the dashboard's own definitions), `profiles`
    its partnership profiles (``population`` per partnership), `partnerships` its partnership table (legal forms)
    and `official` the published values by key (``geodata.membership.official_totals``). Legal forms are checked
    only when the list names at least one. Returns TOTALS_COLUMNS; ``agrees`` is a bool.
    """
    values = dict(zip(kpis["kpi"], kpis["value"]))
    rows = []

    def add(key, label, value, official_value, agrees, sentence):
        difference = (value - official_value) if not is_missing(value) and not is_missing(official_value) else np.nan
        rows.append({"key": key, "label": label, "value": value, "official": official_value,
                     "difference": difference, "agrees": bool(agrees), "sentence": sentence})

    counts = (
        ("regie_entities", "Regisseurs", "regisseur", "regisseurs"),
        ("partnerships", "Samenwerkingsverbanden", "samenwerkingsverband", "samenwerkingsverbanden"),
        ("with_centre_city", "Verbanden met een centrumstad", "verband met een centrumstad",
         "verbanden met een centrumstad"),
        ("standalone_cities", "Centrumsteden alleen", "centrumstad die de regierol alleen opneemt",
         "centrumsteden die de regierol alleen opnemen"),
    )
    for key, label, singular, plural in counts:
        if key in official and key in values:
            value, target = int(values[key]), int(official[key])
            add(key, label, value, target, value == target, _count_sentence(value, target, singular, plural))
    if "municipalities" in official and "municipalities" in values:
        value, target = int(values["municipalities"]), int(official["municipalities"])
        add("municipalities", "Deelnemende gemeenten", value, target, value == target,
            _municipalities_sentence(value, target, int(values.get("total_municipalities", 0))))
    if "population_share" in official and not is_missing(values.get("population_share")):
        value, target = float(values["population_share"]), float(official["population_share"])
        agrees = abs(value - target) <= POPULATION_SHARE_TOLERANCE
        sentence = (f"{format_percent(value)} van de bevolking woont in een deelnemende gemeente; officieel ongeveer "
                    f"{format_percent(target, 0)}" + (", dat klopt." if agrees else
                                                      f" ({format_signed_number(100 * (value - target), 1)} "
                                                      "procentpunt)."))
        add("population_share", "Aandeel van de bevolking", value, target, agrees, sentence)
    sizes = profiles.loc[~profiles["standalone"].fillna(False).astype(bool), ["name", "population"]].dropna()
    # The published size range: the smallest and the largest partnership, each against its bound.
    for key, label, extreme, bound, word, outside in (
            ("min_partnership_population", "Kleinste verband (inwoners)", "Kleinste", "minimum", "onder", -1),
            ("max_partnership_population", "Grootste verband (inwoners)", "Grootste", "maximum", "boven", 1)):
        if key not in official or not len(sizes):
            continue
        target = float(official[key])
        beyond = sizes[(sizes["population"] - target) * outside > 0].sort_values("population",
                                                                                ascending=outside < 0)
        value = float(sizes["population"].min() if outside < 0 else sizes["population"].max())
        sentence = (f"{extreme} verband: {format_number(value)} inwoners, zoals officieel." if value == target
                    else f"Geen verband {word} het officiële {bound} van {format_number(target)} inwoners; het "
                         f"{extreme.lower()} heeft er {format_number(value)}." if beyond.empty
                    else f"{len(beyond)} {'verband' if len(beyond) == 1 else 'verbanden'} {word} het officiële "
                         f"{bound} van {format_number(target)} inwoners: " + _named_sizes(beyond) + ".")
        add(key, label, value, target, beyond.empty, sentence)
    forms = partnerships.loc[~partnerships["standalone"].fillna(False).astype(bool), "legal_form"]
    forms = pd.Series(["" if is_missing(value) else str(value) for value in forms], dtype=object)
    if forms.ne("").any():  # the list names legal forms: check them
        official_forms = {singular for singular, _ in LEGAL_FORM_LABELS.values()}
        for form, (singular, plural) in LEGAL_FORM_LABELS.items():
            key = f"legal_form_{form}"
            if key in official:
                value, target = int((forms == singular).sum()), int(official[key])
                add(key, f"Rechtsvorm: {plural}", value, target, value == target,
                    _count_sentence(value, target, singular, plural))
        unnamed, other = int(forms.eq("").sum()), sorted(set(forms) - official_forms - {""})
        if unnamed or other:
            parts = ([f"{unnamed} zonder rechtsvorm"] if unnamed else []) + \
                    ([f"andere rechtsvorm: {', '.join(other)}"] if other else [])
            add("legal_form_other", "Rechtsvorm: andere of niet vermeld", int((~forms.isin(official_forms)).sum()),
                0, False, "Verbanden buiten de vier officiële rechtsvormen: " + "; ".join(parts) + ".")
    return pd.DataFrame(rows, columns=TOTALS_COLUMNS)


def _municipalities_sentence(value: int, target: int, total: int) -> str:
    of = f" van de {format_number(total)}" if total else ""
    if value == target:
        return f"{format_number(value)}{of} gemeenten nemen deel, zoals officieel."
    difference = value - target
    return (f"{format_number(value)}{of} gemeenten nemen deel: {format_number(abs(difference))} "
            f"{'meer' if difference > 0 else 'minder'} dan de officiële {format_number(target)}.")


def _named_sizes(frame: pd.DataFrame, limit: int = 5) -> str:
    items = [f"{name} ({format_number(population)})" for name, population in zip(frame["name"], frame["population"])]
    return ", ".join(items[:limit]) + (f" en {len(items) - limit} andere" if len(items) > limit else "")


def totals_table_nl(check: pd.DataFrame) -> pd.DataFrame:
    """The totals check with Dutch headers; the population share in % (0-100)."""
    share = check["key"] == "population_share"
    scale = share.map({True: 100.0, False: 1.0})
    return pd.DataFrame({
        "Kerncijfer": check["label"],
        "In de lijst": [round(v, 1) if s else v for v, s in zip(pd.to_numeric(check["value"]) * scale, share)],
        "Officieel": [round(v, 1) if s else v for v, s in zip(pd.to_numeric(check["official"]) * scale, share)],
        "Verschil": [round(v, 1) if s else v for v, s in zip(pd.to_numeric(check["difference"]) * scale, share)],
        "Klopt": check["agrees"].map({True: "ja", False: "nee"}),
        "Uitleg": check["sentence"],
    })
