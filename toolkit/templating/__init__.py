"""Tools for the people who keep the Word templates: `template check` (check,
with document, tags, variables, kinds), sample contexts (samples) and
`template preview` (preview).
"""
