"""The one exception type the workloads package raises for an invalid network or file."""


class WorkloadError(ValueError):
    """A network, layer, zoo name or model file cannot be turned into a valid graph.

    ``where`` names the place at fault (a file, an ONNX node, a layer or a zoo name) so that
    callers can report it in full; ``message`` says what is wrong and what is allowed.
    """

    def __init__(self, where: str, message: str) -> None:
        super().__init__(f"{where}: {message}")
        self.where = where
        self.message = message
