// `npx tsx scripts/checkout-corpus.ts`: every file of fixtures/corpus/checkout-code.json is
// installed, parses as JavaScript (parse only, never run) and comes from the listed version.
// Exits 1 on a missing or unparsable file; a version that differs from the installed one is a warning.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'acorn'

interface Entry {
  file: string
  package: string
  version: string
  source: string
  what: string
}

const ROOT = join(import.meta.dirname, '..')
const corpus = JSON.parse(
  readFileSync(join(ROOT, 'fixtures/corpus/checkout-code.json'), 'utf8'),
) as { files: Entry[] }

function parses(code: string): boolean {
  for (const sourceType of ['script', 'module'] as const) {
    try {
      parse(code, { ecmaVersion: 'latest', sourceType })
      return true
    } catch {
      // try the other source type
    }
  }
  return false
}

let missing = 0
let unparsable = 0
let drifted = 0
const packages = new Set<string>()
for (const e of corpus.files) {
  packages.add(e.package)
  const path = join(ROOT, e.file)
  if (!existsSync(path)) {
    console.error(`missing: ${e.file}`)
    missing++
    continue
  }
  if (!parses(readFileSync(path, 'utf8'))) {
    console.error(`does not parse: ${e.file}`)
    unparsable++
  }
  const pkgJson = join(ROOT, 'node_modules', e.package, 'package.json')
  const installed = existsSync(pkgJson)
    ? (JSON.parse(readFileSync(pkgJson, 'utf8')) as { version: string }).version
    : undefined
  if (installed !== e.version) {
    console.warn(`version: ${e.package} listed ${e.version}, installed ${installed ?? 'none'}`)
    drifted++
  }
}

const ok = corpus.files.length - missing - unparsable
console.log(
  `checkout corpus: ${ok}/${corpus.files.length} files present and parsing, ${packages.size} packages` +
    (drifted ? `, ${drifted} version warning(s)` : ''),
)
if (missing || unparsable) process.exit(1)
