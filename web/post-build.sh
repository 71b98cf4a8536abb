#!/bin/sh
# Trunk post_build hook, in order:
# 1. splits the app's wasm into lazily loaded chunks (crates/keyless-split:
#    Azure, Google Cloud and Alibaba Cloud are fetched when first used);
# 2. works around binaryen 108's externref export bug;
# 3. fixes the worker loader's paths;
# 4. writes sw.js into the staging directory from sw.template.js, with the
#    precache list = every file of this build (hashed names included, the
#    lazy chunks and the analysis worker too, so everything works offline)
#    and a version derived from that list's contents.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
cd "${TRUNK_STAGING_DIR:?run by trunk as a post_build hook}"
source_dir=${TRUNK_SOURCE_DIR:-$here/..}
# The linked wasm cargo wrote for Trunk (index.html: data-cargo-profile-release).
target_dir=$(cd "$source_dir" && cargo metadata --format-version 1 --no-deps |
  node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).target_directory))')
if [ "${TRUNK_PROFILE:-debug}" = release ]; then
  profile=wasm-release
  # The same wasm-opt flags Trunk used for the app (index.html), so one list rules.
  opt=$(tr '\n' ' ' < "${TRUNK_HTML_FILE:-$source_dir/index.html}" |
    sed -n 's/.*data-bin="keyless-web"[^>]*data-wasm-opt-params="\([^"]*\)".*/\1/p')
  set -- --wasm-opt "-Oz $opt" --minify-js "node $here/minify.mjs"
else
  profile=debug
  set --
fi
# A native tool: without the wasm build's std-for-size options (cargo xtask).
(cd "$source_dir" && env -u RUSTC_BOOTSTRAP -u CARGO_UNSTABLE_BUILD_STD -u CARGO_UNSTABLE_BUILD_STD_FEATURES \
  cargo run --quiet -p keyless-split -- \
  --wasm "$target_dir/wasm32-unknown-unknown/$profile/keyless-web.wasm" \
  --staging "$TRUNK_STAGING_DIR" --name keyless-web "$@")
# Work around binaryen 108's externref export bug (see the script).
node "$here/fix-externref-export.mjs" .
# Trunk 0.21's worker loader shim writes its paths from the site root even
# under data-target-path ("./lazy/x.js"), but a worker resolves them from its
# own URL (already lazy/): make them relative to the loader.
for loader in lazy/*_loader.js; do
  if [ -f "$loader" ]; then sed -i 's|"\./lazy/|"./|g' "$loader"; fi
done
template=sw.template.js
[ -f "$template" ] || { echo "post-build: $template missing" >&2; exit 1; }
files=$(find . -type f ! -name sw.js ! -name "$template" ! -name '*.map' | sed 's|^\./||' | LC_ALL=C sort)
list=$(printf '%s\n' "$files" | awk 'BEGIN { printf "[\"./\"" } NF { printf ",\"./%s\"", $0 } END { printf "]" }')
version=$(printf '%s\n' "$files" | while read -r f; do cat "$f"; done | sha256sum | cut -c1-16)
sed -e "s|__PRECACHE__|$list|" -e "s|__VERSION__|$version|" "$template" > sw.js
rm -f "$template"
echo "post-build: sw.js precaches $(printf '%s\n' "$files" | grep -c .) files (version $version)"
