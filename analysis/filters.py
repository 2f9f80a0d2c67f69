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
