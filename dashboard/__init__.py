"""The Dash dashboard served inside the FastAPI application at /dashboard/."""
