"""Stage 5, supervision: what the office writes about a quarter once it is merged.

The 督查通报 draft (model: its facts from the merge; document: the Word
file from an editable template, with a chart).
"""
