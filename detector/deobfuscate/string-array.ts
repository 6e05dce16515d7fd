import type { AnyNode, Node } from 'acorn'
import { evaluate, NO_NAMES, type Value } from './evaluate.ts'
import { obfuscatorBase64, obfuscatorRc4 } from './obfuscator-codec.ts'
import type { Edit } from './splice.ts'
import { LOOPS } from '../collect-parts.ts'
import { eachChild } from '../children.ts'
import {
  analyseScopes,
  lookup,
  tableHooks,
  type ArrayDef,
  type Def,
  type FunctionNode,
  type Scope,
  type ScopeInfo,
} from './string-array-scope.ts'

// javascript-obfuscator's string arrays, resolved statically: find the array, solve its rotation
// by evaluating only the parseInt checksum, then replace each decoder call by its string.

const MAX_HOPS = 24
/** Decodes spent solving rotations; a hostile file cannot make us spin. */
const ROTATION_BUDGET = 400_000

interface Resolver {
  call(name: string, scope: Scope, argv: Value[], hops?: number): string | undefined
}

function createResolver(info: ScopeInfo, used: Set<Def>): Resolver {
  const call = (name: string, scope: Scope, argv: Value[], hops = 0): string | undefined => {
    if (hops > MAX_HOPS) return undefined
    const found = lookup(name, scope)
    if (!found) return undefined
    const [def] = found
    switch (def.kind) {
      case 'alias':
        return call(def.target, def.scope, argv, hops + 1)
      case 'wrapper': {
        const fnScope = info.scopeOf.get(def.fn)
        if (!fnScope) return undefined
        const params = paramNames(def.fn)
        const inner: Value[] = []
        for (const a of def.call.arguments) {
          const v = evaluate(
            a,
            tableHooks(info, fnScope, (n) => {
              const i = params.indexOf(n)
              return i >= 0 ? argv[i] : undefined
            }),
          )
          if (v === undefined) return undefined
          inner.push(v)
        }
        const callee = def.call.callee as AnyNode & { type: 'Identifier' }
        return call(callee.name, fnScope, inner, hops + 1)
      }
      case 'decoder': {
        const arr = lookup(def.arrayName, info.scopeOf.get(def.fn))?.[0]
        if (arr?.kind !== 'array' || !arr.ok) return undefined
        const idx = Number(argv[0]) - def.offset
        if (!Number.isInteger(idx) || idx < 0 || idx >= arr.values.length) return undefined
        const raw = arr.values[(idx + arr.shift) % arr.values.length] as string
        const out =
          def.encoding === 'none'
            ? raw
            : def.encoding === 'base64'
              ? obfuscatorBase64(raw, def.alphabet, def.stripsPadding)
              : obfuscatorRc4(raw, String(argv[1] ?? ''), def.alphabet, def.stripsPadding)
        if (out !== undefined) {
          used.add(def)
          used.add(arr)
        }
        return out
      }
      default:
        return undefined
    }
  }
  return { call }
}

function paramNames(fn: FunctionNode): string[] {
  return fn.params.map((p) => (p.type === 'Identifier' ? p.name : ''))
}

/** Edits that inline every resolvable string-array call; undefined when none resolve. */
export function stringArrayEdits(ast: Node, source: string): Edit[] | undefined {
  const info = analyseScopes(ast, source)
  const used = new Set<Def>()
  const resolver = createResolver(info, used)
  const removed: Node[] = []
  for (const { call, scope } of info.iifes) {
    const solved = solveRotation(call, scope, info, resolver)
    if (solved) removed.push(call)
  }
  const edits: Edit[] = []
  for (const { call, scope } of info.calls) {
    const callee = call.callee as AnyNode & { type: 'Identifier' }
    const argv: Value[] = []
    for (const a of call.arguments) {
      const v = a.type === 'SpreadElement' ? undefined : evaluate(a, tableHooks(info, scope))
      if (v === undefined) break
      argv.push(v)
    }
    if (argv.length !== call.arguments.length) continue
    const s = resolver.call(callee.name, scope, argv)
    if (s !== undefined) edits.push(inline(source, call, s, info.memberOf.get(call)))
  }
  if (edits.length === 0) return undefined
  for (const def of used) if (def.kind === 'array' || def.kind === 'decoder') removed.push(def.decl)
  for (const node of removed) edits.push({ start: node.start, end: node.end, text: removal(node) })
  return edits
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/
type MemberNode = AnyNode & { type: 'MemberExpression' }

/**
 * `o[…]` (`o?.[…]`) written `o.name` (`o?.name`): the edit, when `name` is an identifier and
 * the bracket follows the object. Not after a number (`1['toString']`: `1.toString` does not
 * parse).
 */
export function dotted(source: string, member: MemberNode, name: string): Edit | undefined {
  const o = member.object as AnyNode
  if (!IDENTIFIER.test(name) || (o.type === 'Literal' && typeof o.value === 'number'))
    return undefined
  const open = source.indexOf('[', o.end)
  const before = source.slice(o.end, Math.max(open, o.end)).trim()
  if (open < 0 || open > member.property.start || before !== (member.optional ? '?.' : ''))
    return undefined
  const start = member.optional ? source.indexOf('?.', o.end) : open
  // `a[k]instanceof B` needs a space once the bracket is gone
  const glued = /[\w$\\\u0080-\uffff]/.test(source.charAt(member.end)) ? ' ' : ''
  return { start, end: member.end, text: `${member.optional ? '?.' : '.'}${name}${glued}` }
}

/** `obj[f(1)]` becomes `obj.name` when it can, so rules and YARA see the plain spelling. */
function inline(source: string, call: Node, s: string, member: MemberNode | undefined): Edit {
  return (
    (member && dotted(source, member, s)) ?? {
      start: call.start,
      end: call.end,
      text: quote(s),
    }
  )
}

/** A single-quoted JavaScript string literal, the spelling obfuscated sources started from. */
export function quote(s: string): string {
  return `'${s.replace(/[\\'\n\r\u2028\u2029]/g, (c) => (c === '\\' || c === "'" ? `\\${c}` : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`))}'`
}

