"""PDF (reportlab) and Excel (openpyxl) reports over rows built once from the services."""
