"""File formats, and nothing of 民生实事: safe reading of zip/XML packages
(ooxml), the text of a WordprocessingML body as a reader sees it (wordml),
writing SpreadsheetML (xlsx_out), and LibreOffice (libreoffice).
"""
