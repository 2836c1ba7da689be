"""The working group's Streamlit app, page by page (app.py at the repository root wires them)."""
