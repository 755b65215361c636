"""Catalogue CMQ: load → validate → model → generate → site.

``pipeline.run`` chains the stages; ``mkdocs_plugin`` hands the result to MkDocs.
"""
