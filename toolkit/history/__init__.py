"""Stage 5, the history: every merge's result kept in one SQLite file (store),
as records (records) with what changed between versions (changes); the
quarter before's texts for the next forms and checks; the year's view
(annual) written as a 全年一览表.
"""
