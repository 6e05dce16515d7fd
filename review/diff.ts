// A line diff between a script and its previous version on the same site (jsdiff).
import { diffLines } from 'diff'

export interface DiffPart {
  op: 'same' | 'added' | 'removed'
  text: string
}

export interface ScriptDiff {
  domain: string
  url: string
  previousSha256: string
  parts: DiffPart[]
  /** set when the scripts are too large to diff here */
  skipped: string | null
}

// jsdiff is quadratic in the worst case: past this, the page says so instead of diffing
const MAX_DIFF_BYTES = 512 * 1024
// unchanged runs longer than this are folded to their first and last lines
const CONTEXT = 3

export function diffScripts(
  before: string,
  after: string,
): { parts: DiffPart[]; skipped: string | null } {
  if (before.length + after.length > MAX_DIFF_BYTES) {
    return { parts: [], skipped: `too large to diff here (${before.length + after.length} bytes)` }
  }
  const parts = diffLines(before, after).map((c): DiffPart => ({
    op: c.added ? 'added' : c.removed ? 'removed' : 'same',
    text: c.added || c.removed ? c.value : fold(c.value),
  }))
  return { parts, skipped: null }
}

function fold(text: string): string {
  const lines = text.split('\n')
  if (lines.length <= CONTEXT * 2 + 2) return text
  const hidden = lines.length - CONTEXT * 2 - 1
  return [
    ...lines.slice(0, CONTEXT),
    `… ${hidden} unchanged lines …`,
    ...lines.slice(-CONTEXT - 1),
  ].join('\n')
}
