"""The one exception type hwmodels raises for parameters outside their valid range."""


class HwModelError(ValueError):
    """A component parameter is outside its documented range.

    ``field`` names the offending dataclass field so that callers that know which file
    and path the value came from can report it in full.
    """

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
