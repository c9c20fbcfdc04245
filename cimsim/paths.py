"""Questions about paths that users name: a name the file system refuses (too long, a NUL
byte, no permission to look) names no file, rather than raising from deep inside."""

from pathlib import Path


def is_file(path: str | Path) -> bool:
    """Whether ``path`` names an existing regular file (False for a name the OS refuses)."""
    try:
        return Path(path).is_file()
    except (OSError, ValueError):
        return False


def exists(path: str | Path) -> bool:
    """Whether ``path`` names anything that exists (False for a name the OS refuses)."""
    try:
        return Path(path).exists()
    except (OSError, ValueError):
        return False
