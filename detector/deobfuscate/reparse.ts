// The tree of an edited program without parsing all of it again. The evaluator's edits are
// few and local (a decoder call becomes a literal, a dead branch goes): only the statements
// that hold an edit are parsed again, each alone, and the rest of the old tree is kept, its
// offsets moved by what the edits before them added or removed. Whatever this cannot do
// exactly as a whole parse would (a region that does not parse alone, a label from outside,
// a new directive), it declines, and the caller parses the whole text.
import type { AnyNode, Node, Options } from 'acorn'
import { parseGuarded } from '../parse.ts'
import { eachChild } from '../children.ts'
import type { Edit } from './splice.ts'

interface Region {
  /** the statement list holding the statements, the first one's index there and how many */
  list: AnyNode[]
  index: number
  count: number
  start: number
  end: number
  /** the code around the statement: its function's kind, the labels it may jump to */
  context: Context
  edits: Edit[]
}

interface Context {
  async: boolean
  generator: boolean
  /** a derived class's constructor: `super(…)` may be called */
  constructs: boolean
  labels: string[]
}

// at the top level `await` is an operator (the parse allows it outside functions)
const TOP: Context = { async: true, generator: false, constructs: false, labels: [] }

const OPTIONS: Options = {
  ecmaVersion: 'latest',
  allowHashBang: true,
  allowReturnOutsideFunction: true,
  allowImportExportEverywhere: true,
  allowAwaitOutsideFunction: true,
  allowSuperOutsideMethod: true,
}

/** The statement list of a node, when it has one. */
function statementList(n: AnyNode): AnyNode[] | undefined {
  switch (n.type) {
    case 'Program':
    case 'BlockStatement':
    case 'StaticBlock':
      return n.body as AnyNode[]
    case 'SwitchCase':
      return n.consequent as AnyNode[]
    default:
      return undefined
  }
}

const contains = (n: Node, start: number, end: number): boolean => n.start <= start && end <= n.end

/** The innermost statement of some statement list that holds [start, end], with its context. */
function regionOf(root: AnyNode, start: number, end: number): Omit<Region, 'edits'> | undefined {
  let found: Omit<Region, 'edits'> | undefined
  let context = TOP
  let node: AnyNode | undefined = root
  let derived = false
  let constructor: AnyNode | undefined
  while (node) {
    const here: AnyNode = node
    node = undefined
    if (here.type === 'ClassDeclaration' || here.type === 'ClassExpression')
      derived = here.superClass !== null && here.superClass !== undefined
    if (here.type === 'MethodDefinition' && here.kind === 'constructor' && derived)
      constructor = here.value as AnyNode
    if (
      here.type === 'FunctionDeclaration' ||
      here.type === 'FunctionExpression' ||
      here.type === 'ArrowFunctionExpression'
    ) {
      // `super(…)` is callable in a derived class's constructor and its arrow functions
      const constructs =
        here === constructor || (here.type === 'ArrowFunctionExpression' && context.constructs)
      context = { async: here.async, generator: here.generator, constructs, labels: [] }
    } else if (here.type === 'LabeledStatement')
      context = { ...context, labels: [...context.labels, here.label.name] }
    const list = statementList(here)
    if (list) {
      const index = indexHolding(list, start, end)
      if (index < 0) break
      const stmt = list[index] as AnyNode
      found = { list, index, count: 1, start: stmt.start, end: stmt.end, context }
      node = stmt
      continue
    }
    eachChild(here, (c) => {
      if (!node && contains(c, start, end)) node = c
    })
  }
  return found
}

/** Index of the statement holding [start, end] in a list sorted by offset; -1 when none. */
function indexHolding(list: AnyNode[], start: number, end: number): number {
  // the first statement that ends at or after `start`: an insertion where one statement ends
  // and the next begins belongs to the first (it closes what an edit opened in it)
  let lo = 0
  let hi = list.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if ((list[mid] as AnyNode).end < start) lo = mid + 1
    else hi = mid
  }
  for (const i of [lo, lo + 1]) {
    const s = list[i]
    if (s && contains(s, start, end)) return i
  }
  return -1
}

