#!/usr/bin/env node
// Compiles the CLI into dist/: one ESM bundle per command, loaded on use (esbuild, code splitting).
//   node scripts/build.mjs             build now
//   node scripts/build.mjs --if-stale  build only when dist/ is missing or older than its inputs
//   node scripts/build.mjs --check     exit 0 when dist/ is up to date, 1 (with the reason) if not
// Plain JavaScript so the up-to-date check costs one node start and a stat per input file.
import {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const dist = (root) => path.join(root, 'dist')

// Pure-JS packages on the path of `analyze` and `--version`: one bundle instead of hundreds of
// module files (zod alone ships about a hundred). Every other package stays in node_modules:
// native addons (YARA-X), WASM and data files (PGlite, bullmq's Lua), Playwright, worker files
// (pino), and whatever is added later until someone measures it here.
const BUNDLED = new Set([
  'acorn',
  'acorn-loose',
  'acorn-walk',
  'cheerio',
  'commander',
  'domhandler',
  'htmlparser2',
  'zod',
])

// Besides the sources esbuild reads, a build depends on these.
const EXTRA_INPUTS = ['package.json', 'package-lock.json', 'tsconfig.json', 'scripts/build.mjs']

// Output chunks a running process may still import lazily are kept this long after a rebuild.
const KEEP_OLD_CHUNKS_MS = 24 * 60 * 60 * 1000

/** Why `root`/dist/ must be rebuilt, or null when it is up to date. */
export function staleReason(root = ROOT) {
  let manifest
  try {
    manifest = JSON.parse(readFileSync(path.join(dist(root), 'build.json'), 'utf8'))
  } catch {
    return 'dist/ has not been built'
  }
  if (!existsSync(path.join(dist(root), manifest.entry ?? 'main.js')))
    return 'dist/main.js is missing'
  for (const [file, recorded] of Object.entries(manifest.inputs ?? {})) {
    let st
    try {
      st = statSync(path.join(root, file))
    } catch {
      return `${file} was removed`
    }
    if (st.mtimeMs !== recorded.mtimeMs || st.size !== recorded.size) return `${file} changed`
  }
  return null
}

// Besides the CLI, scripts started as worker threads are entry points of their own.
const WORKERS = { 'analyze-worker': 'cli/analyze-worker.ts' }

function entryPoints(root) {
  const out = { main: 'cli/main.ts' }
  for (const [name, file] of Object.entries(WORKERS))
    if (existsSync(path.join(root, file))) out[name] = file
  return out
}

/** Bundle `root`/cli/main.ts into `root`/dist/, replacing the previous build atomically. */
export async function build(root = ROOT) {
  const { build: esbuild } = await import('esbuild')
  const started = Date.now()
  const out = dist(root)
  const result = await esbuild({
    absWorkingDir: root,
    entryPoints: entryPoints(root),
    outdir: out,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20.11',
    chunkNames: '[name]-[hash]',
    write: false,
    metafile: true,
    logLevel: 'warning',
    legalComments: 'none',
    // Bundled CommonJS packages call require(); each output file gets a real one.
    banner: {
      js: [
        "import { createRequire as __skimwatchRequire } from 'node:module'",
        "import { fileURLToPath as __skimwatchPath } from 'node:url'",
        'const require = __skimwatchRequire(import.meta.url)',
        // every output file sits directly in dist/, so the project root is one level up
        "const __skimwatchRoot = new URL('../', import.meta.url)",
      ].join('\n'),
    },
    plugins: [externalPackages(), sourceLocations(root)],
  })
  const files = result.outputFiles.map((f) => ({ name: path.relative(out, f.path), f }))
  const entry = 'main.js'
  const write = (name, contents) => writeAtomic(path.join(out, name), contents)
  mkdirSync(out, { recursive: true })
  // Chunks first (content-hashed names), the entry last: a process that starts in between
  // still loads one complete build, old or new.
  for (const { name, f } of files.filter((x) => x.name !== entry)) write(name, f.contents)
  const main = files.find((x) => x.name === entry)
  if (!main) throw new Error('esbuild wrote no main.js')
  write(entry, main.f.contents)
  const inputs = {}
  const sources = Object.keys(result.metafile.inputs).filter((p) => !p.includes('node_modules/'))
  for (const file of [...sources, ...EXTRA_INPUTS]) {
    const st = statSync(path.join(root, file), { throwIfNoEntry: false })
    if (!st) continue
    inputs[file] = { mtimeMs: st.mtimeMs, size: st.size }
  }
  const manifest = {
    entry,
    builtAt: new Date().toISOString(),
    outputs: files.map((x) => x.name),
    inputs,
  }
  write('build.json', `${JSON.stringify(manifest, null, 1)}\n`)
  removeOldChunks(out, new Set([...manifest.outputs, 'build.json']))
  const kb = files.reduce((n, x) => n + x.f.contents.length, 0) / 1024
  process.stderr.write(
    `skimwatch: built dist/ (${files.length} files, ${kb.toFixed(0)} KB) in ${Date.now() - started} ms\n`,
  )
}

function writeAtomic(target, contents) {
  const tmp = `${target}.${process.pid}.tmp`
  writeFileSync(tmp, contents)
  renameSync(tmp, target)
}

function removeOldChunks(out, current) {
  const now = Date.now()
  for (const name of readdirSync(out)) {
    if (current.has(name) || name === '.lock') continue
    const file = path.join(out, name)
    if (now - statSync(file).mtimeMs > KEEP_OLD_CHUNKS_MS) rmSync(file, { force: true })
  }
}

/**
 * Our sources' imports of packages outside BUNDLED are left to node_modules at run time; a
 * bundled package brings its own dependencies along.
 */
function externalPackages() {
  return {
    name: 'skimwatch-externals',
    setup(b) {
      b.onResolve({ filter: /^[^./]/ }, (args) => {
        if (args.path.startsWith('node:')) return { external: true }
        if (args.importer.includes(`${path.sep}node_modules${path.sep}`)) return undefined
        const parts = args.path.split('/')
        const pkg = args.path.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]
        return BUNDLED.has(pkg) ? undefined : { external: true }
      })
    },
  }
}

