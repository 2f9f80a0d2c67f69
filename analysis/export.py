"""The report export under its old name: what pages, the command line and older code import from here.

The code lives in three modules: :mod:`analysis.view_tables` (the Dutch tables of a view that the pages show),
:mod:`analysis.report_items` (the explicit list of maps and tables in the report) and :mod:`analysis.report_files`
(writing them, with index.md). New code imports from those.
"""

from analysis.report_files import FORMAT_NOTES, INDEX_FILE, WrittenFile, export_report, index_markdown, render_item
from analysis.report_items import (
    INDICATOR_MAPS,
    MAP,
    MAP_FORMATS,
    REPORT_ITEMS,
    SUBSIDY_RULES,
    TABLE,
    TABLE_FORMATS,
    ReportContext,
    ReportItem,
    indicator_map_item,
    latest_indicator_year,
    register_indicator_map,
    register_report_item,
)
from analysis.view_tables import (
    CLUSTER_COLUMNS,
    CLUSTER_KIND_NL,
    CLUSTER_NAME_NL,
    COLUMN_DECIMALS,
    OVERLAP_COLUMNS,
    PARTNERSHIP_COLUMNS,
    SUBSIDY_COLUMNS,
    SUBSIDY_RATE_COLUMN,
    YES_NO,
    cluster_label,
    gap_clusters_table,
    overlaps_table,
    partnership_table,
    subsidy_tables,
)

__all__ = [
    "CLUSTER_COLUMNS", "CLUSTER_KIND_NL", "CLUSTER_NAME_NL", "COLUMN_DECIMALS", "FORMAT_NOTES", "INDEX_FILE",
    "INDICATOR_MAPS", "MAP", "MAP_FORMATS", "OVERLAP_COLUMNS", "PARTNERSHIP_COLUMNS", "REPORT_ITEMS", "SUBSIDY_COLUMNS",
    "SUBSIDY_RATE_COLUMN", "SUBSIDY_RULES", "TABLE", "TABLE_FORMATS", "YES_NO", "ReportContext", "ReportItem",
    "WrittenFile", "cluster_label", "export_report", "gap_clusters_table", "index_markdown", "indicator_map_item",
    "latest_indicator_year", "overlaps_table", "partnership_table", "register_indicator_map", "register_report_item",
    "render_item", "subsidy_tables",
]
