"""The dashboard's filters as pure functions: which partnerships and municipalities a view shows.

Filters combine with AND:
- province: only municipalities of that province (a partnership stays in view when one of its members is);
- referentieregio: only municipalities of that region (same rule), given the region membership table;
- centre city: "alle", "met" (partnerships with a centre city, and the standalone centre cities), "zonder",
  or a NIS code (the partnership(s) that centre city belongs to);
- partnership: one partnership id.
With the centre city on "alle" and no partnership chosen, non-covered municipalities stay in view, so gaps
remain visible; otherwise the view is the members of the chosen partnerships.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analysis.coverage import member_counts, partnerships_without_members

ALL = "alle"
WITH_CENTRE = "met"
WITHOUT_CENTRE = "zonder"


@dataclass(frozen=True)
class Selection:
    province: str = ALL
    centre: str = ALL
    partnership: str = ALL
    region: str = ALL  # a referentieregio id such as "REFREG06"

    @property
    def is_everything(self) -> bool:
        return self.province == ALL and self.centre == ALL and self.partnership == ALL and self.region == ALL


def _has_centre(partnerships: pd.DataFrame) -> pd.Series:
    return partnerships["centre_city_nis"].notna() & partnerships["centre_city_nis"].astype(str).str.len().gt(0)


def selected_partnerships(partnerships: pd.DataFrame, memberships: pd.DataFrame, selection: Selection) -> list[str]:
    """Partnership ids that pass the centre-city and partnership filters (province is applied to members)."""
    keep = pd.Series(True, index=partnerships.index)
    if selection.centre == WITH_CENTRE:
        keep &= _has_centre(partnerships)
    elif selection.centre == WITHOUT_CENTRE:
        keep &= ~_has_centre(partnerships)
    elif selection.centre != ALL:
        with_city = set(memberships.loc[memberships["nis"] == selection.centre, "partnership_id"])
        keep &= partnerships["partnership_id"].isin(with_city) | (partnerships["centre_city_nis"] == selection.centre)
    if selection.partnership != ALL:
        keep &= partnerships["partnership_id"] == selection.partnership
    return partnerships.loc[keep, "partnership_id"].tolist()


def selected_municipalities(municipalities: pd.DataFrame, partnerships: pd.DataFrame, memberships: pd.DataFrame,
                            selection: Selection, regions: pd.DataFrame | None = None) -> pd.Series:
    """Boolean mask over `municipalities` of those in view.

    `regions` (region_id, nis) is needed for a referentieregio filter; without it that filter keeps nothing.
    """
    mask = pd.Series(True, index=municipalities.index)
    if selection.province != ALL:
        mask &= municipalities["province"] == selection.province
    if selection.region != ALL:
        in_region = set() if regions is None else set(regions.loc[regions["region_id"] == selection.region, "nis"])
        mask &= municipalities["nis"].isin(in_region)
    if selection.centre != ALL or selection.partnership != ALL:
        ids = set(selected_partnerships(partnerships, memberships, selection))
        members = set(memberships.loc[memberships["partnership_id"].isin(ids), "nis"])
        mask &= municipalities["nis"].isin(members)
    return mask


def centre_cities(partnerships: pd.DataFrame) -> dict[str, str]:
    """Centre cities named in the partnerships table: nis -> name, sorted by name."""
    rows = partnerships.loc[_has_centre(partnerships), ["centre_city_nis", "centre_city"]].drop_duplicates()
    return dict(sorted(zip(rows["centre_city_nis"], rows["centre_city"]), key=lambda item: str(item[1])))


def region_names(regions: pd.DataFrame) -> dict[str, str]:
    """Referentieregio's in the table: region_id -> name, sorted by name."""
    pairs = regions.drop_duplicates("region_id")[["region_id", "region_name"]]
    return dict(sorted(zip(pairs["region_id"], pairs["region_name"]), key=lambda item: str(item[1])))


def chosen_partnerships(partnerships: pd.DataFrame, memberships: pd.DataFrame, selection: Selection) -> list[str] | None:
    """The partnerships a centre-city or partnership filter selects; None when neither filter is set.

    Under such a filter only these partnerships count (`analysis.coverage.counted_partnership_ids`), even where a
    municipality in view also belongs to another one.
    """
    if selection.centre == ALL and selection.partnership == ALL:
        return None
    return selected_partnerships(partnerships, memberships, selection)


def codes_in_area(municipalities: pd.DataFrame, selection: Selection, regions: pd.DataFrame | None = None) -> set[str]:
    """The municipalities the province and referentieregio filters keep (the other filters not applied)."""
    area = Selection(province=selection.province, region=selection.region)
    return set(municipalities.loc[selected_municipalities(municipalities, partnerships=None, memberships=None,
                                                          selection=area, regions=regions), "nis"])


