"""Renderers that turn a stored run (the JSON report document) into HTML, JSON and CSV files."""
