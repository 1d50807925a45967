"""One parser per guideline format; formats.py picks one by sniffing the file."""
