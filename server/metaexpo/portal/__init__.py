"""The exhibitor portal and the staff console: server-rendered pages in Chinese and English.

Jinja2 templates (autoescaped) in ``templates/``, one stylesheet and two
small scripts in ``static/`` (upload progress, the 3D preview), and the
strings of both languages in :mod:`metaexpo.portal.i18n`. The routes are in
``metaexpo.http.portal`` (a package) and ``metaexpo.http.console``.
"""
