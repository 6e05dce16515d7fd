import type { AnyNode, Node } from 'acorn'
import { patternNames } from '../scope.ts'
import { walkFull } from '../walk.ts'
import type { Edit } from './splice.ts'

// javascript-obfuscator injects its self-defending, console-silencing, debugger and domain-lock
// code into the first functions of a file, each as `var y = once(this, function () {…}); y()`
// (a "call controller" that runs its function once). In a decoder that makes every call impure
// and the evaluator gives up on it. The pair is moved out to the end of the file: its text stays
// for the rules (a console overwrite, a debugger loop are evidence), its run leaves the function.

type Body = readonly AnyNode[]
type Fn = AnyNode & { type: 'FunctionExpression' }

/** Every name read or declared in a subtree (property names excluded). */
function namesIn(node: Node): string[] {
  const out: string[] = []
  walkFull(node, (n) => {
    if (n.type === 'Identifier') out.push(n.name)
  })
  return out
}

/**
 * `var once = (function () { … return function (ctx, fn) { … } }())`: the obfuscator's call
 * controller, a function made by an immediately called one that takes a context and a function.
 */
function controllers(ast: Node): Set<string> {
  const out = new Set<string>()
  walkFull(ast, (n) => {
    if (n.type !== 'VariableDeclarator' || n.id.type !== 'Identifier') return
    const init = n.init as AnyNode | null
    if (init?.type !== 'CallExpression' || init.arguments.length > 0) return
    const maker = init.callee as AnyNode
    if (maker.type !== 'FunctionExpression') return
    // the last statement, inside the blocks an unflattened switch leaves
    let last = maker.body.body[maker.body.body.length - 1] as AnyNode | undefined
    while (last?.type === 'BlockStatement') last = last.body[last.body.length - 1] as AnyNode
    const made = last?.type === 'ReturnStatement' ? (last.argument as AnyNode | null) : null
    if (made?.type === 'FunctionExpression' && made.params.length === 2) out.add(n.id.name)
  })
  return out
}

/** `y = once(this, function () {…})` with `once` a call controller: the name and its function. */
function controlled(d: AnyNode, once: Set<string>): { name: string; fn: Fn } | undefined {
  if (d.type !== 'VariableDeclarator' || d.id.type !== 'Identifier') return undefined
  const init = d.init as AnyNode | null
  if (init?.type !== 'CallExpression' || init.callee.type !== 'Identifier') return undefined
  if (!once.has(init.callee.name)) return undefined
  const [self, fn] = init.arguments as AnyNode[]
  if (init.arguments.length !== 2 || self?.type !== 'ThisExpression') return undefined
  return fn?.type === 'FunctionExpression' ? { name: d.id.name, fn } : undefined
}

/** `y();` as a whole statement. */
function callsBare(s: AnyNode, name: string): boolean {
  if (s.type !== 'ExpressionStatement') return false
  const e = s.expression as AnyNode
  return (
    e.type === 'CallExpression' &&
    e.arguments.length === 0 &&
    e.callee.type === 'Identifier' &&
    e.callee.name === name
  )
}

/** Names a declaration binds: `var a`, `function f`, parameters, `catch (e)`. */
function boundBy(n: AnyNode): string[] {
  if (n.type === 'VariableDeclarator') return patternNames(n.id as AnyNode)
  if (n.type === 'CatchClause') return patternNames(n.param as AnyNode | null)
  if (
    n.type === 'FunctionDeclaration' ||
    n.type === 'FunctionExpression' ||
    n.type === 'ArrowFunctionExpression'
  )
    return [
      ...(n.type !== 'ArrowFunctionExpression' && n.id ? [n.id.name] : []),
      ...n.params.flatMap((q) => patternNames(q as AnyNode)),
    ]
  if (n.type === 'ClassDeclaration' && n.id) return [n.id.name]
  return []
}

