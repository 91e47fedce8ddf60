#!/usr/bin/env bash
# Re-fetch the GOV.UK Frontend assets the gateway serves at /assets (committed, so that running the
# gateway needs no npm). Usage: scripts/update-govuk-frontend.sh [version]   (default 6.3.0, which
# matches govuk-frontend-jinja 4.1.0 — change both together).
set -euo pipefail

VERSION="${1:-6.3.0}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="$ROOT/services/gateway/static/govuk"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

cd "$WORK"
npm pack --silent "govuk-frontend@${VERSION}" >/dev/null
tar -xzf "govuk-frontend-${VERSION}.tgz"
DIST="$WORK/package/dist/govuk"

rm -rf "$DEST"
mkdir -p "$DEST"
cp "$DIST/govuk-frontend.min.css" "$DIST/govuk-frontend.min.css.map" \
   "$DIST/govuk-frontend.min.js" "$DIST/govuk-frontend.min.js.map" "$DEST/"
cp -R "$DIST/assets/fonts" "$DIST/assets/images" "$DIST/assets/manifest.json" "$DEST/"
cp "$WORK/package/LICENSE.txt" "$DEST/LICENSE.txt" 2>/dev/null || true
echo "$VERSION" > "$DEST/VERSION"
echo "GOV.UK Frontend $VERSION copied to ${DEST#"$ROOT"/}"