/** A removed declaration leaves a statement or an expression of the same syntactic role. */
function removal(node: Node): string {
  const n = node as AnyNode
  if (n.type === 'FunctionDeclaration') return ';'
  if (n.type === 'VariableDeclarator') return `${(n.id as AnyNode & { name: string }).name}=0`
  return '0'
}

/**
 * The rotation loop `while(!![]){try{var x=parseInt(f(1))/1+…;if(x===t)break;else
 * a.push(a.shift())}catch(e){a.push(a.shift())}}`: try each rotation, evaluating only the checksum.
 */
function solveRotation(
  call: AnyNode & { type: 'CallExpression' },
  scope: Scope,
  info: ScopeInfo,
  resolver: Resolver,
): boolean {
  const fn = call.callee as FunctionNode
  const arg0 = call.arguments[0] as AnyNode
  if (arg0.type !== 'Identifier') return false
  const arr = lookup(arg0.name, scope)?.[0]
  if (arr?.kind !== 'array') return false
  // an array rotated in a way not solved here stays unread
  arr.ok = false
  const target = evaluate(call.arguments[1] as Node, NO_NAMES)
  const checksum = checksumOf(fn)
  const fnScope = info.scopeOf.get(fn)
  if (typeof target !== 'number' || !fnScope) return false
  if (!checksum) {
    // a second rotation of the same array is not the template: the array stays unread
    if (arr.turned || !turnedByCount(fn) || !Number.isInteger(target) || target < 0) {
      arr.turned = true
      return false
    }
    arr.turned = true
    arr.shift = target % arr.values.length
    arr.ok = true
    return true
  }
  const n = arr.values.length
  const perTry = Math.max(1, countCalls(checksum))
  const hooks = tableHooks(info, fnScope, undefined, (name, argv) =>
    resolveWith(arr, () => resolver.call(name, fnScope, argv)),
  )
  for (let r = 0; r < n && r * perTry < ROTATION_BUDGET; r++) {
    arr.shift = r
    if (evaluate(checksum, hooks) === target) {
      arr.ok = true
      return true
    }
  }
  arr.shift = 0
  return false
}

type Fn = FunctionNode & { body: AnyNode & { type: 'BlockStatement' } }

const isPlainFunction = (n: AnyNode | null | undefined): n is Fn =>
  (n?.type === 'FunctionExpression' || n?.type === 'FunctionDeclaration') &&
  n.body.type === 'BlockStatement'

const paramAt = (fn: FunctionNode, i: number): string | undefined => {
  const p = fn.params[i]
  return p?.type === 'Identifier' ? p.name : undefined
}

const isName = (n: AnyNode | null | undefined, name: string | undefined): boolean =>
  name !== undefined && n?.type === 'Identifier' && n.name === name

/** `a.push(a.shift())` (`a['push'](a['shift']())`) on the array named `arr`. */
function turnsArray(n: AnyNode, arr: string): boolean {
  const method = (m: AnyNode, name: string): boolean =>
    m.type === 'MemberExpression' &&
    isName(m.object as AnyNode, arr) &&
    (m.computed
      ? (m.property as AnyNode).type === 'Literal' &&
        (m.property as AnyNode & { value: unknown }).value === name
      : isName(m.property as AnyNode, name))
  if (n.type !== 'CallExpression' || !method(n.callee as AnyNode, 'push')) return false
  const inner = n.arguments[0] as AnyNode | undefined
  return (
    n.arguments.length === 1 &&
    inner?.type === 'CallExpression' &&
    inner.arguments.length === 0 &&
    method(inner.callee as AnyNode, 'shift')
  )
}

