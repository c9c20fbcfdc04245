"""Digital-to-analog and analog-to-digital converters."""

from hwmodels.converters.params import AdcParams, DacParams

__all__ = ["AdcParams", "DacParams"]
