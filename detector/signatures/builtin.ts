import type { SignatureInput, SignatureSet } from './compile.ts'
import { compileSignatures, shippedIocFile } from './compile.ts'
import yara from './builtin-yara.json' with { type: 'json' }
import shipped from './default.json' with { type: 'json' }

const iocs = shippedIocFile(shipped)

let builtin: SignatureSet | undefined

/** The shipped signature texts, for merging with an operator's own directory. */
export function builtinSignatureInput(): SignatureInput {
  return { yara: [...yara], json: [iocs], jsonNames: ['default.json'] }
}

/** The shipped signature set (rules/*.yar embedded as JSON, default.json), compiled once, YARA on first need. */
export function builtinSignatures(): SignatureSet {
  builtin ??= compileSignatures(builtinSignatureInput(), { lazy: true })
  return builtin
}
