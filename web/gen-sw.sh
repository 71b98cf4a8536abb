#!/bin/sh
# Trunk post_build hook: writes sw.js into the staging directory from
# sw.template.js, with the precache list = every file of this build (hashed
# names included, the analysis worker's loader, JS and wasm too, so the
# analysis works offline) and a version derived from that list's contents.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
cd "${TRUNK_STAGING_DIR:?run by trunk as a post_build hook}"
# Work around binaryen 108's externref export bug (see the script).
node "$here/fix-externref-export.mjs" .
# Trunk 0.21's worker loader shim writes its paths from the site root even
# under data-target-path ("./lazy/x.js"), but a worker resolves them from its
# own URL (already lazy/): make them relative to the loader.
for loader in lazy/*_loader.js; do
  if [ -f "$loader" ]; then sed -i 's|"\./lazy/|"./|g' "$loader"; fi
done
template=sw.template.js
[ -f "$template" ] || { echo "gen-sw: $template missing" >&2; exit 1; }
files=$(find . -type f ! -name sw.js ! -name "$template" ! -name '*.map' | sed 's|^\./||' | LC_ALL=C sort)
list=$(printf '%s\n' "$files" | awk 'BEGIN { printf "[\"./\"" } NF { printf ",\"./%s\"", $0 } END { printf "]" }')
version=$(printf '%s\n' "$files" | while read -r f; do cat "$f"; done | sha256sum | cut -c1-16)
sed -e "s|__PRECACHE__|$list|" -e "s|__VERSION__|$version|" "$template" > sw.js
rm -f "$template"
echo "gen-sw: sw.js precaches $(printf '%s\n' "$files" | grep -c .) files (version $version)"
