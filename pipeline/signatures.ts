// The only reader of signature files: the detector itself does no I/O.
import { readFile, readdir } from 'node:fs/promises'
import { join } from 'node:path'
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