/**
 * Whether `fn` reads a name `owner` binds outside `fn`, other than `allowed` (its own name and
 * the call controllers, which carry no data of the page).
 */
function readsOuter(fn: Fn, owner: AnyNode, allowed: ReadonlySet<string>): boolean {
  const outside = new Set<string>()
  walkFull(owner, (n) => {
    if (n.start >= fn.start && n.end <= fn.end) return
    for (const name of boundBy(n)) if (!allowed.has(name)) outside.add(name)
  })
  const inside = new Set<string>()
  walkFull(fn, (n) => {
    if (n !== fn) for (const name of boundBy(n)) inside.add(name)
  })
  // functions the guard declares and never names again are never run: what they read is not read
  const names = namesIn(fn.body)
  const dead: { start: number; end: number }[] = []
  walkFull(fn.body, (n) => {
    if (
      n.type === 'FunctionDeclaration' &&
      n.id &&
      names.filter((x) => x === n.id?.name).length === 1
    )
      dead.push({ start: n.start, end: n.end })
  })
  let reads = false
  walkFull(fn.body, (n) => {
    if (reads || n.type !== 'Identifier' || !outside.has(n.name) || inside.has(n.name)) return
    reads = !dead.some((d) => d.start <= n.start && n.end <= d.end)
  })
  return reads
}

interface Move {
  source: string
  edits: Edit[]
  moved: string[]
  /** ranges of guards already moved: a pair inside one goes with it */
  taken: { start: number; end: number }[]
  once: Set<string>
  /** how often each name occurs in the whole file */
  occurs: Map<string, number>
}

function moveOut(owner: AnyNode, body: Body, m: Move): void {
  for (let i = 0; i < body.length; i++) {
    const s = body[i] as AnyNode
    if (s.type !== 'VariableDeclaration') continue
    for (const d of s.declarations as AnyNode[]) {
      const pair = controlled(d, m.once)
      if (!pair || m.taken.some((t) => t.start <= d.start && d.end <= t.end)) continue
      const call = body.slice(i + 1).find((t) => callsBare(t, pair.name))
      if (!call) continue
      const inGuard = namesIn(pair.fn)
      // `y` is the pair's own: declared, called, and read only by its guard
      const own = inGuard.filter((x) => x === pair.name).length
      if ((m.occurs.get(pair.name) ?? 0) !== own + 2) continue
      // the guard reads nothing of the function it is in: moved, it still means the same
      if (readsOuter(pair.fn, owner, new Set([pair.name, ...m.once]))) continue
      const init = (d as AnyNode & { type: 'VariableDeclarator' }).init as AnyNode
      m.moved.push(`var ${pair.name}=${m.source.slice(init.start, init.end)};${pair.name}();`)
      m.taken.push({ start: init.start, end: init.end })
      m.edits.push({ start: init.start, end: init.end, text: '0' })
      m.edits.push({ start: call.start, end: call.end, text: ';' })
    }
  }
}

/** Edits that move call-controlled code out of the functions it was put in; undefined: none. */
export function callControllerEdits(ast: Node, source: string): Edit[] | undefined {
  const once = controllers(ast)
  if (once.size === 0) return undefined
  const occurs = new Map<string, number>()
  for (const name of namesIn(ast)) occurs.set(name, (occurs.get(name) ?? 0) + 1)
  const m: Move = { source, edits: [], moved: [], taken: [], once, occurs }
  walkFull(ast, (n) => {
    if (
      (n.type === 'FunctionDeclaration' ||
        n.type === 'FunctionExpression' ||
        n.type === 'ArrowFunctionExpression') &&
      n.body.type === 'BlockStatement'
    )
      moveOut(n as AnyNode, n.body.body as AnyNode[], m)
  })
  if (m.edits.length === 0) return undefined
  m.edits.push({ start: source.length, end: source.length, text: `\n;${m.moved.join('\n')}` })
  return m.edits
}
