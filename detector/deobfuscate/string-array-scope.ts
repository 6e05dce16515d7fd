import type { AnyNode, Node } from 'acorn'
import { evaluate, NO_NAMES, type EvalHooks, type Value } from './evaluate.ts'
import { eachChild } from '../children.ts'
import { OBFUSCATOR_ALPHABET, STANDARD_ALPHABET } from './obfuscator-codec.ts'

// Scopes and definitions of a javascript-obfuscator output: which names hold the string array,
// which decode an index, and which merely forward to those (wrappers and aliases).

export type FunctionNode = AnyNode & {
  type: 'FunctionDeclaration' | 'FunctionExpression' | 'ArrowFunctionExpression'
}
export type CallNode = AnyNode & { type: 'CallExpression' }

export interface Scope {
  parent: Scope | undefined
  defs: Map<string, Def>
}

export interface ArrayDef {
  kind: 'array'
  values: string[]
  /** current left rotation, as the rotation loop's push(shift()) would leave it */
  shift: number
  /** false when a rotation loop exists that could not be solved */
  ok: boolean
  /** a counted rotation was seen (older releases): a second one leaves the array unread */
  turned?: boolean
  /** the declaration to drop from the rewritten text */
  decl: Node
}

export type Encoding = 'none' | 'base64' | 'rc4'

export type Def =
  | ArrayDef
  | {
      kind: 'decoder'
      fn: FunctionNode
      offset: number
      arrayName: string
      encoding: Encoding
      /** the base64 alphabet of 'base64' and 'rc4' */
      alphabet: string | undefined
      /** padding is stripped before decoding (`.replace(/=+$/, '')`) */
      stripsPadding: boolean
      decl: Node
    }
  | { kind: 'wrapper'; fn: FunctionNode; call: CallNode }
  /** `{ _0x1a: 0x10d, _0x2b: 'jMq4' }`: the arguments of decoder calls, moved out of them */
  | { kind: 'table'; values: Map<string, Value> }
  | { kind: 'alias'; target: string; scope: Scope }
  | { kind: 'other' }

const OTHER: Def = { kind: 'other' }

export interface ScopeInfo {
  scopeOf: Map<Node, Scope>
  /** every call of a plain name, with the scope it sits in */
  calls: { call: CallNode; scope: Scope }[]
  /** immediately invoked function expressions, candidates for the rotation loop */
  iifes: { call: CallNode; scope: Scope }[]
  /** `obj[call()]`: the member expression a call is the computed key of */
  memberOf: Map<Node, AnyNode & { type: 'MemberExpression' }>
  /**
   * names a table could not be read through: some member of it is written (`t.k = …`,
   * `t.k++`, `delete t.k`, a destructuring or for-in/of target), or the name is used other than
   * as the object of a member (an alias, an argument, assigned as a whole)
   */
  memberWritten: Set<string>
}

/** The names whose members a target (an assignment's left side, a pattern) writes. */
function writtenObjects(target: AnyNode, out: Set<string>, depth = 0): void {
  if (depth > 64) return
  if (target.type === 'MemberExpression') {
    if (target.object.type === 'Identifier') out.add(target.object.name)
  } else if (target.type === 'ArrayPattern') {
    for (const e of target.elements) if (e) writtenObjects(e as AnyNode, out, depth + 1)
  } else if (target.type === 'ObjectPattern') {
    for (const p of target.properties)
      writtenObjects((p.type === 'Property' ? p.value : p.argument) as AnyNode, out, depth + 1)
  } else if (target.type === 'AssignmentPattern')
    writtenObjects(target.left as AnyNode, out, depth + 1)
  else if (target.type === 'RestElement') writtenObjects(target.argument as AnyNode, out, depth + 1)
}

export function lookup(name: string, scope: Scope | undefined): [Def, Scope] | undefined {
  for (let s = scope; s; s = s.parent) {
    const d = s.defs.get(name)
    if (d) return [d, s]
  }
  return undefined
}

function isFunction(n: AnyNode): n is FunctionNode {
  return (
    n.type === 'FunctionDeclaration' ||
    n.type === 'FunctionExpression' ||
    n.type === 'ArrowFunctionExpression'
  )
}

/** `s.charCodeAt(i) ^ table[…]`, `s['charCodeAt'](i)^…`: a code XORed with the cipher stream. */
const RC4_XOR = /charCodeAt'?\]?\([^()]*\)\s*\^/