/** The regions holding the edits (sorted, non-overlapping: splice's kept edits), merged. */
function regionsOf(root: AnyNode, source: string, edits: readonly Edit[]): Region[] | undefined {
  const out: Region[] = []
  for (const e of edits) {
    const r = regionOf(root, e.start, e.end)
    if (!r) return undefined
    // statements nest or lie apart: earlier regions inside this one join it
    const taken: Edit[] = []
    while (out.length > 0 && (out[out.length - 1] as Region).start >= r.start)
      taken.unshift(...(out.pop() as Region).edits)
    const last = out[out.length - 1]
    if (taken.length === 0 && last && r.end <= last.end) {
      last.edits.push(e)
      continue
    }
    if (last && r.start < last.end) return undefined
    out.push({ ...r, edits: [...taken, e] })
  }
  return joinNeighbours(out.map((r) => widen(r, source)))
}

/**
 * A statement ended by a line break rather than a semicolon ends there only because of the
 * next token: when an edit changes the tokens at a region's edge, the statement on the other
 * side is parsed with it.
 */
function widen(r: Region, source: string): Region {
  let { index, count } = r
  const before = r.list[index - 1]
  if (before && source.charCodeAt(before.end - 1) !== SEMICOLON) {
    index--
    count++
  }
  const lastEdit = r.edits[r.edits.length - 1] as Edit
  const after = r.list[r.index + r.count]
  if (after && (lastEdit.end >= r.end || source.charCodeAt(r.end - 1) !== SEMICOLON)) count++
  const first = r.list[index] as AnyNode
  const last = r.list[index + count - 1] as AnyNode
  return { ...r, index, count, start: first.start, end: last.end }
}

const SEMICOLON = 0x3b

/** Widened regions that now overlap become one (nested: the outer one; siblings: both). */
function joinNeighbours(regions: Region[]): Region[] | undefined {
  const out: Region[] = []
  for (const next of regions) {
    let r = next
    for (let last = out.at(-1); last && last.end > r.start; last = out.at(-1)) {
      out.pop()
      const joined = join(last, r)
      if (!joined) return undefined
      r = joined
    }
    out.push(r)
  }
  return out
}

function join(a: Region, b: Region): Region | undefined {
  const edits = [...a.edits, ...b.edits]
  if (a.start <= b.start && b.end <= a.end) return { ...a, edits }
  if (b.start <= a.start && a.end <= b.end) return { ...b, edits }
  if (a.list !== b.list) return undefined
  const index = Math.min(a.index, b.index)
  const end = Math.max(a.index + a.count, b.index + b.count)
  const first = a.list[index] as AnyNode
  const last = a.list[end - 1] as AnyNode
  return { ...a, index, count: end - index, start: first.start, end: last.end, edits }
}

/** Statements parsed from `text`, offsets moved by `shift`; undefined when not exactly so. */
function parseRegion(text: string, context: Context, module: boolean, shift: number) {
  const fn = context.constructs
    ? 'class _ extends Object{constructor(){'
    : `${context.async ? 'async ' : ''}function${context.generator ? '*' : ''} _(){`
  const head = `${fn}${context.labels.map((l) => `${l}:`).join('')}for(;;){`
  const tail = context.constructs ? '\n}}}' : '\n}}'

  let program: AnyNode
  try {
    program = parseGuarded(`${head}${text}${tail}`, {
      ...OPTIONS,
      sourceType: module ? 'module' : 'script',
    }) as AnyNode
  } catch (err) {
    if (err instanceof RangeError) throw err
    return undefined
  }
  const body = (program as AnyNode & { type: 'Program' }).body
  if (body.length !== 1) return undefined
  let loop = wrapperStatement(body[0] as AnyNode)
  while (loop?.type === 'LabeledStatement') loop = loop.body as AnyNode
  if (loop?.type !== 'ForStatement' || loop.body.type !== 'BlockStatement') return undefined
  // the region's text must be exactly the loop's body: nothing closed early
  if (loop.body.end !== head.length + text.length + 2) return undefined
  const statements = loop.body.body as AnyNode[]
  // a string statement could be a directive where it lands, which a whole parse would mark
  for (const s of statements)
    if (s.type === 'ExpressionStatement' && s.expression.type === 'Literal') return undefined
  const delta = shift - head.length
  for (const s of statements)
    move(
      s,
      () => true,
      (o) => o + delta,
    )
  return statements
}

