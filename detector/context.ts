import type { Allowlist } from './allowlist.ts'
import type { SignatureSet } from './signatures/compile.ts'

/** What the caller knows about where a script came from, and which data to judge it with. */
export interface AnalyzeContext {
  /** the script's own URL; null for inline and generated code */
  url?: string | null
  /** the page it ran on */
  pageUrl?: string
  /** compiled signatures (see pipeline/signatures.ts); the built-in set when absent */
  signatures?: SignatureSet
  /** known-good scripts and hosts; the built-in list when absent */
  allowlist?: Allowlist
}