/** `function(c){ while(--c){ a.push(a.shift()) } }`: turns `a` one less time than it is told. */
function isCountedTurn(fn: AnyNode, arr: string): boolean {
  if (!isPlainFunction(fn) || fn.params.length !== 1) return false
  const c = paramAt(fn, 0)
  const [loop] = fn.body.body as AnyNode[]
  if (fn.body.body.length !== 1 || loop?.type !== 'WhileStatement') return false
  const test = loop.test as AnyNode
  if (test.type !== 'UpdateExpression' || test.operator !== '--' || !test.prefix) return false
  if (!isName(test.argument as AnyNode, c)) return false
  let body = loop.body as AnyNode
  if (body.type === 'BlockStatement' && body.body.length === 1) body = body.body[0] as AnyNode
  return body.type === 'ExpressionStatement' && turnsArray(body.expression as AnyNode, arr)
}

/** A call whose only argument is `++name`. */
function bumpsInto(n: AnyNode, callee: string | undefined, name: string | undefined): boolean {
  const arg =
    n.type === 'CallExpression' && n.arguments.length === 1
      ? (n.arguments[0] as AnyNode)
      : undefined
  return (
    arg?.type === 'UpdateExpression' &&
    arg.operator === '++' &&
    arg.prefix &&
    isName(arg.argument as AnyNode, name) &&
    isName((n as AnyNode & { callee: AnyNode }).callee, callee)
  )
}

/** The rotation IIFE is a few KB of the obfuscator's template; larger ones are not read. */
const TURN_BYTES = 64 * 1024

/** The name a node is bound to, when it is the value of `var x = …` or of `{ k: … }`. */
function boundName(n: AnyNode, parent: AnyNode | undefined): string | undefined {
  if (parent?.type === 'VariableDeclarator' && parent.init === n && parent.id.type === 'Identifier')
    return `var ${parent.id.name}`
  if (parent?.type === 'Property' && parent.value === n && !parent.computed) {
    const k = parent.key as AnyNode
    const key =
      k.type === 'Identifier' ? k.name : k.type === 'Literal' ? String(k.value) : undefined
    return key === undefined ? undefined : `key ${key}`
  }
  return undefined
}

/**
 * Older releases rotate with no checksum: `(function(a, n){ var t = function(c){ while(--c)
 * a.push(a.shift()) }; t(++n) }(arr, 0x85))`, so the array turns exactly `n` times. Their
 * self-defending form makes the call through a helper, `h(t, n)` with `h = function(f, x){
 * f(++x) }`, from functions each called once. Whether the IIFE is that template: nothing else
 * reads or writes `a` or `n`, the one call is in no loop (and, made directly, is a statement of
 * the IIFE itself), and every function it sits in is called at most once.
 */
