"""Data files for extraction: the 2016 high-tech domain taxonomy, extra lexicon terms and currency rates.

Staff edit these files; the formats are documented at the top of each file.
"""

from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent
TAXONOMY_PATH = DATA_DIR / "taxonomy.yml"
LEXICON_PATH = DATA_DIR / "lexicon.txt"
CURRENCY_PATH = DATA_DIR / "currency.yml"