/** The first statement of the wrapper's function (or class constructor). */
function wrapperStatement(top: AnyNode): AnyNode | undefined {
  if (top.type === 'FunctionDeclaration') return top.body.body[0] as AnyNode | undefined
  if (top.type !== 'ClassDeclaration') return undefined
  const ctor = top.body.body[0] as AnyNode | undefined
  if (ctor?.type !== 'MethodDefinition') return undefined
  return (ctor.value as AnyNode & { type: 'FunctionExpression' }).body.body[0] as
    AnyNode | undefined
}

/** Move the offsets of `n` and its subtree by `to`, except subtrees `keep` says no to. */
function move(n: AnyNode, keep: (n: AnyNode) => boolean, to: (o: number) => number): void {
  if (!keep(n)) return
  n.start = to(n.start)
  n.end = to(n.end)
  // `export { a }` and `import { a }` hold one node under both names: it moves once
  if (
    (n.type === 'ExportSpecifier' && n.exported === n.local) ||
    (n.type === 'ImportSpecifier' && n.imported === n.local)
  )
    return move(n.local as AnyNode, keep, to)
  eachChild(n, (c) => move(c, keep, to))
}

let generation = 0

/**
 * Counts the trees changed in place: a cache keyed by nodes (a function's returns, a block's
 * scoping) is valid only while this stays the same.
 */
export function treeGeneration(): number {
  return generation
}

/**
 * The tree of `text`, which is `source` with `edits` applied (splice's kept edits), built from
 * `ast` (the tree of `source`, taken over: it is changed in place). Undefined when it declines;
 * `ast` is then unchanged.
 */
export function reparseEdited(
  ast: Node,
  source: string,
  edits: readonly Edit[],
  text: string,
): Node | undefined {
  const root = ast as AnyNode
  if (root.type !== 'Program' || edits.length === 0) return undefined
  const regions = regionsOf(root, source, edits)
  if (!regions) return undefined
  const module = root.sourceType === 'module'
  const order = new Map(edits.map((e, i) => [e, i]))
  for (const r of regions)
    r.edits.sort((x, y) => (order.get(x) as number) - (order.get(y) as number))
  // the new text of each region, and the total growth of the regions before each one
  const parts: string[] = []
  const growth: number[] = [0]
  const parsed: AnyNode[][] = []
  let from = 0
  let grown = 0
  for (const r of regions) {
    let piece = ''
    let at = r.start
    for (const e of r.edits) {
      piece += source.slice(at, e.start) + e.text
      at = e.end
    }
    piece += source.slice(at, r.end)
    parts.push(source.slice(from, r.start), piece)
    from = r.end
    const statements = parseRegion(piece, r.context, module, r.start + grown)
    if (!statements) return undefined
    parsed.push(statements)
    grown += piece.length - (r.end - r.start)
    growth.push(grown)
  }
  parts.push(source.slice(from))
  // the edits' order inside splice decides the text: any other grouping is declined
  if (parts.join('') !== text) return undefined
  const ends = regions.map((r) => r.end)
  const to = (o: number): number => {
    let lo = 0
    let hi = ends.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if ((ends[mid] as number) <= o) lo = mid + 1
      else hi = mid
    }
    return o + (growth[lo] as number)
  }
  generation++
  const replaced = new Set(regions.flatMap((r) => r.list.slice(r.index, r.index + r.count)))
  const first = (regions[0] as Region).start
  move(root, (n) => !replaced.has(n) && n.end > first, to)
  // last to first: each statement list's indexes stay right while splicing
  for (let i = regions.length - 1; i >= 0; i--) {
    const r = regions[i] as Region
    r.list.splice(r.index, r.count, ...(parsed[i] as AnyNode[]))
  }
  return ast
}
