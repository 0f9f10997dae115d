"""Vendoring Helm charts: catalog (versions.tf), repository clients, verified downloads and the lock file.

Data flow: catalog → sources (classic index.yaml | OCI) → vendor (download, verify, rename) → lock → render.
Only `k8sprov.charts.http` imports httpx; everything else here is plain Python and mostly pure.
"""
