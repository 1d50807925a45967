"""The doors to the outside: HTTP (FastAPI + widget) and the `gqa` command line."""
