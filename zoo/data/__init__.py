"""Data generators and loaders of the zoo's tasks."""
