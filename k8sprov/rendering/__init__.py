"""Real Helm renders of every release, checked offline the way the API server and Pod Security would.

`model` holds the shapes every part shares (rendered objects, findings), `manifest` reads Helm's output,
`release` renders one release through the Helm seam (`k8sprov.helm`).
"""
