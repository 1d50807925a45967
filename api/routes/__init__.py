"""The HTTP routes, one module per group; api/app.py mounts them."""
