"""Air-gapped bundles: one deterministic, verified tar.gz holding everything one environment needs.

`create` collects the members (modules, environment files, charts, a provider filesystem mirror),
`archive` writes, verifies and unpacks the file, `providers` knows Terraform's provider layout and hashes,
`mirror` points Terraform at a project's bundled provider mirror.
"""
