"""Record linkage for displacement registries (no Django imports).

normalise: names across scripts and spelling habits → canonical tokens.
records:   input rows → prepared integer arrays.
blocking:  keys that bring likely pairs together.
compare:   per-field agreement levels for pairs.
model:     Fellegi–Sunter weights, u by random sampling, m and λ by EM.
engine:    dedup, link and search.
"""
