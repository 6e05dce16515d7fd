import type { AnyNode, Node } from 'acorn'
import { walkFull } from '../walk.ts'
import type { Edit } from './splice.ts'
import { quote } from './string-array.ts'
import { evaluate, NO_NAMES } from './evaluate.ts'

// javascript-obfuscator's controlFlowFlattening moves strings and operators into a storage
// object (`var o = {abc: 'https://…', xyz: function (a, b) { return a + b }}`); inline them back.

type Entry = { kind: 'string'; value: string } | { kind: 'fn'; params: string[]; body: Node }

const SIMPLE = new Set([
  'Identifier',
  'Literal',
  'MemberExpression',
  'CallExpression',
  'ThisExpression',
])

/** Edits that inline storage reads and calls; undefined when there is nothing to inline. */
export function storageEdits(ast: Node, source: string): Edit[] | undefined {
  const declared = new Map<string, number>()
  const storages = new Map<string, Map<string, Entry>>()
  const written = new Set<string>()
  // `var b = a`: the obfuscator reads a storage object through a second name
  const aliases = new Map<string, string>()
  const count = (name: string): void => {
    declared.set(name, (declared.get(name) ?? 0) + 1)
  }
  // a name read other than as `name.key`, `var name = …` or `var b = name` may be changed
  // where it goes (`Object.assign(a, …)`, `setup(a)`): its entries are not known
  const uses = new Map<string, number>()
  const use = (name: string, by: number): void => {
    uses.set(name, (uses.get(name) ?? 0) + by)
  }
  walkFull(ast, (n) => {
    if (n.type === 'Identifier') use(n.name, 1)
    else if (n.type === 'MemberExpression' && n.object.type === 'Identifier') use(n.object.name, -1)
    if (n.type === 'VariableDeclarator' && n.id.type === 'Identifier') {
      use(n.id.name, -1)
      if (n.init?.type === 'Identifier') use(n.init.name, -1)
      count(n.id.name)
      const entries = n.init ? storageOf(n.init as AnyNode) : undefined
      if (entries) storages.set(n.id.name, entries)
      else if (n.init?.type === 'Identifier') aliases.set(n.id.name, n.init.name)
    } else if (n.type === 'FunctionDeclaration' || n.type === 'FunctionExpression') {
      if (n.id) count(n.id.name)
      for (const p of n.params) if (p.type === 'Identifier') count(p.name)
    } else if (n.type === 'AssignmentExpression') {
      const root = rootOf(n.left as AnyNode)
      if (root) written.add(root)
    }
  })
  // a write through a second name changes the object it names
  for (const [alias, target] of aliases) if (written.has(alias)) written.add(target)
  const own = (name: string): boolean =>
    declared.get(name) === 1 && !written.has(name) && (uses.get(name) ?? 0) <= 0
  const usable = (name: string): Map<string, Entry> | undefined => {
    if (!own(name)) return undefined
    const target = aliases.get(name)
    return target === undefined
      ? storages.get(name)
      : own(target)
        ? storages.get(target)
        : undefined
  }
  if (![...storages.keys()].some((k) => usable(k))) return undefined
  const edits: Edit[] = []
  const calls = new Set<Node>()
  // Whatever replaces a whole call argument needs no parentheses: `f(a % b)`, not `f((a % b))`.
  const argNodes = new Set<Node>()
  walkFull(ast, (n) => {
    if (n.type === 'CallExpression' || n.type === 'NewExpression')
      for (const a of n.arguments) argNodes.add(a)
  })
  walkFull(ast, (n) => {
    if (n.type === 'CallExpression' && n.callee.type === 'MemberExpression') {
      const e = entryOf(n.callee as AnyNode, usable)
      if (e?.kind !== 'fn') return
      calls.add(n.callee)
      const args = n.arguments.map((a) => ({
        text: source.slice(a.start, a.end),
        simple: SIMPLE.has(a.type),
      }))
      const inlined = substitute(e, args, source)
      edits.push({
        start: n.start,
        end: n.end,
        text: SIMPLE.has(e.body.type) || argNodes.has(n) ? inlined : `(${inlined})`,
      })
    } else if (n.type === 'MemberExpression' && !calls.has(n)) {
      const e = entryOf(n, usable)
      if (e?.kind === 'string') edits.push({ start: n.start, end: n.end, text: quote(e.value) })
    }
  })
  return edits.length > 0 ? edits : undefined
}

