"""Which modules a real command imports (the import budget test and the benchmark)."""

# Run as `python -c LIST_MODULES OUT ARGS…`: runs `toolkit ARGS` through the console
# script's entry point, then writes every module imported, in order, to OUT as JSON.
LIST_MODULES = """
import json, sys
out, sys.argv = sys.argv[1], ["toolkit", *sys.argv[2:]]
from toolkit.cli.main import main
try:
    main()
except SystemExit:
    pass
with open(out, "w", encoding="utf-8") as fh:
    json.dump(list(sys.modules), fh)
"""
