"""Built-in consistency checks, one module each; every module exposes ``CHECKS`` and is listed in
:mod:`shared.core.checks.registry`."""