function storageOf(init: AnyNode): Map<string, Entry> | undefined {
  if (init.type !== 'ObjectExpression' || init.properties.length === 0) return undefined
  const out = new Map<string, Entry>()
  for (const p of init.properties) {
    if (p.type !== 'Property' || p.computed || p.kind !== 'init') return undefined
    const key =
      p.key.type === 'Identifier'
        ? p.key.name
        : p.key.type === 'Literal'
          ? String(p.key.value)
          : undefined
    const v = p.value as AnyNode
    if (key === undefined) return undefined
    // a string, or one split into pieces joined with `+` (splitStrings)
    const text =
      v.type === 'Literal' || v.type === 'BinaryExpression' ? evaluate(v, NO_NAMES) : undefined
    if (typeof text === 'string') out.set(key, { kind: 'string', value: text })
    else if (v.type === 'FunctionExpression') {
      const ret = helperReturn(v.body.body as AnyNode[])
      if (!ret) return undefined
      if (!v.params.every((q) => q.type === 'Identifier')) return undefined
      const params = v.params.map((q) => (q as AnyNode & { name: string }).name)
      out.set(key, { kind: 'fn', params, body: ret })
    }
    // any other entry is left where it is read (and hides one of the same key written before
    // it); the strings and helpers beside it are still known
    else out.delete(key)
  }
  return out
}

/**
 * A helper's returned expression: `return a - b`, possibly after leftover string-array wrapper
 * aliases (`var _0x41ca67 = _0x5eaac8`) and wrapper functions that nothing reads once the strings are
 * inlined.
 */
function helperReturn(body: AnyNode[]): Node | undefined {
  const ret = body[body.length - 1]
  if (ret?.type !== 'ReturnStatement' || !ret.argument) return undefined
  const aliases = new Set<string>()
  for (const st of body.slice(0, -1)) {
    // wrappers the string-array pass left behind, unused once their strings are inlined
    if (st.type === 'FunctionDeclaration' && st.id) {
      aliases.add(st.id.name)
      continue
    }
    if (st.type !== 'VariableDeclaration') return undefined
    for (const d of st.declarations) {
      if (d.id.type !== 'Identifier' || d.init?.type !== 'Identifier') return undefined
      aliases.add(d.id.name)
    }
  }
  let used = false
  if (aliases.size > 0)
    walkFull(ret.argument, (n) => {
      if (n.type === 'Identifier' && aliases.has(n.name)) used = true
    })
  return used ? undefined : ret.argument
}

function entryOf(
  m: AnyNode,
  usable: (name: string) => Map<string, Entry> | undefined,
): Entry | undefined {
  if (m.type !== 'MemberExpression' || m.object.type !== 'Identifier') return undefined
  const key =
    !m.computed && m.property.type === 'Identifier'
      ? m.property.name
      : m.property.type === 'Literal'
        ? String(m.property.value)
        : undefined
  return key === undefined ? undefined : usable(m.object.name)?.get(key)
}

/** The helper's return expression with each parameter replaced by the call's argument text. */
function substitute(
  e: Entry & { kind: 'fn' },
  args: { text: string; simple: boolean }[],
  source: string,
): string {
  const body = e.body
  // A parameter that is a whole call argument needs no parentheses around what replaces it.
  const bare = new Set<Node>([body])
  const parts: { start: number; end: number; text: string }[] = []
  walkFull(body, (n) => {
    if (n.type === 'CallExpression') for (const a of n.arguments) bare.add(a)
  })
  walkFull(body, (n) => {
    if (n.type !== 'Identifier') return
    const i = e.params.indexOf(n.name)
    if (i < 0) return
    const a = args[i]
    const text = !a ? 'undefined' : a.simple || bare.has(n) ? a.text : `(${a.text})`
    parts.push({ start: n.start, end: n.end, text })
  })
  parts.sort((a, b) => a.start - b.start)
  let out = ''
  let from = body.start
  for (const p of parts) {
    out += source.slice(from, p.start) + p.text
    from = p.end
  }
  return out + source.slice(from, body.end)
}

function rootOf(n: AnyNode): string | undefined {
  let cur = n
  while (cur.type === 'MemberExpression') cur = cur.object as AnyNode
  return cur.type === 'Identifier' ? cur.name : undefined
}
