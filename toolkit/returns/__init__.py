"""Stage 3, returns: finding and identifying the files units sent (intake),
reading a returned form (reader), checking it against the rules (checks),
and choosing each unit's return for the merge (merging).
"""
