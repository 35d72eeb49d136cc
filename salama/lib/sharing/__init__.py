"""Sharing outside the agencies (PROTECTION.md): k-anonymous case-level
exports in the CTDC format, HXL-tagged aggregates, optional differentially
private counts. Plain Python, no Django, so the rules can be tested alone."""
