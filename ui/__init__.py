"""Streamlit page renderers and HTML helpers of app.py (the only Streamlit code)."""
