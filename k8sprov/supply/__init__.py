"""Know what you deploy: chart signatures pinned per chart, the images releases pull, the SBOM."""
