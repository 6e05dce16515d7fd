import type { AnyNode, Node } from 'acorn'
import { parseStrict } from '../parse.ts'
import { callControllerEdits } from './call-controllers.ts'
import { storageEdits } from './control-flow-storage.ts'
import { literalMemberEdits, objectKeyEdits } from './object-keys.ts'
import { lineStarts, positionIn, splice, type Edit, type Position } from './splice.ts'
import { stringArrayEdits } from './string-array.ts'
import { walkFull } from '../walk.ts'
import { evaluate, NO_NAMES } from './evaluate.ts'

// Undo javascript-obfuscator statically: string arrays first, then control-flow storage objects
// (whose helpers nest, so that pass repeats until nothing changes). Never runs the sample.

const STORAGE_ROUNDS = 8

export interface Rewritten {
  ast: Node
  source: string
  /** position in the original file of an offset in `source` */
  position: (offset: number) => Position
  /** only values the caller already knew were written: `ast` is the input's, not reparsed */
  known?: true
}

export function undoObfuscator(ast: Node, source: string): Rewritten | undefined {
  const first = stringArrayEdits(ast, source)
  if (!first) return undefined
  const origins: ((offset: number) => number)[] = []
  let cur = apply(source, first, origins)
  // the obfuscator's own once-run guards, out of the functions they were put in
  const guards = cur && callControllerEdits(cur.ast, cur.text)
  cur = (guards && cur && apply(cur.text, guards, origins)) || cur
  // objects built key by key first: the storage pass reads literals
  for (let i = 0; cur && i < STORAGE_ROUNDS; i++) {
    const edits = objectKeyEdits(cur.ast, cur.text)
    const next = edits ? apply(cur.text, edits, origins) : undefined
    if (!next) break
    cur = next
  }
  for (let i = 0; cur && i < STORAGE_ROUNDS; i++) {
    const edits: Edit[] | undefined = storageEdits(cur.ast, cur.text)
    const next = edits ? apply(cur.text, edits, origins) : undefined
    if (!next) break
    cur = next
  }
  // members named by a literal read as written before: `o['send']()` is `o.send()`
  const named = cur && literalMemberEdits(cur.ast, cur.text)
  cur = (named && cur && apply(cur.text, named, origins)) || cur
  if (!cur) return undefined
  const lines = lineStarts(source)
  return {
    ast: cur.ast,
    source: cur.text,
    position: (offset) => {
      let o = offset
      for (let i = origins.length - 1; i >= 0; i--) o = (origins[i] as (n: number) => number)(o)
      return positionIn(lines, o)
    },
  }
}

function apply(
  text: string,
  edits: Edit[],
  origins: ((offset: number) => number)[],
): { ast: Node; text: string } | undefined {
  const spliced = splice(text, edits)
  const ast = parseStrict(spliced.text)
  if (!ast) return undefined
  origins.push(spliced.origin)
  return { ast, text: spliced.text }
}

export function looksLikeStringArray(init: Node): boolean {
  const n = init as AnyNode
  if (n.type !== 'ArrayExpression' || n.elements.length < 2) return false
  const first = n.elements[0]
  return first?.type === 'Literal' && typeof first.value === 'string'
}

/**
 * Watches nodes for javascript-obfuscator's layout (a string array and a decoder function), and
 * counts one-line operator wrappers (`function (x, y) { return x * y }`, `function (y) { return
 * y }`) in their densest
 * stretch: obfuscators that route arithmetic through tables write dozens side by side, code
 * written by people a few here and there.
 */
export function shapeWatch(): {
  watch: (n: Node) => void
  found: () => boolean
  /** the most one-line operator wrappers within a few KB of each other */
  wrappers: () => number
} {
  let array = false
  let decoder = false
  const wrappers: number[] = []
  const watch = (n: Node): void => {
    if (n.type === 'VariableDeclarator') {
      const init = (n as AnyNode & { type: 'VariableDeclarator' }).init
      if (!array && init) array = looksLikeStringArray(init)
    } else if (n.type === 'FunctionDeclaration' || n.type === 'FunctionExpression') {
      const fn = n as AnyNode & { type: 'FunctionDeclaration' | 'FunctionExpression' }
      if (operatorWrapper(fn)) wrappers.push(fn.start)
      else if (!decoder && looksLikeDecoder(fn)) decoder = true
    }
  }
  return { watch, found: () => array && decoder, wrappers: () => densest(wrappers) }
}

/** Span of text in which operator wrappers are counted: one obfuscator table, not a library. */
const WRAPPER_SPAN = 4096

/** The most wrappers that start within any WRAPPER_SPAN characters. */
function densest(starts: number[]): number {
  const at = [...starts].sort((a, b) => a - b)
  let best = 0
  for (let lo = 0, hi = 0; hi < at.length; hi++) {
    while ((at[hi] as number) - (at[lo] as number) >= WRAPPER_SPAN) lo++
    best = Math.max(best, hi - lo + 1)
  }
  return best
}

/**
 * `function (x, y) { return x OP y }`, an operator written as a function of its operands, or
 * `function (y) { return y }`, the pass-through such tables hold beside them.
 */
function operatorWrapper(
  fn: AnyNode & { type: 'FunctionDeclaration' | 'FunctionExpression' },
): boolean {
  const [x, y] = fn.params
  const only = fn.body.body.length === 1 ? (fn.body.body[0] as AnyNode) : undefined
  if (x?.type !== 'Identifier' || only?.type !== 'ReturnStatement' || !only.argument) return false
  const e = only.argument as AnyNode
  if (fn.params.length === 1) return e.type === 'Identifier' && e.name === x.name
  return (
    fn.params.length === 2 &&
    y?.type === 'Identifier' &&
    (e.type === 'BinaryExpression' || e.type === 'LogicalExpression') &&
    e.left.type === 'Identifier' &&
    e.right.type === 'Identifier' &&
    e.left.name === x.name &&
    e.right.name === y.name
  )
}

/** A string array and a decoder function somewhere in the file: javascript-obfuscator's layout. */
export function obfuscatorShape(ast: Node): boolean {
  const shape = shapeWatch()
  walkFull(ast, shape.watch)
  return shape.found()
}

/** `i = i - 0x1a5` first, then `var a = arrayFn()`: the head of a string-array decoder. */
export function looksLikeDecoder(
  fn: AnyNode & { type: 'FunctionDeclaration' | 'FunctionExpression' },
): boolean {
  const p = fn.params[0]
  const [first, second] = fn.body.body as AnyNode[]
  if (p?.type !== 'Identifier' || first?.type !== 'ExpressionStatement') return false
  const e = first.expression as AnyNode
  if (e.type !== 'AssignmentExpression' || e.left.type !== 'Identifier' || e.left.name !== p.name)
    return false
  const k = (
    e.operator === '=' && e.right.type === 'BinaryExpression' ? e.right.right : e.right
  ) as AnyNode
  // a number, written as one or as arithmetic on literals (`-0x1d*0x5b+0x1c9e+…`)
  if (typeof evaluate(k, NO_NAMES) !== 'number' || (e.operator !== '-=' && e.operator !== '='))
    return false
  const init =
    second?.type === 'VariableDeclaration' ? (second.declarations[0]?.init as AnyNode | null) : null
  return (
    (init?.type === 'CallExpression' && init.arguments.length === 0) ||
    (init?.type === 'MemberExpression' && init.computed)
  )
}
