"""The hall manager's reports: read models computed with SQL over the tickets and events tables
(antrian.reports.queries), plain data (antrian.reports.model), and writers for XLSX, PDF and CSV.

Writers import their libraries (openpyxl, ReportLab, matplotlib) only when called."""
