"""Stage 4, the outputs of a merge: the 一览表 model (model), as Word (document)
and Excel (workbooks), the 问题清单, the checklist text, the set written
together (outputs), and the write-back into the register (register_sheet).
"""
