"""anjeon (안전): safety assessment of large language models, in English and Korean.

``import anjeon`` is cheap and has no side effects: the stages live in subpackages
(``anjeon.taxonomy``, ``anjeon.suites``, ...) imported on demand.
"""

from anjeon._version import __version__

__all__ = ["__version__"]