/** One iterative pass: a scope per function, var and function names hoisted into it. */
export function analyseScopes(ast: Node, source: string): ScopeInfo {
  const root: Scope = { parent: undefined, defs: new Map() }
  const info: ScopeInfo = {
    scopeOf: new Map([[ast, root]]),
    calls: [],
    iifes: [],
    memberOf: new Map(),
    memberWritten: new Set(),
  }
  const define = (scope: Scope, name: string, def: Def): void => {
    scope.defs.set(name, scope.defs.has(name) ? OTHER : def)
  }
  const names = new Map<string, number>()
  const objects = new Map<string, number>()
  const stack: [AnyNode, Scope][] = [[ast as AnyNode, root]]
  while (stack.length > 0) {
    const [n, scope] = stack.pop() as [AnyNode, Scope]
    let inner = scope
    if (isFunction(n)) {
      if (n.type === 'FunctionDeclaration' && n.id)
        define(scope, n.id.name, classifyFunction(n, n, source))
      inner = { parent: scope, defs: new Map() }
      info.scopeOf.set(n, inner)
      for (const p of n.params) if (p.type === 'Identifier') define(inner, p.name, OTHER)
    } else if (n.type === 'VariableDeclarator' && n.id.type === 'Identifier') {
      define(scope, n.id.name, n.init ? classifyInit(n.init as AnyNode, n, scope, source) : OTHER)
    } else if (n.type === 'CallExpression') {
      const callee = n.callee as AnyNode
      if (callee.type === 'Identifier') info.calls.push({ call: n, scope })
      else if (callee.type === 'FunctionExpression' && n.arguments.length >= 2)
        info.iifes.push({ call: n, scope })
    } else if (n.type === 'MemberExpression' && n.computed && n.property.type === 'CallExpression')
      info.memberOf.set(n.property, n)
    const written =
      n.type === 'AssignmentExpression'
        ? n.left
        : n.type === 'UpdateExpression' || (n.type === 'UnaryExpression' && n.operator === 'delete')
          ? n.argument
          : n.type === 'ForInStatement' || n.type === 'ForOfStatement'
            ? n.left
            : undefined
    if (written) writtenObjects(written as AnyNode, info.memberWritten)
    if (n.type === 'Identifier') names.set(n.name, (names.get(n.name) ?? 0) + 1)
    else if (n.type === 'MemberExpression' && n.object.type === 'Identifier')
      objects.set(n.object.name, (objects.get(n.object.name) ?? 0) + 1)
    else if (n.type === 'VariableDeclarator' && n.id.type === 'Identifier')
      objects.set(n.id.name, (objects.get(n.id.name) ?? 0) + 1)
    pushChildren(n, inner, stack)
  }
  // a name seen more often than as a member's object (or its declaration) is used otherwise
  for (const [name, seen] of names)
    if (seen > (objects.get(name) ?? 0)) info.memberWritten.add(name)
  return info
}

function pushChildren(n: AnyNode, scope: Scope, stack: [AnyNode, Scope][]): void {
  for (const key in n) {
    if (key === 'loc' || key === 'type') continue
    const v = (n as unknown as Record<string, unknown>)[key]
    if (v === null || typeof v !== 'object') continue
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) {
        const c = v[i] as AnyNode | null
        if (c && typeof c.type === 'string') stack.push([c, scope])
      }
    } else if (typeof (v as AnyNode).type === 'string') stack.push([v as AnyNode, scope])
  }
}

function classifyInit(init: AnyNode, decl: Node, scope: Scope, source: string): Def {
  if (init.type === 'Identifier') return { kind: 'alias', target: init.name, scope }
  if (isFunction(init)) return classifyFunction(init, decl, source)
  const values = stringArray(init)
  if (values) return { kind: 'array', values, shift: 0, ok: true, decl }
  return argumentTable(init) ?? OTHER
}

/** An object literal of plain keys and literal numbers and strings only. */
function argumentTable(init: AnyNode): Def | undefined {
  if (init.type !== 'ObjectExpression' || init.properties.length === 0) return undefined
  const values = new Map<string, Value>()
  for (const p of init.properties) {
    if (p.type !== 'Property' || p.computed || p.kind !== 'init' || p.method) return undefined
    const k = p.key as AnyNode
    const key =
      k.type === 'Identifier' ? k.name : k.type === 'Literal' ? String(k.value) : undefined
    const v = evaluate(p.value, NO_NAMES)
    if (key === undefined || v === undefined || values.has(key)) return undefined
    values.set(key, v)
  }
  return { kind: 'table', values }
}

