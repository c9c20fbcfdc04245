"""Validated configuration: architecture model, presets, overrides."""

from cimsim.config.loader import apply_override, load_arch, preset_names, validate_arch
from cimsim.config.model import ArchConfig

__all__ = ["ArchConfig", "apply_override", "load_arch", "preset_names", "validate_arch"]
