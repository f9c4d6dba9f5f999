"""Stage 1, the register: the office's master list of projects and units
(model), read from its workbook (reader); who a 主办单位 cell names (units).
"""
