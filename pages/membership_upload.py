"""The membership upload of the Gegevens page: templates, and turning a file into a scheme for this session."""

from __future__ import annotations

import streamlit as st

from pages import ui


@st.cache_data(show_spinner=False)
def membership_templates() -> tuple[bytes, bytes]:
    """The upload template as CSV and as XLSX (bytes)."""
    from geodata.membership import membership_template_csv, membership_template_xlsx

    return membership_template_csv(), membership_template_xlsx()


def read_membership_upload(data: bytes, filename: str):
    """Validate an uploaded membership file: (SchemeData or None, list of geodata.uploads.Problem).

    The scheme uses the 2019-2024 codes and lives only in this browser session.
    """
    from analysis.scenario import SchemeData
    from geodata.membership import read_membership_upload as read
    from geodata.municipalities import load_merger_table, load_municipalities

    scheme, problems = read(data, filename, load_municipalities("2019")[["nis", "name"]], load_merger_table())
    if scheme is None:
        return None, problems
    return SchemeData(ui.SCHEME_UPLOAD, f"upload {filename}", scheme.partnerships, scheme.memberships,
                      scheme.non_participants, reconstructed=False, source_note=filename,
                      boundary_version="2019"), problems
