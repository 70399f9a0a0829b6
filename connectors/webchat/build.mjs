// Bundles src/ and socket.io-client into one static file: dist/widget.js.
// `node build.mjs --size` also prints the gzipped size and fails above the budget.
import { build } from "esbuild";
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";

const OUTFILE = "dist/widget.js";
const BUDGET_BYTES = 60 * 1024;

await build({
  entryPoints: ["src/index.js"],
  outfile: OUTFILE,
  bundle: true,
  minify: true,
  format: "iife",
  target: ["es2020", "chrome80", "safari14", "firefox78"],
  loader: { ".css": "text" },
  legalComments: "eof",
  logLevel: "warning",
});

if (process.argv.includes("--size")) {
  const raw = readFileSync(OUTFILE);
  const gz = gzipSync(raw, { level: 9 }).length;
  console.log(`${OUTFILE}: ${(raw.length / 1024).toFixed(1)} KB, ${(gz / 1024).toFixed(1)} KB gzipped (budget 60 KB)`);
  if (gz >= BUDGET_BYTES) {
    console.error("widget.js is over the 60 KB gzipped budget");
    process.exit(1);
  }
}