/**
 * Hooks that read argument tables seen from `scope` (javascript-obfuscator's
 * `stringArrayCallsTransform`), and names through `name`: tables whose members the file writes
 * anywhere are not read.
 */
export function tableHooks(
  info: ScopeInfo,
  scope: Scope | undefined,
  name: EvalHooks['name'] = () => undefined,
  call: EvalHooks['call'] = () => undefined,
): EvalHooks {
  return {
    name,
    call,
    member: (object, key) => {
      if (info.memberWritten.has(object)) return undefined
      const def = lookup(object, scope)?.[0]
      return def?.kind === 'table' ? def.values.get(key) : undefined
    },
  }
}

function stringArray(n: AnyNode): string[] | undefined {
  if (n.type !== 'ArrayExpression' || n.elements.length === 0) return undefined
  const out: string[] = []
  for (const el of n.elements) {
    if (el?.type !== 'Literal' || typeof el.value !== 'string') return undefined
    out.push(el.value)
  }
  return out
}

function classifyFunction(fn: FunctionNode, decl: Node, source: string): Def {
  if (fn.body.type !== 'BlockStatement') {
    const body = fn.body as AnyNode
    return body.type === 'CallExpression' && body.callee.type === 'Identifier'
      ? { kind: 'wrapper', fn, call: body }
      : OTHER
  }
  const body = fn.body.body as AnyNode[]
  const first = body[0]
  if (body.length === 1 && first?.type === 'ReturnStatement') {
    const arg = first.argument as AnyNode | null | undefined
    if (arg?.type === 'CallExpression' && arg.callee.type === 'Identifier')
      return { kind: 'wrapper', fn, call: arg }
  }
  if (fn.params.length === 0) {
    for (const s of body)
      if (s.type === 'VariableDeclaration')
        for (const d of s.declarations) {
          const values = d.init ? stringArray(d.init as AnyNode) : undefined
          if (values) return { kind: 'array', values, shift: 0, ok: true, decl }
        }
    return OTHER
  }
  const found = indexing(fn) ?? redefined(fn)
  if (!found) return OTHER
  const { offset, arrayName } = found
  const text = unescapedText(fn, source)
  // the lowercase-first alphabet of current releases, RFC 4648's (or `atob`) in older ones
  const alphabet = text.includes(OBFUSCATOR_ALPHABET)
    ? OBFUSCATOR_ALPHABET
    : text.includes(STANDARD_ALPHABET) || /\batob\b/.test(text)
      ? STANDARD_ALPHABET
      : undefined
  // a decoder of some other kind: the partial evaluator reads it, or nothing does
  if (alphabet === undefined && /fromCharCode|charCodeAt/.test(text)) return OTHER
  // rc4 XORs each code with its cipher stream (a 256-entry table, whose size may be written as
  // arithmetic where 0x100 is only a term); base64 alone never XORs
  const rc4 = RC4_XOR.test(text) || (/\b(0x100|256)\b/.test(text) && text.includes('^'))
  const encoding: Encoding = alphabet === undefined ? 'none' : rc4 ? 'rc4' : 'base64'
  const stripsPadding = text.includes('/=+$/')
  return { kind: 'decoder', fn, offset, arrayName, encoding, alphabet, stripsPadding, decl }
}

/**
 * A function's text with every string literal written plainly, single-quoted: what it spells in
 * `\x61\x62…` escapes (`unicodeEscapeSequence`) reads as the words themselves.
 */
function unescapedText(fn: FunctionNode, source: string): string {
  const literals: AnyNode[] = []
  const stack: AnyNode[] = [fn]
  while (stack.length > 0) {
    const n = stack.pop() as AnyNode
    if (n.type === 'Literal') {
      if (typeof n.value === 'string') literals.push(n)
      continue
    }
    eachChild(n, (c) => stack.push(c))
  }
  literals.sort((a, b) => a.start - b.start)
  let out = ''
  let at = fn.start
  for (const l of literals) {
    out += `${source.slice(at, l.start)}'${(l as AnyNode & { value: string }).value}'`
    at = l.end
  }
  return out + source.slice(at, fn.end)
}

