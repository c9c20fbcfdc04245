"""Digital-to-analog and analog-to-digital converters: parameters and cost models."""

from hwmodels.converters.cost import (
    ADC_KINDS,
    adc_cost,
    adc_max_sample_rate_gsps,
    check_adc_speed,
    dac_cost,
    sample_hold_cost,
)
from hwmodels.converters.params import AdcParams, DacParams

__all__ = [
    "ADC_KINDS",
    "AdcParams",
    "DacParams",
    "adc_cost",
    "adc_max_sample_rate_gsps",
    "check_adc_speed",
    "dac_cost",
    "sample_hold_cost",
]
