"""Dock panels, one file each; every panel reads the shared Session."""
