"""Stage 2, distribution: the template variables (schema) and their values
(context), rendering Word templates (rendering, template_cache), a form's
identity (identity), and one pre-filled form per unit (generate).
"""