function turnedByCount(fn: FunctionNode): boolean {
  const arr = paramAt(fn, 0)
  const count = paramAt(fn, 1)
  if (!arr || !count || fn.body.type !== 'BlockStatement') return false
  if (fn.end - fn.start > TURN_BYTES) return false
  // the turn is one of the IIFE's own declarations: checked before any walk
  let turnFn: AnyNode | undefined
  let turn: string | undefined
  for (const st of fn.body.body as AnyNode[])
    if (st.type === 'VariableDeclaration')
      for (const d of st.declarations)
        if (d.id.type === 'Identifier' && d.init && isCountedTurn(d.init as AnyNode, arr)) {
          if (turn) return false
          turn = d.id.name
          turnFn = d.init as AnyNode
        }
  if (!turn || !turnFn) return false
  const parent = new Map<AnyNode, AnyNode>()
  const refs = new Map<string, AnyNode[]>()
  const uses = new Map<string, AnyNode[]>()
  const named = new Map<string, AnyNode>()
  const add = (m: Map<string, AnyNode[]>, k: string, v: AnyNode): void => {
    const list = m.get(k)
    if (list) list.push(v)
    else m.set(k, [v])
  }
  const stack: AnyNode[] = [fn.body as AnyNode]
  while (stack.length > 0) {
    const n = stack.pop() as AnyNode
    const up = parent.get(n)
    const bound = boundName(n, up)
    if (bound) named.set(bound, n)
    if (n.type === 'Identifier') {
      const declared =
        (up?.type === 'VariableDeclarator' && up.id === n) ||
        ((up?.type === 'FunctionExpression' || up?.type === 'FunctionDeclaration') &&
          (up.id === n || up.params.includes(n as never)))
      const keyName =
        (up?.type === 'MemberExpression' && up.property === n && !up.computed) ||
        (up?.type === 'Property' && up.key === n && !up.computed)
      if (!declared && !keyName) add(refs, n.name, n)
      if (keyName && up?.type === 'MemberExpression') add(uses, `key ${n.name}`, up)
    } else if (n.type === 'MemberExpression' && n.computed) {
      const p = n.property as AnyNode
      if (p.type === 'Literal' && typeof p.value === 'string') add(uses, `key ${p.value}`, n)
    }
    eachChild(n, (c) => {
      parent.set(c, n)
      stack.push(c)
    })
  }
  const within = (n: AnyNode, outer: AnyNode): boolean => {
    for (let x: AnyNode | undefined = n; x; x = parent.get(x)) if (x === outer) return true
    return false
  }
  // the array is touched by the turn alone; the count and the turn are each used once
  if ((refs.get(arr) ?? []).some((r) => !within(r, turnFn))) return false
  const [countRef, ...moreCount] = refs.get(count) ?? []
  const [turnRef, ...moreTurn] = refs.get(turn) ?? []
  if (!countRef || !turnRef || moreCount.length > 0 || moreTurn.length > 0) return false
  const bump = parent.get(countRef)
  const direct = bump && parent.get(bump)
  if (
    direct &&
    bumpsInto(direct, turn, count) &&
    (direct as { callee: AnyNode }).callee === turnRef
  ) {
    const statement = parent.get(direct)
    if (statement?.type !== 'ExpressionStatement' || parent.get(statement) !== fn.body) return false
    return true
  }
  // through the helper: `h(t, n)`, h used nowhere else
  const call = parent.get(countRef)
  if (call?.type !== 'CallExpression' || call.arguments.length !== 2) return false
  const [f, x] = call.arguments as AnyNode[]
  const callee = call.callee as AnyNode
  if (f !== turnRef || x !== countRef || callee.type !== 'Identifier') return false
  const helper = named.get(`var ${callee.name}`)
  if (!isPlainFunction(helper) || (refs.get(callee.name) ?? []).length !== 1) return false
  const [only] = helper.body.body as AnyNode[]
  if (
    helper.body.body.length !== 1 ||
    only?.type !== 'ExpressionStatement' ||
    !bumpsInto(only.expression as AnyNode, paramAt(helper, 0), paramAt(helper, 1))
  )
    return false
  const site = call
  // no loop on the way out, and each function on the way is called at most once
  for (let x: AnyNode | undefined = parent.get(site); x && x !== fn.body; x = parent.get(x)) {
    if (LOOPS.has(x.type)) return false
    if (x.type !== 'FunctionExpression' && x.type !== 'ArrowFunctionExpression') continue
    const up = parent.get(x)
    if (up?.type === 'CallExpression' && up.callee === x) continue
    const name = boundName(x, up)
    if (!name) return false
    const used = name.startsWith('var ') ? (refs.get(name.slice(4)) ?? []) : (uses.get(name) ?? [])
    if (used.length > 1) return false
    if (
      used.some(
        (u) =>
          parent.get(u)?.type !== 'CallExpression' ||
          (parent.get(u) as { callee: AnyNode }).callee !== u,
      )
    )
      return false
  }
  return true
}

/** Resolve with the array readable although its rotation is not settled yet. */
function resolveWith(arr: ArrayDef, run: () => string | undefined): string | undefined {
  arr.ok = true
  try {
    return run()
  } finally {
    arr.ok = false
  }
}

function checksumOf(fn: FunctionNode): Node | undefined {
  if (fn.body.type !== 'BlockStatement') return undefined
  const queue: AnyNode[] = [...(fn.body.body as AnyNode[])]
  for (let i = 0; i < queue.length && i < 64; i++) {
    const s = queue[i] as AnyNode
    if (s.type === 'WhileStatement' || s.type === 'ForStatement' || s.type === 'DoWhileStatement')
      queue.push(s.body as AnyNode)
    else if (s.type === 'BlockStatement') queue.push(...(s.body as AnyNode[]))
    else if (s.type === 'TryStatement') {
      const first = s.block.body[0] as AnyNode | undefined
      if (first?.type === 'VariableDeclaration') return first.declarations[0]?.init ?? undefined
      if (first?.type === 'ExpressionStatement' && first.expression.type === 'AssignmentExpression')
        return first.expression.right
      return undefined
    }
  }
  return undefined
}

function countCalls(node: Node): number {
  const n = node as AnyNode
  if (n.type === 'CallExpression') return 1
  if (n.type === 'BinaryExpression') return countCalls(n.left) + countCalls(n.right)
  if (n.type === 'UnaryExpression') return countCalls(n.argument)
  return 0
}
