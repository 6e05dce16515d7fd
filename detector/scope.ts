import type { AnyNode, Node } from 'acorn'

// Lexical scopes for constant tracking: function scopes, and block scopes where a block holds
// let/const/class. A name's value belongs to the scope that declares it; reads resolve through
// the scope chain, so a skimmer's `u` is not jQuery's `u` when both share one file.

/** What one declared (or implicitly global) name is bound to. */
export interface Binding {
  /** the single value, when the name is assigned exactly once */
  init: Node | undefined
  /** assigned more than once, compound-assigned, or written through a member */
  mutated: boolean
  /** the name itself was given another value (member writes leave it pointing at one object) */
  reassigned: boolean
  /** every value that ever flows into the name (for taint) */
  values: Node[]
  /** a parameter nothing has bound yet: its value comes from an unknown caller */
  param: boolean
  /** the function a `function name() {}` declaration binds to the name */
  fn?: Node | undefined
  /** names written as `name.prop = …` (the only member writes while `opaqueWrites` is unset) */
  props?: Set<string>
  /** written through a member in a way that could reach any property */
  opaqueWrites?: boolean
}

export class Scope {
  vars: Map<string, Binding> | undefined = undefined
  readonly children: Scope[] = []
  readonly start: number
  readonly end: number

  constructor(
    readonly parent: Scope | undefined,
    readonly node: Node,
    readonly fn: boolean,
  ) {
    this.start = node.start
    this.end = node.end
  }

  own(name: string): Binding | undefined {
    return this.vars?.get(name)
  }

  /** The binding this scope declares for `name`, created on first use. */
  declare(name: string): Binding {
    this.vars ??= new Map()
    let b = this.vars.get(name)
    if (!b) {
      b = { init: undefined, mutated: false, reassigned: false, values: [], param: false }
      this.vars.set(name, b)
    }
    return b
  }
}

function functionScopeOf(scope: Scope): Scope {
  let s = scope
  while (!s.fn && s.parent) s = s.parent
  return s
}

/** The nearest binding of `name` from `scope` outwards; undefined for an undeclared global. */
function lookup(scope: Scope, name: string): Binding | undefined {
  for (let s: Scope | undefined = scope; s; s = s.parent) {
    const b = s.vars?.get(name)
    if (b) return b
  }
  return undefined
}

type Op = 'assign' | 'mutate' | 'bind'

interface Pending {
  scope: Scope
  name: string
  value: Node | undefined
  op: Op
  /** `name.prop = …`: the one property a mutation writes */
  prop?: string | undefined
}

/** Names bound by a parameter, catch clause or declaration pattern. */
export function patternNames(p: AnyNode | null | undefined, out: string[] = []): string[] {
  if (!p) return out
  if (p.type === 'Identifier') out.push(p.name)
  else if (p.type === 'AssignmentPattern') patternNames(p.left as AnyNode, out)
  else if (p.type === 'RestElement') patternNames(p.argument as AnyNode, out)
  else if (p.type === 'ArrayPattern') for (const e of p.elements) patternNames(e as AnyNode, out)
  else if (p.type === 'ObjectPattern')
    for (const q of p.properties)
      patternNames((q.type === 'Property' ? q.value : q) as AnyNode, out)
  return out
}

function hasLexical(body: readonly AnyNode[]): boolean {
  for (const s of body)
    if ((s.type === 'VariableDeclaration' && s.kind !== 'var') || s.type === 'ClassDeclaration')
      return true
  return false
}

/** Does this node open a scope of its own (called by the walker before its children)? */
function opens(n: AnyNode, cur: Scope): boolean {
  switch (n.type) {
    case 'FunctionDeclaration':
    case 'FunctionExpression':
    case 'ArrowFunctionExpression':
    case 'CatchClause':
      return true
    case 'BlockStatement':
      // A function's body shares the function's scope.
      return (
        (cur.node as AnyNode & { body?: unknown }).body !== n && hasLexical(n.body as AnyNode[])
      )
    case 'ForStatement':
      return n.init?.type === 'VariableDeclaration' && n.init.kind !== 'var'
    case 'ForInStatement':
    case 'ForOfStatement':
      return n.left.type === 'VariableDeclaration' && n.left.kind !== 'var'
    case 'SwitchStatement':
      return n.cases.some((c) => hasLexical(c.consequent as AnyNode[]))
    default:
      return false
  }
}

export type Scopes = ReturnType<typeof createScopes>

