#!/usr/bin/env bash
# Kept for people used to the old script; all logic lives in `k8sprov update-charts`.
exec k8sprov update-charts "$@"
