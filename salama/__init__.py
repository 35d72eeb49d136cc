"""Salama: protection information system (UN report A/73/171)."""
