"""The catalogue's scenarios (README.md), by device family: each
sc_NAME(name, bad=True, boot=True) builds one VM, plays it and returns the
Guest; mkcatalog.py lists them."""



