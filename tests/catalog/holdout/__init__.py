"""The held-out scenarios (HOLDOUT.md), by device family, kept apart from the
catalogue's: each sc_NAME(name, bad=True, boot=True) builds one VM with the
machinery in sim/, plays it and returns the Guest; mkholdout.py lists them."""



