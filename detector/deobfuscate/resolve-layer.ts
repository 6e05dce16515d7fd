import type { Node } from 'acorn'
import type { Budget } from '../collect.ts'
import { undoObfuscator, type Rewritten } from './obfuscator.ts'
import { callControllerEdits } from './call-controllers.ts'
import { resolveStatically, type Focus, type Known, type Resolved } from './partial.ts'
import { parseStrict } from '../parse.ts'
import { splice } from './splice.ts'

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
  const out = unguarded(resolved) ?? resolved
  return {
    ast: out.ast,
    source: out.source,
    position: (offset) => fast.position(out.origin(offset)),
  }
}

/**
 * The obfuscator's once-run guards that control-flow flattening kept apart from their call (in
 * two cases of its switch) come together once the evaluator has put the cases back in order:
 * moved out then, a second evaluation reads the functions they were in.
 */
type Layer = Pick<Resolved, 'ast' | 'source' | 'origin'>

function unguarded(resolved: Resolved): Layer | undefined {
  const edits = callControllerEdits(resolved.ast, resolved.source)
  if (!edits) return undefined
  const spliced = splice(resolved.source, edits)
  if (spliced.text.length > EVALUATE_BYTES) return undefined
  const ast = parseStrict(spliced.text)
  if (!ast) return undefined
  let again: Resolved | undefined
  try {
    again = resolveStatically(ast, spliced.text, undefined, false)
  } catch {
    // the first evaluation stands: a second one that fails takes nothing from it
    return undefined
  }
  const inMoved = (offset: number): number => resolved.origin(spliced.origin(offset))
  if (!again) return { ast, source: spliced.text, origin: inMoved }
  const done = again
  return { ast: done.ast, source: done.source, origin: (offset) => inMoved(done.origin(offset)) }
}