def region_choices(municipalities: pd.DataFrame, regions: pd.DataFrame, province: str) -> list[str]:
    """Referentieregio ids with at least one municipality in `province` (all regions without a province filter)."""
    if regions is None:
        return []
    codes = set(municipalities["nis"]) if province == ALL else \
        set(municipalities.loc[municipalities["province"] == province, "nis"])
    return list(dict.fromkeys(regions.loc[regions["nis"].isin(codes), "region_id"]))


def centre_choices(municipalities: pd.DataFrame, partnerships: pd.DataFrame, memberships: pd.DataFrame,
                   selection: Selection, regions: pd.DataFrame | None = None) -> list[str]:
    """Centre-city filter values that select something within the province and referentieregio of `selection`:
    "alle", "met", "zonder" and the NIS codes of centre cities, each only when it keeps at least one municipality.

    The same rule as `selected_partnerships` per value, on plain sets: the sidebar asks this on every run, and a
    pandas selection per centre city cost about half of a run's CPU."""
    area = codes_in_area(municipalities, selection, regions)
    ids = partnerships["partnership_id"].tolist()
    with_centre = dict(zip(ids, _has_centre(partnerships).tolist()))
    centre_of = dict(zip(ids, partnerships["centre_city_nis"].tolist()))
    member_pairs = list(zip(memberships["nis"].tolist(), memberships["partnership_id"].tolist()))
    in_area = {pid for nis, pid in member_pairs if nis in area and pid in with_centre}
    choices = [ALL]
    if any(with_centre[pid] for pid in in_area):
        choices.append(WITH_CENTRE)
    if any(not with_centre[pid] for pid in in_area):
        choices.append(WITHOUT_CENTRE)
    for city in centre_cities(partnerships):
        # As selected_partnerships(Selection(centre=city)): the partnerships the city is a member of or centre of.
        selected = {pid for nis, pid in member_pairs if nis == city} | {pid for pid in ids if centre_of[pid] == city}
        if selected & in_area:
            choices.append(city)
    return choices


def partnership_choices(municipalities: pd.DataFrame, partnerships: pd.DataFrame, memberships: pd.DataFrame,
                        selection: Selection, regions: pd.DataFrame | None = None) -> list[str]:
    """Partnership ids the partnership filter can offer given the other filters of `selection`: those the
    centre-city filter selects with at least one member in the province and referentieregio.

    Partnerships without any member on the map are offered too (as "zonder gekende leden") while no province or
    referentieregio is chosen: choosing one explains why it is not on the map.
    """
    area = codes_in_area(municipalities, selection, regions)
    allowed = set(selected_partnerships(partnerships, memberships, Selection(centre=selection.centre)))
    with_members_here = set(member_counts(memberships, area))
    memberless = set(partnerships_without_members(partnerships, memberships, municipalities["nis"])) \
        if selection.province == ALL and selection.region == ALL else set()
    return [pid for pid in partnerships["partnership_id"].tolist()
            if pid in allowed and (pid in with_members_here or pid in memberless)]


def memberless_explanation(partnerships: pd.DataFrame, partnership_id: str) -> str:
    """Why a partnership without known members is not on the map and not counted (Dutch)."""
    row = partnerships.loc[partnerships["partnership_id"] == partnership_id]
    name = str(row["name"].iloc[0]) if len(row) else partnership_id
    text = (f"{name} heeft geen gekende leden: de bronnen noemen het verband, maar niet welke gemeenten deelnemen. "
            "Het staat daarom niet op de kaart en telt niet mee in de aantallen verbanden.")
    notes = row["notes"].iloc[0] if len(row) and "notes" in row.columns else None
    if isinstance(notes, str) and notes.strip():
        text += f" Toelichting bij de gegevens: {notes.strip()}"
    return text


def empty_selection_reason(partnerships: pd.DataFrame, memberships: pd.DataFrame, municipalities: pd.DataFrame,
                           selection: Selection, filter_text: str) -> str:
    """Why the filters of `selection` keep no municipality, in Dutch (`filter_text`: the filters in words)."""
    if selection.partnership != ALL and selection.partnership in partnerships_without_members(
            partnerships, memberships, municipalities["nis"]):
        return memberless_explanation(partnerships, selection.partnership)
    return (f"Geen enkele gemeente voldoet aan alle filters samen ({filter_text}). Zet een van de filters terug "
            "op 'Alle'.")
