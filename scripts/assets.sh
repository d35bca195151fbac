#!/usr/bin/env bash
# Front-end assets of the dashboard, from the npm registry at install time (never a CDN):
# `npm ci` installs the versions pinned in package-lock.json, then only the files the
# pages load are copied into src/dxplan/web/static/vendor/ (git-ignored, in the wheel).
set -euo pipefail
cd "$(dirname "$0")/.."
VENDOR=src/dxplan/web/static/vendor
FONTS=node_modules/@fontsource/noto-sans-bengali/files

if ! command -v npm >/dev/null 2>&1; then
  echo "npm is missing: install Node.js 20 (the dashboard's charts and Bengali font come from npm)" >&2
  exit 1
fi
npm ci --no-audit --no-fund --ignore-scripts --loglevel=error

rm -rf "$VENDOR"
mkdir -p "$VENDOR"
# ECharts' "common" build: line, bar, mark lines and areas, tooltip, legend, aria;
# a third lighter than the full build, which adds maps, graphs and 3D-like series.
cp node_modules/echarts/dist/echarts.common.min.js "$VENDOR/"
cp node_modules/htmx.org/dist/htmx.min.js "$VENDOR/"
for weight in 400 700; do
  cp "$FONTS/noto-sans-bengali-bengali-$weight-normal.woff2" "$VENDOR/"
done
# Only Bengali text downloads the font (unicode-range); other scripts use the system's.
cat >"$VENDOR/noto-sans-bengali.css" <<'CSS'
/* Noto Sans Bengali (SIL Open Font License 1.1), from @fontsource/noto-sans-bengali. */
@font-face {
  font-family: "Noto Sans Bengali";
  font-style: normal;
  font-display: swap;
  font-weight: 400;
  src: url(noto-sans-bengali-bengali-400-normal.woff2) format("woff2");
  unicode-range: U+0951-0952, U+0964-0965, U+0980-09FE, U+1CD0, U+1CD2, U+1CD5-1CD6, U+1CD8, U+1CE1, U+1CEA, U+1CED, U+1CF2, U+1CF5-1CF7, U+200C-200D, U+20B9, U+25CC, U+A8F1;
}
@font-face {
  font-family: "Noto Sans Bengali";
  font-style: normal;
  font-display: swap;
  font-weight: 700;
  src: url(noto-sans-bengali-bengali-700-normal.woff2) format("woff2");
  unicode-range: U+0951-0952, U+0964-0965, U+0980-09FE, U+1CD0, U+1CD2, U+1CD5-1CD6, U+1CD8, U+1CE1, U+1CEA, U+1CED, U+1CF2, U+1CF5-1CF7, U+200C-200D, U+20B9, U+25CC, U+A8F1;
}
CSS
cp node_modules/@fontsource/noto-sans-bengali/LICENSE "$VENDOR/noto-sans-bengali.LICENSE"
cp node_modules/echarts/LICENSE "$VENDOR/echarts.LICENSE"
cp node_modules/htmx.org/LICENSE "$VENDOR/htmx.LICENSE"
echo "front-end assets: $(ls "$VENDOR" | wc -l) files in $VENDOR"
