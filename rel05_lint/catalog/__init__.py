"""Catalog data shared by rules: qualified names, argument positions, hierarchies."""
