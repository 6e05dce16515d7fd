import type { AnyNode, Node } from 'acorn'
import * as walk from 'acorn-walk'
import { calleeName, propertyName, type DecodeKind } from './deobfuscate/fold.ts'
import type { ScriptFacts, Site } from './facts.ts'
import { GLOBAL_OBJECTS, snippetOf } from './paths.ts'

// Small pieces of the per-layer collection: sites, fact bookkeeping, shapes it looks for.

export const LOOPS = new Set([
  'ForStatement',
  'ForInStatement',
  'ForOfStatement',
  'WhileStatement',
  'DoWhileStatement',
])

/** Shared by every plain literal; nothing appends to a fact's decode kinds. */
export const PLAIN: DecodeKind[] = []
export const ESCAPED: DecodeKind[] = ['escape']

/** A site whose snippet is cut only when a finding shows it: most sites never do. */
export class LazySite implements Site {
  constructor(
    readonly line: number,
    readonly column: number,
    readonly layer: number,
    private readonly source: string,
    readonly node: Node,
  ) {}

  get snippet(): string {
    return snippetOf(this.source, this.node)
  }
}

export function rootName(node: Node): string | undefined {
  const root = rootOf(node)
  return root.type === 'Identifier' ? root.name : undefined
}

/** `p` of `this.p` (`#p` of `this.#p`), also under a chain written through it (`this.p.q`). */
export function thisKey(node: Node): string | undefined {
  let m = node as AnyNode
  while (m.type === 'MemberExpression' && m.object.type === 'MemberExpression') m = m.object
  if (m.type !== 'MemberExpression' || m.object.type !== 'ThisExpression') return undefined
  const p = m.property as AnyNode
  if (p.type === 'PrivateIdentifier') return `#${p.name}`
  return propertyName(m)
}

/** The name a class field declares: `buf`, `#buf`, `'buf'`. */
export function fieldKey(k: AnyNode): string | undefined {
  if (k.type === 'Identifier') return k.name
  if (k.type === 'PrivateIdentifier') return `#${k.name}`
  return k.type === 'Literal' && typeof k.value === 'string' ? k.value : undefined
}

/** The innermost object of a member chain: `a` in `a.b[c].d`. */
export function rootOf(node: Node): AnyNode {
  let cur = node as AnyNode
  while (cur.type === 'MemberExpression' && cur.object.type !== 'Super') cur = cur.object as AnyNode
  return cur
}

/** A number written in the code: `7`, `-12`. */
export const isNumber = (n: AnyNode): boolean =>
  (n.type === 'Literal' && typeof n.value === 'number') ||
  (n.type === 'UnaryExpression' && n.operator === '-' && isNumber(n.argument as AnyNode))

/**
 * Encoded data written in the code: an array of numbers, or a string no one would read (no
 * spaces, digits among letters, or characters words and keys do not use). A label or a
 * translation key (`__('Save')`, `t('cart.title')`) is neither.
 */
function constantData(n: AnyNode): boolean {
  if (isNumber(n)) return true
  if (n.type === 'Literal' && typeof n.value === 'string') {
    const v = n.value
    return (
      v.length >= 8 &&
      !/\s/.test(v) &&
      (/[^\w.-]/.test(v) || (/\d/.test(v) && /[a-z]/i.test(v) && !/[._-]/.test(v)))
    )
  }
  return (
    n.type === 'ArrayExpression' &&
    n.elements.length > 1 &&
    n.elements.every((e) => e !== null && isNumber(e as AnyNode))
  )
}

/** `get h() { return dec([104, 116, …]) }`: a getter that only decodes a constant. */
export function decodingGetter(p: AnyNode & { type: 'Property' }): boolean {
  const fn = p.value as AnyNode
  if (p.kind !== 'get' || fn.type !== 'FunctionExpression') return false
  const body = (fn.body as AnyNode & { body: AnyNode[] }).body
  const ret = body.length === 1 ? body[0] : undefined
  const call = ret?.type === 'ReturnStatement' ? (ret.argument as AnyNode | null) : undefined
  if (call?.type !== 'CallExpression' || call.callee.type !== 'Identifier') return false
  const args = call.arguments as AnyNode[]
  return args.length > 0 && args.every(constantData)
}

export function isSizeCheck(n: AnyNode & { type: 'BinaryExpression' }): boolean {
  if (n.left.type !== 'MemberExpression' || n.right.type !== 'MemberExpression') return false
  const a = propertyName(n.left)
  const b = propertyName(n.right)
  return (a === 'outerWidth' && b === 'innerWidth') || (a === 'outerHeight' && b === 'innerHeight')
}

export function collectDebuggerTraps(
  ast: Node,
  facts: ScriptFacts,
  siteOf: (n: Node) => Site,
): void {
  walk.ancestor(ast, {
    DebuggerStatement(node, _state, ancestors) {
      const trapped = ancestors.some((a, i) => {
        if (LOOPS.has(a.type)) return true
        const parent = ancestors[i - 1] as AnyNode | undefined
        if (
          !/Function/.test(a.type) ||
          parent?.type !== 'CallExpression' ||
          parent.callee.type === 'Super'
        )
          return false
        return /^set(Interval|Timeout)$/.test(calleeName(parent.callee) ?? '')
      })
      if (trapped) facts.debuggerTraps.push(siteOf(node))
    },
  })
}