/** The index offset and the array a decoder reads, when it reads `array[index - offset]`. */
function indexing(fn: FunctionNode): { offset: number; arrayName: string } | undefined {
  const p0 = fn.params[0]
  if (p0?.type !== 'Identifier' || fn.body.type !== 'BlockStatement') return undefined
  const body = fn.body.body as AnyNode[]
  const offset = indexOffset(body, p0.name)
  const arrayName = offset === undefined ? undefined : arrayNameOf(body, p0.name)
  return offset === undefined || arrayName === undefined ? undefined : { offset, arrayName }
}

/**
 * 2.x releases' decoder replaces itself on its first call: `function d(a, b){ var t = arrayFn();
 * return d = function(i, k){ i = i - 0x85; var s = t[i]; … return s }, d(a, b) }`. The inner
 * function is the decoder, reading the array `arrayFn` gives.
 */
function redefined(fn: FunctionNode): { offset: number; arrayName: string } | undefined {
  if (fn.type !== 'FunctionDeclaration' || !fn.id || fn.body.type !== 'BlockStatement')
    return undefined
  const [decl, ret] = fn.body.body as AnyNode[]
  if (fn.body.body.length !== 2 || decl?.type !== 'VariableDeclaration') return undefined
  const d = decl.declarations[0]
  const init = d?.init as AnyNode | null | undefined
  if (decl.declarations.length !== 1 || d?.id.type !== 'Identifier') return undefined
  if (init?.type !== 'CallExpression' || init.arguments.length !== 0) return undefined
  if (init.callee.type !== 'Identifier') return undefined
  const seq = ret?.type === 'ReturnStatement' ? (ret.argument as AnyNode | null) : null
  if (seq?.type !== 'SequenceExpression' || seq.expressions.length !== 2) return undefined
  const [set, again] = seq.expressions as AnyNode[]
  // then `d(a, b)`: itself again, handed its own parameters in order
  if (again?.type !== 'CallExpression' || again.callee.type !== 'Identifier') return undefined
  if (again.callee.name !== fn.id.name || again.arguments.length !== fn.params.length)
    return undefined
  const handed = again.arguments.every((a, i) => {
    const p = fn.params[i] as AnyNode
    return a.type === 'Identifier' && p.type === 'Identifier' && a.name === p.name
  })
  if (!handed) return undefined
  if (set?.type !== 'AssignmentExpression' || set.operator !== '=') return undefined
  if (set.left.type !== 'Identifier' || set.left.name !== fn.id.name) return undefined
  const inner = set.right as AnyNode
  if (inner.type !== 'FunctionExpression') return undefined
  const found = indexing(inner)
  return found?.arrayName === d.id.name ? { ...found, arrayName: init.callee.name } : undefined
}

/** `i = i - 0x1a5` or `i -= 0x1a5` among the first statements: the index offset. */
function indexOffset(body: AnyNode[], param: string): number | undefined {
  for (const s of body.slice(0, 3)) {
    if (s.type !== 'ExpressionStatement' || s.expression.type !== 'AssignmentExpression') continue
    const a = s.expression
    if (a.left.type !== 'Identifier' || a.left.name !== param) continue
    let k: unknown
    if (a.operator === '-=') k = evaluate(a.right, NO_NAMES)
    else if (
      a.operator === '=' &&
      a.right.type === 'BinaryExpression' &&
      a.right.left.type === 'Identifier' &&
      a.right.left.name === param
    ) {
      const v = evaluate(a.right.right, NO_NAMES)
      if (typeof v === 'number')
        k = a.right.operator === '-' ? v : a.right.operator === '+' ? -v : undefined
    }
    if (typeof k === 'number' && Number.isFinite(k)) return k
  }
  return undefined
}

/**
 * `var a = ArrayFn()` (or `var s = arr[i]`, read at the index itself) inside the decoder: the
 * array's name. A decoder that reads some other place of the array is the evaluator's to run.
 */
function arrayNameOf(body: AnyNode[], index: string): string | undefined {
  for (const s of body.slice(0, 6)) {
    if (s.type !== 'VariableDeclaration') continue
    for (const d of s.declarations) {
      const init = d.init as AnyNode | null | undefined
      if (
        init?.type === 'CallExpression' &&
        init.callee.type === 'Identifier' &&
        init.arguments.length === 0
      )
        return init.callee.name
      if (
        init?.type === 'MemberExpression' &&
        init.computed &&
        init.object.type === 'Identifier' &&
        init.property.type === 'Identifier' &&
        init.property.name === index
      )
        return init.object.name
    }
  }
  return undefined
}
