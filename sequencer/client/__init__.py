"""
A client for traders: the typed HTTP client (:mod:`http`), a trader's
signing side (:mod:`trader`), keys from the environment or a keystore
(:mod:`keys`) and the command-line commands (:mod:`cli`).
"""
