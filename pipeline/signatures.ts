// The only reader of signature files: the detector itself does no I/O.
import { readFile, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { existsSync } from 'node:fs'
import {
  builtinSignatureInput,
  builtinSignatures,
  createDetector,
  type Detector,
} from '../detector/index.ts'
import { compileSignatures, type SignatureSet } from '../detector/signatures/compile.ts'

const YARA = /\.(yar|yara)$/i

export interface SignatureFiles {
  yara: { name: string; source: string }[]
  json: unknown[]
  jsonNames: string[]
  /** files that could not be read or parsed as JSON, reported like compile errors */
  unreadable: { file: string; message: string }[]
}

/** Read every *.yar, *.yara and *.json in `dir` (not recursive), sorted by name. */
export async function readSignatureDir(dir: string): Promise<SignatureFiles> {
  const out: SignatureFiles = { yara: [], json: [], jsonNames: [], unreadable: [] }
  const names = (await readdir(dir)).sort()
  for (const name of names) {
    const isYara = YARA.test(name)
    if (!isYara && !name.toLowerCase().endsWith('.json')) continue
    const text = await readFile(join(dir, name), 'utf8')
    if (isYara) {
      out.yara.push({ name, source: text })
      continue
    }
    try {
      out.json.push(JSON.parse(text))
      out.jsonNames.push(name)
    } catch (err) {
      out.unreadable.push({ file: name, message: `not valid JSON: ${(err as Error).message}` })
    }
  }
  return out
}

/**
 * Load and compile a signature directory. Broken files land in `set.errors` (with the file
 * name and the compiler's line) and the rest still work; call again to pick up changes.
 */
export async function loadSignatureDir(dir: string): Promise<SignatureSet> {
  const files = await readSignatureDir(dir)
  const set = compileSignatures(files)
  set.errors.push(...files.unreadable)
  return set
}

/** The shipped signatures plus an operator's directory of YARA and JSON files, when it exists. */
export async function loadSignatures(dir: string | undefined): Promise<SignatureSet> {
  if (!dir || !existsSync(dir)) return builtinSignatures()
  const builtin = builtinSignatureInput()
  const files = await readSignatureDir(dir)
  const set = compileSignatures({
    yara: [...builtin.yara, ...files.yara],
    json: [...builtin.json, ...files.json],
    jsonNames: [...(builtin.jsonNames ?? []), ...files.jsonNames],
  })
  set.errors.push(...files.unreadable)
  return set
}

/** One detector per process: its verdict cache is what makes jQuery on 10,000 shops cheap. */
export async function createPipelineDetector(
  dir: string | undefined,
  warn: (message: string) => void,
): Promise<Detector> {
  const signatures = await loadSignatures(dir)
  for (const e of signatures.errors) {
    warn(`signature file ${e.file}${e.line ? `:${e.line}` : ''} skipped: ${e.message}`)
  }
  return createDetector({ signatures })
}
