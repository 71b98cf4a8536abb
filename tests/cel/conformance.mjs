// Prints the cel-spec conformance sections Keyless runs, as JSON:
// {"section/subsection": [SimpleTest in proto JSON form, ...]}.
// Read by crates/keyless-core/tests/cel_conformance.rs. Data: @bufbuild/cel-spec
// (cel-spec v0.25.1 simple tests, https://github.com/google/cel-spec/tree/master/tests/simple).
import { tests } from "@bufbuild/cel-spec/testdata/conformance.js";

const sections = process.argv.slice(2);
const out = {};
for (const file of tests.suites) {
  if (sections.length && !sections.includes(file.name)) continue;
  for (const sub of file.suites ?? []) {
    out[`${file.name}/${sub.name}`] = (sub.tests ?? []).map((t) => t.original);
  }
}
process.stdout.write(JSON.stringify(out));
