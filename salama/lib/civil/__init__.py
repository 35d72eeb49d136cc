"""Civil registration algorithms in plain Python (no Django)."""
