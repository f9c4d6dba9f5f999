"""The command line: an edge over the library, imported by nothing below it.
base turns every error into a Chinese message and an exit code.
"""
