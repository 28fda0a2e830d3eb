"""Realtime transport helpers for Channels on Redis: auth middleware, limited consumers,
sequenced broadcasts, cross-process presence and connection metrics.

Reusable: nothing here imports the project that installs it. See docs/realtime.md.
"""
