"""What is computed: networks as graphs of layers, with shapes and work counts; no hardware.

``ir`` (frozen layers and graphs), ``shapes`` (shape inference, MAC/parameter counts, row
dependencies), ``zoo`` (networks built in code), ``onnx_import`` (ONNX -> Graph), ``table``
(per-layer DataFrame). This package imports neither ``cimsim`` nor ``hwmodels``.
"""
