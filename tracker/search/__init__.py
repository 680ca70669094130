"""Full-text, accent-insensitive search: the index (index.py), queries over it (query.py), highlighting
(highlight.py), similar obstacles and guidance (similar.py) and the operator command (cli.py)."""
