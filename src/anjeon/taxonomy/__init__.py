"""The risk taxonomy: universal hazards, locale sub-hazards, personas, crosswalks."""

from anjeon.taxonomy._load import load_taxonomy, taxonomy
from anjeon.taxonomy._model import (
    Crosswalk,
    Hazard,
    LocaleExtension,
    Persona,
    Reference,
    SubHazard,
    Taxonomy,
    Text,
)

__all__ = [
    "Crosswalk",
    "Hazard",
    "LocaleExtension",
    "Persona",
    "Reference",
    "SubHazard",
    "Taxonomy",
    "Text",
    "load_taxonomy",
    "taxonomy",
]
