import type { Node } from 'acorn'
import type { Budget } from '../collect.ts'
import { undoObfuscator, type Rewritten } from './obfuscator.ts'
import { resolveStatically, type Focus, type Known } from './partial.ts'

// The statically resolved form of one layer: javascript-obfuscator's own layout is undone
// first when it is there (a fast path), then the partial evaluator resolves what is left.

/** Inputs larger than this are resolved only by the fast path. */
const EVALUATE_BYTES = 1024 * 1024

export function resolveLayer(
  ast: Node,
  source: string,
  obfuscatorShape: boolean,
  budget: Budget,
  /** what a first look already knew: a rewrite of only that is marked `known` and not reparsed */
  known?: Known,
  /** the parts of the file worth resolving, when not all are (see Focus) */
  focus?: Focus,
): Rewritten | undefined {
  const fast = obfuscatorShape ? undoObfuscator(ast, source) : undefined
  const base = fast ?? { ast, source, position: undefined }
  if (base.source.length > EVALUATE_BYTES || base.source.length > budget.bytesLeft) return fast
  let resolved
  try {
    resolved = fast
      ? resolveStatically(base.ast, base.source, undefined, false)
      : resolveStatically(base.ast, base.source, known, true, focus)
  } catch (err) {
    if (err instanceof RangeError) return fast
    throw err
  }
  if (!resolved) return fast
  if (!fast) return resolved
  return {
    ast: resolved.ast,
    source: resolved.source,
    position: (offset) => fast.position(resolved.origin(offset)),
  }
}
