"""Clinic Content Auditor: audits clinic websites for unsafe claims, unanswered questions and SEO faults."""

__version__ = "0.1.0"
