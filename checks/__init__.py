"""The checks: pure functions of a page or a site that return findings, with their rule metadata."""