/**
 * `import.meta.url` and `import.meta.dirname` in our sources keep naming the source file, so
 * data beside it (store/migrations/*.sql, fixtures/shops/) is read from the project tree.
 */
function sourceLocations(root) {
  return {
    name: 'skimwatch-source-locations',
    setup(b) {
      b.onLoad({ filter: /\.ts$/ }, (args) => {
        if (args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined
        const text = readFileSync(args.path, 'utf8')
        if (!text.includes('import.meta.')) return { contents: text, loader: 'ts' }
        const rel = path.relative(root, args.path).split(path.sep).join('/')
        const dir = path.posix.dirname(rel)
        const url = (p) => `new URL(${JSON.stringify(p)}, __skimwatchRoot)`
        const contents = text
          .replaceAll('import.meta.url', `${url(rel)}.href`)
          .replaceAll(
            'import.meta.dirname',
            `__skimwatchPath(${url(`${dir}/`)}).replace(/\\/$/, '')`,
          )
          .replaceAll('import.meta.filename', `__skimwatchPath(${url(rel)})`)
        return { contents, loader: 'ts' }
      })
    },
  }
}

/** One builder at a time: concurrent `npm test` runs and test workers wait for each other. */
async function withLock(root, run) {
  const lock = path.join(dist(root), '.lock')
  mkdirSync(dist(root), { recursive: true })
  const deadline = Date.now() + 120_000
  for (;;) {
    try {
      mkdirSync(lock)
      break
    } catch (err) {
      if (err.code !== 'EEXIST') throw err
      // a builder that died leaves its lock behind; builds take seconds, not minutes
      if (Date.now() - statSync(lock, { throwIfNoEntry: false })?.mtimeMs > 120_000)
        rmSync(lock, { recursive: true, force: true })
      if (Date.now() > deadline) throw new Error(`${lock} is held by another build`)
      await new Promise((r) => setTimeout(r, 100))
    }
  }
  try {
    return await run()
  } finally {
    rmSync(lock, { recursive: true, force: true })
  }
}

/** Build when dist/ is missing or stale; the check is repeated under the lock. */
export async function ensureBuilt(root = ROOT) {
  if (staleReason(root) === null) return false
  return withLock(root, async () => {
    if (staleReason(root) === null) return false
    await build(root)
    return true
  })
}

async function cli(args) {
  if (args.includes('--check')) {
    const reason = staleReason()
    if (reason) process.stderr.write(`skimwatch: dist/ is stale: ${reason}\n`)
    return reason ? 1 : 0
  }
  if (args.includes('--if-stale')) await ensureBuilt()
  else await withLock(ROOT, () => build(ROOT))
  return 0
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  cli(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (err) => {
      process.stderr.write(`skimwatch: build failed: ${err.message}\n`)
      process.exitCode = 2
    },
  )
}
