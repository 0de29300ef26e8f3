// Builds the npm package `edgerec` in packages/sdk, whose `edgerec/sdk` export is src/sdk/index.ts (the same modules
// as /sdk.js): an ESM bundle by esbuild, the .d.ts tsc emits for it, then checks it the way a consumer gets it:
// packed by npm, unpacked into node_modules, imported by Node (no side effects on import) and type-checked by tsc.
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { build } from "esbuild";

const PKG = "packages/sdk";
const DIST = path.join(PKG, "dist");
const TSC = path.join("node_modules", "typescript", "bin", "tsc");
/** Runs a command and returns its stdout; on failure prints what it said (tsc reports on stdout) and exits. */
function run(cmd, args, cwd) {
  try {
    return execFileSync(cmd, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (err) {
    process.stderr.write(`${err.stdout ?? ""}${err.stderr ?? ""}build-sdk-package: ${[path.basename(cmd), ...args.map((a) => path.basename(a))].join(" ")} failed\n`);
    process.exit(1);
  }
}

rmSync(DIST, { recursive: true, force: true });
mkdirSync(DIST, { recursive: true });

// One file: the sources import ../config/limits, and bundling spares consumers extension-less relative imports.
// Not minified: the app's own bundler minifies, and readable code is easier to debug in a consumer's devtools.
// (Unused constants of config/limits.ts stay in: esbuild drops `64 * 1024` only once it folds it, when minifying.)
await build({
  entryPoints: ["src/sdk/index.ts"],
  bundle: true,
  format: "esm",
  platform: "browser",
  target: "es2022",
  outfile: path.join(DIST, "index.js"),
  legalComments: "none",
  logLevel: "warning",
});

// Declarations for src/sdk, then only what index.d.ts reaches: api.ts is self-contained by design, so anything
// else (a zod type, a path outside src/sdk) would make the package need files it does not ship, and fails here.
const types = mkdtempSync(path.join(tmpdir(), "edgerec-sdk-types-"));
try {
  run(process.execPath, [TSC, "-p", "tsconfig.sdk.json", "--noEmit", "false", "--declaration", "--emitDeclarationOnly", "--rootDir", "src", "--outDir", types]);
  const queue = ["index.d.ts"];
  const done = new Set();
  while (queue.length > 0) {
    const file = queue.shift();
    if (done.has(file)) continue;
    done.add(file);
    const text = readFileSync(path.join(types, "sdk", file), "utf8").replace(/(from\s+|import\()"([^"]+)"/g, (_, lead, spec) => {
      if (!/^\.\/[\w-]+$/.test(spec)) throw new Error(`${file} imports "${spec}": the package's types must stay within src/sdk/api.ts`);
      queue.push(`${spec.slice(2)}.d.ts`);
      // Node's ESM resolution (tsc's nodenext) needs the extension; "./api.js" finds api.d.ts.
      return `${lead}"${spec}.js"`;
    });
    writeFileSync(path.join(DIST, file), text);
  }
} finally {
  rmSync(types, { recursive: true, force: true });
}

// The consumer's view.
const consumer = mkdtempSync(path.join(tmpdir(), "edgerec-sdk-consumer-"));
try {
  const [packed] = JSON.parse(run("npm", ["pack", "--json", "--silent", "--pack-destination", consumer], PKG));
  const shipped = packed.files.map((f) => f.path);
  for (const f of ["package.json", "dist/index.js", "dist/index.d.ts", "dist/api.d.ts"]) {
    if (!shipped.includes(f)) throw new Error(`the packed package lacks ${f} (it has ${shipped.join(", ")})`);
  }
  const installed = path.join(consumer, "node_modules", "edgerec");
  mkdirSync(installed, { recursive: true });
  run("tar", ["-xzf", path.join(consumer, packed.filename), "-C", installed, "--strip-components=1"]);
  writeFileSync(path.join(consumer, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
  // Importing must work with no browser globals (server rendering imports the module; only createTracker needs a page).
  const exported = run(process.execPath, ["--input-type=module", "-e", `const m = await import("edgerec/sdk"); console.log(Object.keys(m).join(","), typeof m.createTracker);`], consumer).trim();
  if (exported !== "createTracker function") throw new Error(`edgerec/sdk exports "${exported}", expected createTracker only`);
  // The API's uses and misuses, and the README's example app.
  copyFileSync("test/package/consumer.ts", path.join(consumer, "consumer.ts"));
  copyFileSync("examples/spa.ts", path.join(consumer, "spa.ts"));
  // Both resolutions a consumer may use: Node's (nodenext, strict about `exports` and extensions) and bundlers'.
  for (const resolution of ["nodenext", "bundler"]) {
    const module = resolution === "nodenext" ? "nodenext" : "preserve";
    const compilerOptions = { target: "es2022", module, moduleResolution: resolution, lib: ["es2022", "dom"], strict: true, noEmit: true, skipLibCheck: false, verbatimModuleSyntax: true, types: [] };
    writeFileSync(path.join(consumer, "tsconfig.json"), JSON.stringify({ compilerOptions, files: ["consumer.ts", "spa.ts"] }));
    run(process.execPath, [path.resolve(TSC), "-p", "tsconfig.json"], consumer);
  }
  const size = readFileSync(path.join(DIST, "index.js")).length;
  console.log(`edgerec/sdk: ${PKG}/dist/index.js ${size} bytes + ${[...shipped].filter((f) => f.endsWith(".d.ts")).join(", ")}; packed ${packed.size} bytes; consumer types check (nodenext, bundler)`);
} finally {
  rmSync(consumer, { recursive: true, force: true });
}
