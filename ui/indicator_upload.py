"""Upload of indicator tables on the Gegevens page; uploaded indicators live only in this browser session.

`render()` is called by the Gegevens page. The file is read for both maps at once, so the
indicator can be shown on the 2019-2024 map and on the 2025 map; the page Indicatoren picks it up through
:func:`uploaded_catalogue` and :func:`uploaded_values`.
"""

from __future__ import annotations

import hashlib

import pandas as pd
import streamlit as st

from analysis.formatting import format_number
from geodata.indicator_model import COUNT, RATE
from geodata.indicator_upload import read_indicator_upload, upload_catalogue
from geodata.uploads import problems_summary, problems_table, upload_label
from ui import downloads

STATE_KEY = "indicator_uploads"  # indicator id -> {"entry": Indicator, "values": {version: frame}, "file": name}
_PARSED_KEY = "indicator_upload_parsed"  # (file hash) -> parsed result, so a rerun does not parse again
KIND_LABELS = {COUNT: "aantal (optelbaar)", RATE: "verhouding (niet optelbaar)"}


def uploaded() -> dict:
    return st.session_state.setdefault(STATE_KEY, {})


def uploaded_catalogue() -> dict:
    """Catalogue entries of the indicators uploaded in this session (id -> Indicator)."""
    return {indicator_id: item["entry"] for indicator_id, item in uploaded().items()}


def uploaded_values(version: str) -> pd.DataFrame | None:
    """The uploaded indicators on the map of `version` (long format), or None when there are none."""
    frames = [item["values"][version] for item in uploaded().values() if item["values"].get(version) is not None]
    return pd.concat(frames, ignore_index=True) if frames else None


def _parse(data: bytes, filename: str):
    token = hashlib.sha256(data).hexdigest() + filename
    cache = st.session_state.setdefault(_PARSED_KEY, {})
    if token not in cache:
        cache.clear()
        results = {}
        with st.spinner("Bestand lezen…"):
            for version in ("2019", "2025"):
                results[version] = read_indicator_upload(data, filename, version)
        cache[token] = results
    return cache[token]


def render() -> None:
    st.header("Eigen indicator opladen")
    st.markdown(
        "Laad een tabel op zoals Steunpunt Werk, VDAB, Statbel of Provincies in Cijfers ze exporteren (CSV of "
        "XLSX): één rij per gemeente (naam of NIS-code) en één kolom per jaar of per indicator, of een lange tabel "
        "met kolommen `gemeente;jaar;indicator;waarde`. Getallen in Belgische notatie (`1.234,5`, `12,3 %`); "
        "`-` of `n.b.` is onbekend, `x` is geheim. Titels boven en voetnoten onder de tabel mogen blijven staan. "
        "De indicator blijft alleen in deze sessie en verschijnt op de pagina **Indicatoren**.")

    upload = st.file_uploader(upload_label("Indicatorbestand"), type=["csv", "xlsx", "txt"],
                              key="indicator-upload")
    if upload is not None:
        results = _parse(upload.getvalue(), upload.name)
        frames = {version: frame for version, (frame, _) in results.items()}
        problems = results["2019"][1] + [p for p in results["2025"][1] if p not in results["2019"][1]]
        errors = [p for p in problems if p.is_error]
        if problems:
            (st.error if errors else st.warning)(
                problems_summary(problems, upload.name))
            downloads.show_table(problems_table(problems),
                                 download=("regiekaart-problemen-indicatorbestand", "Problemen"), key="indicator-problems")
        usable = frames["2019"] if frames["2019"] is not None else frames["2025"]
        if usable is not None and not errors:
            _preview_and_accept(upload.name, frames, usable)
        elif usable is not None:
            st.info("Verbeter eerst de fouten hierboven; rijen met fouten zouden ontbreken in de kaart.")
    if uploaded():
        st.subheader("Opgeladen indicatoren (deze sessie)")
        for indicator_id, item in list(uploaded().items()):
            left, right = st.columns([4, 1])
            left.markdown(f"**{item['entry'].label}** ({item['entry'].unit or 'zonder eenheid'}, "
                          f"{KIND_LABELS.get(item['entry'].kind, item['entry'].kind)}) uit {item['file']}")
            if right.button("Vergeten", key=f"forget-{indicator_id}"):
                uploaded().pop(indicator_id, None)
                st.rerun()


def _preview_and_accept(filename: str, frames: dict, usable: pd.DataFrame) -> None:
    summary = (usable.groupby(["indicator_id", "label"], sort=False)
               .agg(unit=("unit", "first"), kind=("kind", "first"), years=("year", lambda y: f"{y.min()}-{y.max()}"),
                    municipalities=("nis", "nunique"), known=("flag", lambda f: int((f == "ok").sum())))
               .reset_index())
    st.success(f"{filename}: {len(summary)} indicator(en) gelezen.")
    kinds, directions = {}, {}
    for row in summary.itertuples():
        with st.container(border=True):
            st.markdown(f"**{row.label}** · eenheid: {row.unit or 'geen'} · jaren {row.years} · "
                        f"{format_number(row.known)} waarden voor {format_number(row.municipalities)} gemeenten")
            left, right = st.columns(2)
            kinds[row.indicator_id] = left.radio(
                "Soort", [COUNT, RATE], index=0 if row.kind == COUNT else 1, format_func=KIND_LABELS.get,
                key=f"kind-{row.indicator_id}", horizontal=True,
                help="Aantallen worden per samenwerkingsverband opgeteld; een verhouding zonder teller en noemer "
                     "wordt niet herberekend.")
            directions[row.indicator_id] = right.toggle("Hogere waarde = meer nood", value=True,
                                                        key=f"direction-{row.indicator_id}")
    if st.button("Gebruik op de pagina Indicatoren", type="primary", key="indicator-upload-accept"):
        entries = upload_catalogue(usable, filename, kinds, directions)
        for indicator_id, entry in entries.items():
            values = {version: (frame[frame["indicator_id"] == indicator_id].assign(kind=entry.kind)
                                if frame is not None else None) for version, frame in frames.items()}
            uploaded()[indicator_id] = {"entry": entry, "values": values, "file": filename}
        st.session_state["ind_indicator"] = next(iter(entries))
        st.rerun()
