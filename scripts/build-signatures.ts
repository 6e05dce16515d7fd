// Embeds detector/signatures/rules/*.yar into builtin-yara.json so the detector needs no fs at run time.
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { readSignatureDir } from '../pipeline/signatures.ts'

const dir = join(import.meta.dirname, '../detector/signatures/rules')
const files = await readSignatureDir(dir)
const out = join(import.meta.dirname, '../detector/signatures/builtin-yara.json')
await writeFile(out, `${JSON.stringify(files.yara, null, 1)}\n`)
console.log(`wrote ${files.yara.length} YARA files to ${out}`)