export type Counts = ReturnType<typeof factCounts>

export function factCounts(f: ScriptFacts) {
  return {
    strings: f.strings.length,
    regexes: f.regexes.length,
    calls: f.calls.length,
    assigns: f.assigns.length,
    members: f.members.length,
    sizeChecks: f.sizeChecks.length,
    comparisons: f.comparisons.length,
  }
}

/** Drop the facts collected in [from, to) whose node lies inside one of `spans`. */
export function dropWithin(f: ScriptFacts, from: Counts, to: Counts, spans: Node[]): void {
  const inside = (n: Node): boolean => spans.some((s) => n.start >= s.start && n.end <= s.end)
  const atInside = (site: Site): boolean => site instanceof LazySite && inside(site.node)
  const keep = <T>(list: T[], key: keyof Counts, out: (x: T) => boolean): void => {
    const tail = list.splice(to[key]) // facts added after `to` stay as they are
    const kept = list.splice(from[key]).filter((x) => !out(x))
    list.push(...kept, ...tail)
  }
  keep(f.strings, 'strings', (s) => atInside(s.site))
  keep(f.regexes, 'regexes', (r) => atInside(r.site))
  keep(f.calls, 'calls', (c) => inside(c.node))
  keep(f.assigns, 'assigns', (a) => inside(a.node))
  keep(f.members, 'members', (m) => inside(m.node))
  keep(f.sizeChecks, 'sizeChecks', atInside)
  keep(f.comparisons, 'comparisons', (c) => inside(c.node))
}

/** `console`, `window.console`, `console.log`: a reference that is truthy when a console is there. */
function consoleRef(n: AnyNode): boolean {
  if (n.type === 'Identifier') return n.name === 'console'
  if (n.type !== 'MemberExpression' || n.object.type === 'Super') return false
  const o = n.object as AnyNode
  if (o.type === 'Identifier' && o.name === 'console') return true
  const global =
    (o.type === 'Identifier' && GLOBAL_OBJECTS.has(o.name)) || o.type === 'ThisExpression'
  return propertyName(n) === 'console' && global
}

/**
 * Whether `test` holds when the page has a console ('present'), or when it has none ('absent'):
 * `typeof console !== 'undefined'`, `'log' in console`, `window.console`, negations, and
 * conjunctions (an `else` of `has && more` still runs where there is none).
 */
export function consoleTest(test: Node): ConsoleState {
  // called for every test in a layer: written to allocate nothing
  const t = test as AnyNode
  switch (t.type) {
    case 'Identifier':
    case 'MemberExpression':
      return consoleRef(t) ? 'present' : undefined
    case 'UnaryExpression':
      return t.operator === '!' ? flipped(consoleTest(t.argument)) : undefined
    // a minifier folds the statements before an `if` into its test: the last one decides
    case 'SequenceExpression': {
      const last = t.expressions[t.expressions.length - 1]
      return last ? consoleTest(last) : undefined
    }
    case 'LogicalExpression': {
      const want = t.operator === '&&' ? 'present' : t.operator === '||' ? 'absent' : undefined
      if (want === undefined) return undefined
      return consoleTest(t.left) === want || consoleTest(t.right) === want ? want : undefined
    }
    case 'BinaryExpression': {
      if (t.operator === 'in') return consoleRef(t.right as AnyNode) ? 'present' : undefined
      const a = t.left as AnyNode
      const b = t.right as AnyNode
      if (!((typeofConsole(a) && isUndefinedText(b)) || (typeofConsole(b) && isUndefinedText(a))))
        return undefined
      if (t.operator === '!==' || t.operator === '!=') return 'present'
      return t.operator === '===' || t.operator === '==' ? 'absent' : undefined
    }
    default:
      return undefined
  }
}

type ConsoleState = 'present' | 'absent' | undefined

const flipped = (v: ConsoleState): ConsoleState =>
  v === 'present' ? 'absent' : v === 'absent' ? 'present' : undefined

const typeofConsole = (x: AnyNode): boolean =>
  x.type === 'UnaryExpression' && x.operator === 'typeof' && consoleRef(x.argument as AnyNode)

const isUndefinedText = (x: AnyNode): boolean => x.type === 'Literal' && x.value === 'undefined'

/**
 * The part of an `if`, `?:`, `||` or `&&` that runs only where the page has no console
 * (`else console = { log: function () {} }`): code there stands in for a missing console.
 */
export function consoleFallback(n: AnyNode): Node | undefined {
  if (n.type === 'IfStatement' || n.type === 'ConditionalExpression') {
    const when = consoleTest(n.test)
    if (when === 'present') return n.alternate ?? undefined
    return when === 'absent' ? n.consequent : undefined
  }
  if (n.type === 'LogicalExpression') {
    const when = consoleTest(n.left)
    if (n.operator === '||' && when === 'present') return n.right
    if (n.operator === '&&' && when === 'absent') return n.right
  }
  return undefined
}