/** Scope tracking for one parsed layer; `enter`/`leave` are the walker's hooks. */
export function createScopes(root: Node) {
  const top = new Scope(undefined, root, true)
  let cur = top
  const fnScopes = new Map<Node, Scope>()
  const pending: Pending[] = []
  const byNode = new Map<Node, Binding | null>()

  function enter(node: Node): void {
    const n = node as AnyNode
    if (!opens(n, cur)) return
    if (n.type === 'FunctionDeclaration' && n.id) {
      const b = functionScopeOf(cur).declare(n.id.name)
      b.mutated = true
      b.fn = b.fn === undefined && !b.init && b.values.length === 0 ? n : undefined
    }
    const isFn =
      n.type === 'FunctionDeclaration' ||
      n.type === 'FunctionExpression' ||
      n.type === 'ArrowFunctionExpression'
    const s = new Scope(cur, n, isFn)
    cur.children.push(s)
    cur = s
    if (n.type === 'CatchClause')
      for (const p of patternNames(n.param as AnyNode)) declareOpaque(s, p)
    else if (isFn) {
      fnScopes.set(n, s)
      if (n.type === 'FunctionExpression' && n.id) declareOpaque(s, n.id.name)
      for (const p of n.params as AnyNode[]) {
        if (p.type === 'Identifier') {
          const b = s.declare(p.name)
          b.param = true
          b.mutated = true
        } else for (const name of patternNames(p)) declareOpaque(s, name)
      }
    }
  }

  function leave(node: Node): void {
    if (cur.node === node && cur.parent) cur = cur.parent
  }

  function declareOpaque(s: Scope, name: string): void {
    s.declare(name).mutated = true
  }

  /** `var|let|const name = init` in the scope the walker is in. */
  function declare(kind: string, name: string, init: Node | undefined): void {
    const s = kind === 'var' ? functionScopeOf(cur) : cur
    const had = s.own(name)
    const b = had ?? s.declare(name)
    if (!init) return
    if (had && (had.init || had.values.length > 0 || had.param)) {
      b.mutated = true
      b.reassigned = true
    } else b.init = init
    b.param = false
    b.values.push(init)
  }

  /** Bind a function's parameter to what its caller passes (IIFE argument, jQuery ready). */
  function bindParam(fn: Node, index: number, value: Node): void {
    const s = fnScopes.get(fn)
    const p = (fn as AnyNode & { params?: AnyNode[] }).params?.[index]
    if (!s || p?.type !== 'Identifier') return
    const b = s.own(p.name)
    if (!b?.param || b.values.length > 0) return
    b.init = value
    b.mutated = false
    b.param = false
    b.values.push(value)
  }

  /** A value flows into a parameter without making it constant (iterator callbacks). */
  function feedParam(fn: Node, index: number, value: Node): void {
    const p = (fn as AnyNode & { params?: AnyNode[] }).params?.[index]
    if (p?.type === 'Identifier') fnScopes.get(fn)?.own(p.name)?.values.push(value)
  }

  /** The bindings of a function's parameters, by position (undefined for a pattern). */
  function paramsOf(fn: Node): (Binding | undefined)[] {
    const s = fnScopes.get(fn)
    const params = (fn as AnyNode & { params?: AnyNode[] }).params ?? []
    return params.map((p) => (p.type === 'Identifier' ? s?.own(p.name) : undefined))
  }

  /** Flow into a name from where the walker is; resolved once every declaration is known. */
  function refer(name: string, value: Node | undefined, op: Op, prop?: string): void {
    pending.push({ scope: cur, name, value, op, prop })
  }

  /** Apply the deferred assignments: call once after the walk. */
  function settle(): void {
    for (const p of pending) {
      const b = lookup(p.scope, p.name) ?? top.declare(p.name)
      if (p.op === 'assign' && !b.mutated && !b.init && b.values.length === 0 && p.value)
        b.init = p.value
      else {
        if (p.op !== 'bind' || b.init) b.mutated = true
        if (p.op !== 'mutate') b.reassigned = true
        if (p.op === 'mutate' && p.prop !== undefined) (b.props ??= new Set()).add(p.prop)
        else b.opaqueWrites = true
      }
      b.param = false
      if (p.value) b.values.push(p.value)
    }
    pending.length = 0
  }

  /** The function whose `this` code at `pos` reads: the innermost one that is not an arrow. */
  function thisFunctionAt(pos: number): Node | undefined {
    for (let s: Scope | undefined = innermost(pos); s; s = s.parent)
      if (s.fn && s.node.type !== 'ArrowFunctionExpression' && s.node.type !== 'Program')
        return s.node
    return undefined
  }

  /** The binding an identifier at `node` reads, found by position in the scope tree. */
  function resolve(node: Node & { name: string }): Binding | undefined {
    const hit = byNode.get(node)
    if (hit !== undefined) return hit ?? undefined
    const b = lookup(innermost(node.start), node.name)
    byNode.set(node, b ?? null)
    return b
  }

  function innermost(pos: number): Scope {
    let s = top
    for (;;) {
      const kids = s.children
      let lo = 0
      let hi = kids.length - 1
      let next: Scope | undefined
      while (lo <= hi) {
        const mid = (lo + hi) >> 1
        const k = kids[mid] as Scope
        if (pos < k.start) hi = mid - 1
        else if (pos >= k.end) lo = mid + 1
        else {
          next = k
          break
        }
      }
      if (!next) return s
      s = next
    }
  }

  return {
    hooks: { enter, leave },
    current: (): Scope => cur,
    declare,
    declareOpaque: (name: string): void => declareOpaque(cur, name),
    bindParam,
    feedParam,
    paramsOf,
    refer,
    settle,
    resolve,
    thisFunctionAt,
  }
}
