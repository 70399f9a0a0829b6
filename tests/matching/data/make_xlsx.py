"""Build registry_import.xlsx from registry_import.csv (same rows, same headers).

Run once after editing the CSV:  python tests/matching/data/make_xlsx.py
Cells are written as text so codes such as "803;805" and phone numbers keep their form.
"""

import csv
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).resolve().parent


def main() -> None:
    with open(HERE / "registry_import.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    book = Workbook()
    sheet = book.active
    sheet.title = "合作资源"
    for row in rows:
        sheet.append([cell if cell != "" else None for cell in row])
    for cells in sheet.iter_rows():
        for cell in cells:
            cell.number_format = "@"
    book.save(HERE / "registry_import.xlsx")


if __name__ == "__main__":
    main()
