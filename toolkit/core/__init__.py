"""The shared vocabulary every stage uses: the district's rules (rules), finding
codes (findings), the reporting period (period), and spreading work over
processes (parallel).
"""
