"""The search app has no Django models: its tables are the index (see schema.py).

This module exists so that Django sends the app pre_migrate and post_migrate, which keep the
index's triggers in place (signals.py).
"""
