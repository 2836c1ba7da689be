"""Scripts that print the README's performance figures (a package only so that mypy tells
bench/app.py apart from the app.py at the root)."""
