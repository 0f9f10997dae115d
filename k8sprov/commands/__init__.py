"""Typer command modules: thin, with their heavy imports inside the command bodies."""
