import type { AnyNode, Node } from 'acorn'
import { eachChild } from '../children.ts'
import { parseStrict } from '../parse.ts'
import { createMachine, evalExpr, makeFunction, memberKey } from './interpret.ts'
import { CODE_RUNNERS, type Machine } from './machine.ts'
import { codeParameter, nativeCodeArgument } from './code-runners.ts'
import { stringStatics } from './builtins.ts'
import { unflattenEdit } from './unflatten.ts'
import { lineStarts, positionIn, splice, type Edit, type Position } from './splice.ts'
import { isFunctionNode, propertyOf, simulate } from './statements.ts'
import { reparseEdited, treeGeneration } from './reparse.ts'
import { mightBeCode, packerShaped } from './decode.ts'
import { inlineProxy } from './inline.ts'
import { literalKeys, withNameEdits } from './with-scope.ts'
import { keyName, propertyName } from './fold.ts'
import { emptyPropWrites, keptProperties, notePropWrites, type PropWrites } from './own-methods.ts'
import { patternNames } from '../scope.ts'
import { rootOf } from '../collect-parts.ts'
import {
  Abort,
  ArrV,
  Env,
  FnV,
  NativeV,
  ObjV,
  ScopedNames,
  UNKNOWN,
  making,
  nextSerial,
  type FnNode,
  type Val,
} from './values.ts'

// The partial evaluator: simulate the program over constants, then rewrite every expression
// whose value is now known (decoder calls, string-array reads, computed member names, folded
// concatenations, constant branches, flattened control flow) and analyse the result again.

const PASSES = 3
const CANDIDATE_STEPS = 20_000
/** steps for the code text handed to a built-in code runner (eval, Function, timers) */
const CODE_STEPS = 400_000
/** steps for the body of a function called where it is written (it runs once) */
const IIFE_STEPS = 400_000
const ARRAY_TO_STRING = new Set(['join', 'toString'])
const REDUCERS = new Set(['reduce', 'reduceRight'])
const MAX_LITERAL = 64 * 1024
const IDENT = /^[A-Za-z_$][\w$]*$/

/**
 * Whether the caller already knew `node` to hold `value` (a first look's constant folder): an
 * edit that writes only such values teaches nothing a second look would not already have.
 */
export type Known = (node: Node, value: string | number) => boolean

/**
 * Whether a function spanning `start`..`end` of the input text is worth resolving: one that is
 * not is left as written, its body neither simulated nor rewritten.
 */
export type Focus = (start: number, end: number) => boolean

export interface Resolved {
  ast: Node
  source: string
  /** position in the original file of an offset in `source` */
  position: (offset: number) => Position
  /** edits made, all passes together */
  edits: number
  /** offset in the input text of an offset in `source` */
  origin: (offset: number) => number
  /**
   * every edit wrote a value `known` already gave: `source` is the rewritten text, but `ast`
   * is the input's tree, unchanged (nothing was reparsed)
   */
  known?: true
}

/**
 * Rewrite what the evaluator can resolve; undefined when nothing changed. The result's tree
 * is built from `ast` where it can be (changed in place): after a rewrite, `ast` is the
 * result's, not the tree of `source`.
 */
export function resolveStatically(
  ast: Node,
  source: string,
  known?: Known,
  /** `source` is the text the browser runs (not a rewrite of it): functions' own text is known */
  original = true,
  focus?: Focus,
): Resolved | undefined {
  const origins: ((offset: number) => number)[] = []
  let text = source
  let cur = ast
  let total = 0
  const inInput = (offset: number): number => {
    let o = offset
    for (let i = origins.length - 1; i >= 0; i--) o = (origins[i] as (n: number) => number)(o)
    return o
  }
  // a function inside text an earlier pass copied over unvisited (an unflattened block) maps to
  // no range of the input: it is worth resolving, as that text was
  const worth =
    focus &&
    ((n: Node) => {
      const start = inInput(n.start)
      const end = inInput(n.end)
      return end <= start || focus(start, end)
    })
  for (let pass = 0; pass < PASSES; pass++) {
    let step
    try {
      step = nextPass(cur, text, pass === 0 ? known : undefined, pass === 0 && original, worth)
    } catch (err) {
      // the tree was already rewritten in place: what the earlier passes resolved is the result
      if (origins.length === 0) throw err
      break
    }
    if (!step) break
    if ('known' in step) {
      const { spliced, edits } = step
      const lines = lineStarts(source)
      return {
        ast,
        source: spliced.text,
        edits: edits.length,
        origin: spliced.origin,
        position: (offset) => positionIn(lines, spliced.origin(offset)),
        known: true,
      }
    }
    const { edits, opaque, spliced, next } = step
    origins.push(spliced.origin)
    total += edits.length
    text = spliced.text
    cur = next
    // another pass can only find what an opaque edit copied over unvisited
    if (opaque === 0) break
  }
  if (origins.length === 0) return undefined
  const lines = lineStarts(source)
  return {
    ast: cur,
    source: text,
    edits: total,
    origin: inInput,
    position: (offset) => positionIn(lines, inInput(offset)),
  }
}

/** One pass and the tree of its result; undefined when it changes nothing or cannot parse. */
function nextPass(
  cur: Node,
  text: string,
  known: Known | undefined,
  original: boolean,
  worth: ((fn: Node) => boolean) | undefined,
) {
  const { edits, opaque } = resolvePass(cur, text, original, worth)
  if (edits.length === 0) return undefined
  const spliced = splice(text, edits)
  // only what no further pass can add to: no opaque edit, each one a value already known
  if (known && opaque === 0 && edits.every((e) => e.wrote && known(e.wrote.node, e.wrote.value)))
    return { known: true as const, edits, spliced }
  const next = reparseEdited(cur, text, spliced.kept, spliced.text) ?? parseStrict(spliced.text)
  return next ? { edits, opaque, spliced, next } : undefined
}

export function resolveEdits(ast: Node, source: string): Edit[] {
  return resolvePass(ast, source).edits
}

/**
 * One pass of edits. `opaque` counts edits whose text was copied from the source without the
 * code inside it being visited (reordered flattened blocks, inlined proxies): only those can
 * hide something a further pass would resolve. Every other edit replaces a leaf, or keeps
 * its live code in place and visits it in the same pass (constant branches).
 */
function resolvePass(
  ast: Node,
  source: string,
  original = false,
  /** the functions worth resolving; all when undefined */
  worth?: (fn: Node) => boolean,
): { edits: Edit[]; opaque: number } {
  const m = createMachine()
  making.home = undefined
  // a function's own text is the browser's only while nothing has been rewritten
  if (original) m.text = source
  const body = (ast as AnyNode & { type: 'Program' }).body as AnyNode[]
  const written = writtenNames(ast)
  m.inherited = written.inherited
  m.propWrites = written.propWrites
  m.parentFn = written.parentFn
  m.startSimulation(nextSerial(), false)
  simulate(m, body, m.global)
  m.endSimulation()
  m.global.node = ast
  const loaded = nextSerial()
  noteClosures(m, written)
  m.steps = 0
  const r = new Rewriter(m, source, written, loaded, worth)
  r.program(ast as AnyNode, body)
  return { edits: r.edits, opaque: r.opaque }
}

/**
 * What a function outside the program's own run writes (a handler, a callback never called at
 * load) holds whatever that code left by the time code run later reads it. Asked again when
 * more of the program has been simulated.
 */
function noteClosures(m: Machine, written: Written): void {
  const rewritten = new Map<Node, Set<string>>()
  for (const w of written.closureWrites)
    if (!m.runs.has(w.node))
      rewritten.set(w.owner, (rewritten.get(w.owner) ?? new Set()).add(w.name))
  const filled = new Map<Node, Map<string, Set<AnyNode>>>()
  const props = new Map<string, Set<AnyNode>>()
  const tables = new Map<Node, Map<string, Set<AnyNode>>>()
  for (const w of written.closureMutations) {
    if (w.kind === 'name' && w.owner) {
      const by = tables.get(w.owner) ?? new Map<string, Set<AnyNode>>()
      tables.set(w.owner, by.set(w.key, (by.get(w.key) ?? new Set<AnyNode>()).add(w.fn)))
    }
    if (m.runs.has(w.node)) continue
    let by = props
    if (w.kind === 'name' && w.owner) {
      const known = filled.get(w.owner)
      by = known ?? new Map()
      if (!known) filled.set(w.owner, by)
    }
    by.set(w.key, (by.get(w.key) ?? new Set<AnyNode>()).add(w.fn))
  }
  m.closureWritten = rewritten
  m.closureMutated = filled
  m.closureProps = props
  m.tableWriters = tables
}

/** A named object literal as the simulation made it; the properties no code rewrites, once asked. */
interface Self {
  obj: ObjV
  name: string
  /** the function (or program) declaring the name */
  scope: Node | undefined
  kept?: Set<string>
}

const NOTHING_KEPT: ReadonlySet<string> = new Set()

/**
 * A method's `this`, made when its body is simulated: what the body writes to it stays its own,
 * and what another method wrote is not read as if it had been there all along.
 */
function ownCopy(self: Self): ObjV {
  // made where the object was: code outside that function never holds it by name
  const outer = making.home
  making.home = self.obj.home
  const copy = new ObjV()
  making.home = outer
  for (const [k, v] of self.obj.props) copy.props.set(k, v)
  return copy
}

/** `(0, o.f)`: minifiers call a method without its receiver through a comma; `o.f` then. */
function withoutComma(callee: AnyNode): AnyNode {
  return callee.type === 'SequenceExpression' &&
    callee.expressions.slice(0, -1).every((e) => e.type === 'Literal')
    ? (callee.expressions[callee.expressions.length - 1] as AnyNode)
    : callee
}

/** `(function (h, k) {…})('…', 'k')`: every argument a literal, one of them a string. */
function constantArguments(node: AnyNode & { type: 'CallExpression' }): boolean {
  const args = node.arguments as AnyNode[]
  return (
    args.every((a) => a.type === 'Literal') &&
    args.some((a) => a.type === 'Literal' && typeof a.value === 'string')
  )
}

function literal(v: string | number | boolean): string | undefined {
  if (typeof v === 'number') return Number.isFinite(v) && v >= 0 ? String(v) : undefined
  if (typeof v === 'boolean') return String(v)
  return v.length <= MAX_LITERAL ? JSON.stringify(v) : undefined
}

type Role = 'value' | 'target' | 'callee'

class Rewriter {
  readonly edits: Edit[] = []
  opaque = 0
  /** declarations with an initial value in the scope being visited; null when ambiguous */
  private inits = new Map<string, AnyNode | null>()
  private reassigned: ScopedNames
  private mutated: ScopedNames
  private scopes: Map<AnyNode, ScopeFacts>
  /**
   * When the nodes enclosing the one being visited first ran in each simulation (see
   * Machine.runs), innermost last; null where a function begins, since a function's code
   * runs when it is called, not when the code around it ran.
   */
  private enclosing: (readonly number[] | null)[] = []
  constructor(
    private m: Machine,
    private source: string,
    private written: Written,
    /** serial at the end of the program's own simulation: what ran before it ran at load */
    private loaded: number,
    private worth?: (fn: Node) => boolean,
  ) {
    this.loads.push([0, loaded])
    this.reassigned = written.reassigned
    this.mutated = written.mutated
    this.scopes = written.scopes
  }

  private scopeFacts(scope: AnyNode): ScopeFacts {
    return this.scopes.get(scope) ?? { inits: new Map(), declared: new Set() }
  }

  private natives: Map<NativeV, string> | undefined
  /** per function: the parameter it runs as code (-1 for none) */
  private codeParams = new Map<Node, number>()

  /** stable() of every node asked about in this pass: each node is visited in one scope */
  private stableMemo = new Map<AnyNode, boolean>()

  /**
   * A value may replace an expression only when every name it reads holds the same thing
   * wherever the expression runs: never reassigned, or a function, array or object.
   */
  private stable(n: AnyNode, env: Env): boolean {
    switch (n.type) {
      case 'Identifier': {
        const b = env.lookup(n.name)
        const v = b?.value
        const owner = b?.scope ?? this.m.global.node
        // filled by a callback or loop the simulation could not follow: its contents vary
        if (this.mutated.has(owner, n.name) && (v instanceof ArrV || v instanceof ObjV))
          return false
        if (!this.reassigned.has(owner, n.name)) return true
        return v instanceof FnV || v instanceof ArrV || v instanceof ObjV || v instanceof NativeV
      }
      case 'ThisExpression':
        return false
      case 'FunctionExpression':
      case 'ArrowFunctionExpression':
      case 'Literal':
        return true
      default:
        break
    }
    // nested expressions are asked about at every level of a visit: remember the answer
    const known = this.stableMemo.get(n)
    if (known !== undefined) return known
    let ok = true
    if (n.type === 'MemberExpression' && n.object.type === 'ThisExpression') {
      // `this.k` in a method of a named object literal: its value while no code writes `k`
      const name = n.computed ? undefined : propertyName(n)
      const self = this.m.lookup('%this', env)
      ok =
        name !== undefined &&
        self instanceof ObjV &&
        (this.unwritten(name) || this.kept(self).has(name))
    } else if (n.type === 'MemberExpression') {
      ok =
        this.stable(n.object as AnyNode, env) &&
        (!n.computed || this.stable(n.property as AnyNode, env))
    } else {
      eachChild(n, (c) => {
        if (ok) ok = this.stable(c, env)
      })
    }
    this.stableMemo.set(n, ok)
    return ok
  }

  /** computed member names visited: their values are read as spelled, not folded, by the rest */
  private keys = new Set<Node>()

  /**
   * Replace `node` by `text`; `value` when the text is that value written as a literal (a member
   * name never counts: only its literal spelling names a member for taint and the rules).
   */
  private edit(node: Node, text: string, value?: string | number): void {
    const wrote = value === undefined || this.keys.has(node) ? undefined : { node, value }
    this.edits.push({ start: node.start, end: node.end, text, ...(wrote ? { wrote } : {}) })
  }

  program(node: AnyNode, body: AnyNode[]): void {
    const facts = this.scopeFacts(node)
    this.inits = facts.inits
    this.declareUnreached(facts, this.m.global)
    this.list(body, this.m.global)
  }

  /** What a simulation did not reach is unknown in its scope, never the outer name it hides. */
  private declareUnreached(facts: ScopeFacts, env: Env): void {
    for (const name of facts.declared) if (!env.vars.has(name)) env.declare(name, 'let', UNKNOWN)
  }

  /** Evaluate speculatively: nothing it does stays; UNKNOWN on any abort. */
  value(node: Node, env: Env, steps = CANDIDATE_STEPS): Val {
    if (this.m.steps >= this.m.limits.steps) return UNKNOWN
    const m = this.m
    const own = m.runs.get(node as AnyNode)
    if (own) this.enclosing.push(own)
    m.ranAfter = this.ranAfter
    m.freeBefore = nextSerial()
    const out = m.guarded(() => evalExpr(m, node, env), 'revert', steps)
    m.ranAfter = undefined
    if (own) this.enclosing.pop()
    this.overBudget = out instanceof Abort && out.why === 'step budget'
    return out instanceof Abort || this.m.lastImpure ? UNKNOWN : out
  }

  /**
   * When the code being rewritten ran after something made at serial `made` existed: the first
   * such run of the innermost enclosing node that has one, within the enclosing function.
   * Infinity when none did: code no simulation reached reads values as the program left them.
   */
  private ranAfter = (made: number): number => {
    for (let i = this.enclosing.length - 1; i >= 0; i--) {
      const times = this.enclosing[i]
      if (times === null) break
      for (const t of times as number[]) if (t >= made) return t
    }
    return Infinity
  }

  /** the last value() ran out of its steps (the next pass, over simpler code, may not) */
  private overBudget = false

  list(nodes: readonly (AnyNode | null)[], env: Env): void {
    for (const n of nodes) if (n) this.visit(n, env, 'value')
  }

  /** object literals held by a name nothing reassigns, with the object the simulation made */
  private readonly selves = new Map<Node, Self>()

  /**
   * No code writes `k` by name, none writes through `this` under a computed name or a copier
   * (`Object.assign(this, …)`), and no `with` or direct `eval` may write anything.
   */
  private unwritten(k: string): boolean {
    const w = this.m.propWrites
    return w !== undefined && !w.names.has(k) && !w.thisComputed && !w.unknownWrites
  }

  /** each method's own `this` (see ownCopy), and the object literal it stands for */
  private readonly copies = new Map<ObjV, Self>()

  /**
   * What neither the object's methods (through `this`) nor code through its name ever write:
   * `this.k` reads that, whatever other objects of the file do with a `k` of theirs. Worked out
   * when first asked: it searches the program for where the name is handed out.
   */
  private kept(copy: ObjV): ReadonlySet<string> {
    const self = this.copies.get(copy)
    if (!self) return NOTHING_KEPT
    self.kept ??= keptProperties(self.obj, self.name, this.m.propWrites, self.scope, false)
    return self.kept
  }

  private fn(node: FnNode, env: Env, args?: readonly AnyNode[], self?: Self): void {
    if (this.worth && !this.worth(node as Node)) return
    const f = node as AnyNode & FnNode
    const born = nextSerial()
    const fenv = new Env(env, true, node)
    // after a spread, which argument lands in which parameter is not known
    const spread = args ? args.findIndex((a) => a.type === 'SpreadElement') : -1
    const argv = args
      ? args.map((a, i) => (spread !== -1 && i >= spread ? UNKNOWN : this.value(a, env)))
      : []
    f.params.forEach((p, i) => {
      const id =
        (p as AnyNode).type === 'Identifier' ? (p as AnyNode & { name: string }).name : undefined
      const given = args && (spread === -1 || i < spread) ? argv[i] : UNKNOWN
      if (id) fenv.declare(id, 'param', given)
      // a destructured or defaulted parameter is not followed, but it hides outer names
      else for (const name of patternNames(p as AnyNode)) fenv.declare(name, 'param', UNKNOWN)
    })
    if (f.type !== 'ArrowFunctionExpression') {
      let own: ObjV | undefined
      if (self) this.copies.set((own = ownCopy(self)), self)
      fenv.declare('%this', 'const', own ?? UNKNOWN)
      fenv.declare('arguments', 'var', UNKNOWN)
    }
    if (f.id && f.type === 'FunctionExpression')
      fenv.declare(f.id.name, 'const', makeFunction(this.m, node, env))
    const body = f.body as AnyNode
    this.enclosing.push(null)
    // a function called where it is written runs once, like top-level code: its decoding loops
    // get the steps a top-level statement gets, not those of a body simulated out of order
    if (body.type === 'BlockStatement') this.body(body, fenv, born, args ? IIFE_STEPS : undefined)
    else this.visit(body, fenv, 'value')
    this.enclosing.pop()
  }

  /** A function's block body: simulated on its own, then rewritten. */
  private body(
    body: AnyNode & { type: 'BlockStatement' },
    fenv: Env,
    born: number,
    steps = CANDIDATE_STEPS * 4,
  ): void {
    const statements = body.body as AnyNode[]
    const facts = this.scopeFacts(body)
    if (this.m.steps < this.m.limits.steps) {
      const outer = this.m.varies
      this.m.varies = { names: this.mutated, born, depth: this.m.depth }
      // its parameters, declared since `born`, are its own values too
      this.m.startSimulation(born, true)
      making.home = fenv.node
      this.m.guarded(() => simulate(this.m, statements, fenv, born), 'local', steps, born)
      making.home = undefined
      this.m.endSimulation()
      this.m.varies = outer
    }
    this.declareUnreached(facts, fenv)
    const outer = this.inits
    this.inits = facts.inits
    this.list(statements, fenv)
    this.inits = outer
  }

  /**
   * An `if` whose test is not known. An arm no simulation entered (the code behind a gate on
   * the page's address, say) is simulated on its own, as a function body is, from when the
   * test would pass: what it computes is what it holds whenever it runs.
   */
  private arms(node: AnyNode & { type: 'IfStatement' }, env: Env): void {
    this.visit(node.test as AnyNode, env, 'value')
    for (const arm of [node.consequent, node.alternate] as (AnyNode | null)[]) {
      if (!arm) continue
      if (
        arm.type !== 'BlockStatement' ||
        arm.body.length === 0 ||
        this.m.runs.has(arm) ||
        !this.ranAtLoad(node)
      )
        this.visit(arm, env, 'value')
      else this.unreachedBlock(arm, env)
    }
  }

  /** when the program's own run was simulated: its simulation, then each unreached arm's */
  private readonly loads: [from: number, to: number][] = []

  /** The program's own run reached `node` (not only a function body simulated on its own). */
  private ranAtLoad(node: AnyNode): boolean {
    const times = this.m.runs.get(node)
    return times?.some((t) => this.loads.some(([from, to]) => t >= from && t < to)) ?? false
  }

  private unreachedBlock(block: AnyNode & { type: 'BlockStatement' }, env: Env): void {
    const born = nextSerial()
    // a scope of its own for what it declares, `var` too: outside it those stay unknown
    const inner = new Env(env, true, env.varScope().node)
    const statements = block.body as AnyNode[]
    if (this.m.steps < this.m.limits.steps) {
      const outer = this.m.varies
      this.m.varies = { names: this.mutated, born, depth: this.m.depth }
      this.m.startSimulation(born, true)
      making.home = inner.node
      this.m.guarded(
        () => simulate(this.m, statements, inner, born),
        'local',
        CANDIDATE_STEPS * 4,
        born,
      )
      making.home = undefined
      this.m.endSimulation()
      this.m.varies = outer
      // what the arm ran, it ran at load: a function it called is not code that runs later
      this.loads.push([born, nextSerial()])
      noteClosures(this.m, this.written)
    }
    for (const name of lexicalNames(block))
      if (!inner.vars.has(name)) inner.declare(name, 'let', UNKNOWN)
    // its `var`s are the function's: where nothing else gave them a value, code anywhere in the
    // function (a helper declared beside the gate) reads what the arm left in them
    const fnEnv = env.varScope()
    for (const [name, b] of inner.vars) {
      const held = fnEnv.vars.get(name)
      if (b.kind === 'var' && held?.value === UNKNOWN && held.kind !== 'param')
        fnEnv.vars.set(name, b)
    }
    this.list(statements, inner)
  }

  /**
   * Names a block, loop head, catch clause or switch declares with let, const, class or a
   * block-level function hide outer names inside it; the simulation kept no value for them.
   */
  private blockScope(node: AnyNode, env: Env): Env {
    const names = lexicalNames(node)
    if (names.length === 0) return env
    const inner = new Env(env, false)
    for (const name of names) inner.declare(name, 'let', UNKNOWN)
    return inner
  }

  visit(node: AnyNode, outerEnv: Env, role: Role): void {
    // leaves keep no times of their own (see evalExpr), and rewriting them reads none
    if (node.type === 'Literal' || node.type === 'Identifier') return
    const times = this.m.runs.get(node)
    if (times === undefined) return this.visitAt(node, outerEnv, role)
    const depth = this.enclosing.length
    this.enclosing.push(times)
    try {
      this.visitAt(node, outerEnv, role)
    } finally {
      this.enclosing.length = depth
    }
  }

  private visitAt(node: AnyNode, outerEnv: Env, role: Role): void {
    const env = LEXICAL_SCOPES.has(node.type) ? this.blockScope(node, outerEnv) : outerEnv
    switch (node.type) {
      case 'FunctionDeclaration':
      case 'FunctionExpression':
      case 'ArrowFunctionExpression':
        return this.fn(node as FnNode, env)
      case 'CallExpression':
        return this.call(node, env, role)
      case 'NewExpression':
        // `new AF(code)`, AF an async function's constructor or another name of `Function`:
        // the code it is given is read as a layer (`new Function(…)` as written is left as it
        // is: template engines compile the code they build with it)
        if (this.constructsRunner(node, env)) return
        break
      case 'TaggedTemplateExpression':
        if (role === 'value' && this.taggedText(node, env)) return
        break
      case 'MemberExpression':
        return this.member(node, env, role)
      case 'BinaryExpression':
      case 'TemplateLiteral':
        if (role === 'value' && this.constant(node, env)) return
        break
      case 'IfStatement':
      case 'ConditionalExpression':
        if (this.branch(node, env)) return
        if (node.type === 'IfStatement') return this.arms(node, env)
        break
      case 'WhileStatement':
      case 'ForStatement':
      case 'DoWhileStatement': {
        const e = unflattenEdit(
          node,
          this.source,
          (n) => this.value(n, env),
          (name) => this.inits.get(name) ?? undefined,
        )
        if (e) {
          this.edits.push(e)
          this.opaque++
          return
        }
        break
      }
      case 'WithStatement': {
        // inside, any name may be a property of the object: nothing there is rewritten, but
        // the names an object literal certainly has are spelled as its members
        const obj = node.object as AnyNode
        this.visit(obj, env, 'value')
        const name =
          obj.type === 'Identifier' && this.neverReassigned(obj.name, env) ? obj.name : undefined
        const keys = name === undefined ? undefined : literalKeys(this.inits.get(name))
        const named =
          name !== undefined && keys && keys.size > 0 ? withNameEdits(node, name, keys) : undefined
        for (const e of named ?? []) this.edits.push(e)
        return
      }
      case 'VariableDeclarator': {
        // `var o = { m() { … this.k … } }`: a method called as `o.m()` runs with `this` = o
        const init = node.init as AnyNode | null
        if (init?.type === 'ObjectExpression' && node.id.type === 'Identifier') {
          const kept = this.neverReassigned(node.id.name, env)
          // what the program's run left in the name, or (a run that stopped before it, at a
          // gate on the page) the object as written
          const held = kept ? this.m.lookup(node.id.name, env) : UNKNOWN
          const self = held instanceof ObjV || !kept ? held : this.value(init, env)
          if (self instanceof ObjV && !self.opaque) {
            const scope = env.lookup(node.id.name)?.scope ?? this.m.global.node
            this.selves.set(init, { obj: self, name: node.id.name, scope })
          }
        }
        break
      }
      case 'ObjectExpression': {
        const self = this.selves.get(node)
        if (!self) break
        for (const p of node.properties) {
          const value = p.type === 'Property' ? (p.value as AnyNode) : undefined
          if (value?.type !== 'FunctionExpression') {
            this.visit(p as AnyNode, env, 'value')
            continue
          }
          if (p.type === 'Property' && p.computed) {
            this.keys.add(p.key)
            this.visit(p.key as AnyNode, env, 'value')
          }
          this.fn(value as FnNode, env, undefined, self)
        }
        return
      }
      case 'AssignmentExpression':
        this.visit(node.left as AnyNode, env, 'target')
        this.visit(node.right as AnyNode, env, 'value')
        return
      case 'UpdateExpression':
        this.visit(node.argument as AnyNode, env, 'target')
        return
      case 'UnaryExpression':
        this.visit(node.argument as AnyNode, env, node.operator === 'delete' ? 'target' : 'value')
        return
      case 'Property':
        if (node.computed) {
          this.keys.add(node.key)
          this.visit(node.key as AnyNode, env, 'value')
        }
        this.visit(node.value as AnyNode, env, 'value')
        return
      case 'MethodDefinition':
      case 'PropertyDefinition':
        if (node.computed) this.keys.add(node.key)
        break
      case 'Literal':
      case 'Identifier':
        return
      default:
        break
    }
    this.children(node, env)
  }

  private children(node: AnyNode, env: Env): void {
    eachChild(node, (c) => this.visit(c, env, 'value'))
  }

  /** A string-valued expression with a non-literal part: replace it by its value. */
  private constant(node: AnyNode, env: Env): boolean {
    if (node.type === 'BinaryExpression' && node.operator !== '+') return false
    if (!needsEvaluator(node) || !this.stable(node, env)) return false
    let v = this.value(node, env)
    // `'javascript:' + code` is code a navigation runs: worth the steps `eval`'s text gets
    if (this.overBudget && this.javascriptUrl(node, env)) v = this.value(node, env, CODE_STEPS)
    if (typeof v !== 'string') return false
    const text = literal(v)
    if (text === undefined) return false
    this.edit(node, text, v)
    return true
  }

  /** A concatenation that starts with `javascript:`. */
  private javascriptUrl(node: AnyNode, env: Env): boolean {
    let first = node
    while (first.type === 'BinaryExpression' && first.operator === '+')
      first = first.left as AnyNode
    if (first === node) return false
    const v = this.value(first, env)
    return typeof v === 'string' && /^\s*javascript:/i.test(v)
  }

  /** `tag\`…\`` run by a function of the file over constant parts: the text it makes. */
  private taggedText(node: AnyNode & { type: 'TaggedTemplateExpression' }, env: Env): boolean {
    const parts = node.quasi.expressions as AnyNode[]
    if (!parts.every((p) => p.type === 'Literal') || !this.stable(node, env)) return false
    if (!(this.value(node.tag as AnyNode, env) instanceof FnV)) return false
    const v = this.value(node, env)
    const text = typeof v === 'string' ? decodedLiteral(v) : undefined
    if (text === undefined) return false
    this.edit(node, text, v as string)
    return true
  }

  private call(node: AnyNode & { type: 'CallExpression' }, env: Env, role: Role): void {
    const callee = node.callee as AnyNode
    if (callee.type === 'FunctionExpression' || callee.type === 'ArrowFunctionExpression') {
      // a decoder written in place and given only constants (a blob, a key): its result
      if (role === 'value' && constantArguments(node) && this.stable(node, env)) {
        const v = this.value(node, env)
        const text =
          typeof v === 'string' ? decodedLiteral(v) : typeof v === 'number' ? literal(v) : undefined
        if (text !== undefined) return this.edit(node, text, v as string | number)
      }
      this.fn(callee as FnNode, env, node.arguments as AnyNode[])
      this.list(node.arguments as AnyNode[], env)
      return
    }
    const bare = withoutComma(callee)
    const target = bare.type === 'Identifier' || bare.type === 'MemberExpression'
    const fn = target ? this.value(bare, env) : UNKNOWN
    if (role === 'value' && fn instanceof FnV && this.stable(node, env)) {
      const v = this.value(node, env)
      const text =
        typeof v === 'string' ? decodedLiteral(v) : typeof v === 'number' ? literal(v) : undefined
      if (text !== undefined) return this.edit(node, text, v as string | number)
      if (
        fn instanceof FnV &&
        callee.type === 'MemberExpression' &&
        this.readsConstant(callee.object as AnyNode, env)
      ) {
        const inlined = inlineProxy(fn, node, this.source)
        if (inlined !== undefined) {
          this.opaque++
          return this.edit(node, inlined)
        }
      }
    }
    if (role === 'value' && fn instanceof NativeV && this.runsDecoder(node, env)) return
    if (role === 'value' && fn instanceof NativeV && this.joinsKnownItems(node, fn, env)) return
    if (role === 'value' && fn instanceof NativeV && this.reducesToText(node, fn, env)) return
    if (!(fn instanceof NativeV && this.namesNative(callee, fn, env)))
      this.visit(callee, env, 'callee')
    const args = node.arguments as AnyNode[]
    const handed = this.handedToRunner(bare, args, env)
    const code = handed
      ? this.runsKnownCode(handed.args, handed.runner, env)
      : this.runsKnownCode(args, fn, env)
    for (const a of args) if (a !== code) this.visit(a, env, 'value')
  }

  /**
   * Code handed to a runner through another function: `eval.bind(null, code)`,
   * `Function.call(null, code)`, `Reflect.apply(eval, null, [code])`,
   * `Reflect.construct(Function, [code])`: the runner and the arguments it receives.
   */
  private handedToRunner(
    callee: AnyNode,
    args: AnyNode[],
    env: Env,
  ): { runner: NativeV; args: AnyNode[] } | undefined {
    if (callee.type !== 'MemberExpression') return undefined
    const how = propertyOf(callee)
    const isRunner = (n: AnyNode | undefined): NativeV | undefined => {
      if (!n || n.type === 'SpreadElement') return undefined
      const v = this.value(n, env)
      return v instanceof NativeV && nativeCodeArgument(v, 1) >= 0 ? v : undefined
    }
    const listed = (n: AnyNode | undefined): AnyNode[] | undefined =>
      n?.type === 'ArrayExpression' && n.elements.every((e) => e && e.type !== 'SpreadElement')
        ? (n.elements as AnyNode[])
        : undefined
    if (how === 'bind' || how === 'call') {
      // a name (`eval`, one holding it) or a member named so (`window.eval`): `f.call(…)` is
      // everywhere, and most receivers are not worth evaluating
      const obj = callee.object as AnyNode
      const named =
        obj.type === 'Identifier' ||
        (obj.type === 'MemberExpression' && /^(eval|Function)$/.test(propertyOf(obj)))
      const runner = named ? isRunner(obj) : undefined
      return runner ? { runner, args: args.slice(1) } : undefined
    }
    const reflect = callee.object.type === 'Identifier' && callee.object.name === 'Reflect'
    if (!reflect || (how !== 'apply' && how !== 'construct')) return undefined
    const runner = isRunner(args[0])
    const list = listed(how === 'apply' ? args[2] : args[1])
    return runner && list ? { runner, args: list } : undefined
  }

  private constructsRunner(node: AnyNode & { type: 'NewExpression' }, env: Env): boolean {
    const callee = withoutComma(node.callee as AnyNode)
    if (callee.type !== 'Identifier' && callee.type !== 'MemberExpression') return false
    if (callee.type === 'Identifier' && callee.name === 'Function') return false
    const fn = this.value(callee, env)
    if (!(fn instanceof NativeV) || fn.name !== 'Function') return false
    if (!this.namesNative(callee, fn, env)) this.visit(callee, env, 'callee')
    const args = node.arguments as AnyNode[]
    const code = this.runsKnownCode(args, fn, env)
    for (const a of args) if (a !== code) this.visit(a, env, 'value')
    return true
  }

  /**
   * Code text a runner is given that the evaluator knows but cannot inline (a name filled by a
   * decoding loop): the argument is written as that text, decoded, so it is read as a layer.
   * Returns the argument it wrote.
   */
  private runsKnownCode(args: AnyNode[], fn: Val, env: Env): AnyNode | undefined {
    const candidates =
      fn instanceof NativeV
        ? [nativeCodeArgument(fn, args.length)]
        : fn instanceof FnV
          ? args.map((_a, i) => i)
          : []
    for (const i of candidates) {
      const arg = args[i]
      if (!arg || arg.type === 'Literal' || arg.type === 'SpreadElement') continue
      // a name holds its last value; anything else must read the same wherever it runs and be
      // beyond the folder (`atob('…')` is its), and a p,a,c,k,e,d call is the packer reader's
      const named = arg.type === 'Identifier' || arg.type === 'MemberExpression'
      if (!named && (fn instanceof FnV || packerShaped(arg) || !needsEvaluator(arg))) continue
      if (!named && !this.stable(arg, env)) continue
      // what a runner is handed is worth more steps than an ordinary expression: a decoder that
      // rebuilds its alphabet for every character is slow, not endless
      const v = this.value(arg, env, fn instanceof NativeV ? CODE_STEPS : CANDIDATE_STEPS)
      // code a runner is given, too costly to work out here: asked again after this pass
      if (this.overBudget) this.opaque++
      if (typeof v !== 'string' || v.length > MAX_LITERAL || !mightBeCode(v)) continue
      // a wrapper of the sample's own counts when it hands this parameter to a runner
      if (fn instanceof FnV && codeParameter(fn, (n, e) => this.value(n, e), this.codeParams) !== i)
        continue
      this.edit(arg, decodedLiteral(v) as string)
      return arg
    }
    return undefined
  }

  /**
   * A decoder or code runner reached under another name (`o.C` holding String.fromCharCode,
   * `[].filter.constructor`): the callee is written as the built-in, so every later reader
   * (taint, rules, triage) sees what it calls.
   */
  private namesNative(callee: AnyNode, fn: NativeV, env: Env): boolean {
    const name = (this.natives ??= nativeNames(this.m)).get(fn)
    if (name === undefined || this.source.slice(callee.start, callee.end) === name) return false
    // the name written must mean the built-in where the call is: not shadowed there
    const root = name.split('.')[0] as string
    if (env.lookup(root) !== this.m.realm.vars.get(root) || !this.stable(callee, env)) return false
    this.edit(callee, name)
    return true
  }

  /**
   * A built-in decoder fed values the folder cannot follow (`fromCharCode.apply(null,
   * codes.map(f))`): when the result is code, it is written back as decoded text, so the
   * decoded layer is read and its provenance kept; an address (`https://host/…`) is written
   * back as text, for the rules that ask where a request or a script goes.
   */
  private runsDecoder(node: AnyNode & { type: 'CallExpression' }, env: Env): boolean {
    if (!DECODERS.has(decoderName(node.callee as AnyNode))) return false
    const computed = (node.arguments as AnyNode[]).some((a) => (bitsOf(a) & NEEDS) !== 0)
    if (!computed || !this.stable(node, env)) return false
    const v = this.value(node, env)
    if (typeof v !== 'string' || v.length > MAX_LITERAL) return false
    if (mightBeCode(v)) this.edit(node, decodedLiteral(v) as string)
    else if (ADDRESS.test(v)) this.edit(node, asDecoded(v))
    else return false
    return true
  }

  /**
   * `parts.slice(0, 5).join('')` where the items taken are known though others are not (a random
   * cache-buster at the end): the folder gives up on the whole array, the evaluator does not.
   */
  private joinsKnownItems(node: AnyNode, fn: NativeV, env: Env): boolean {
    if (!(fn.bound instanceof ArrV) || !ARRAY_TO_STRING.has(fn.name)) return false
    if (!this.stable(node, env)) return false
    return this.editText(node, env)
  }

  /**
   * `codes.reduce((s, n) => s + String.fromCharCode(n ^ k), '')`: text folded out of a constant
   * array by a callback, which the folder never runs; written back as the text.
   */
  private reducesToText(node: AnyNode, fn: NativeV, env: Env): boolean {
    if (!REDUCERS.has(fn.name) || !(fn.bound instanceof ArrV) || !this.stable(node, env))
      return false
    return this.editText(node, env)
  }

  private member(node: AnyNode & { type: 'MemberExpression' }, env: Env, role: Role): void {
    if (node.object.type === 'Super') return
    const prop = node.property as AnyNode
    if (!node.computed && role === 'value' && this.readsGetter(node, env)) return
    if (!node.computed && role === 'value' && this.readsMadeObject(node, env)) return
    if (node.computed && !node.optional) {
      if (role === 'value' && this.stable(node, env)) {
        const v = this.value(node, env)
        const text = typeof v === 'string' || typeof v === 'number' ? literal(v) : undefined
        if (text !== undefined && this.readsConstant(node.object as AnyNode, env))
          return this.edit(node, text, v as string | number)
      }
      const isLiteral = prop.type === 'Literal' && typeof prop.value === 'string'
      if (!isLiteral && this.stable(prop, env)) {
        const key = this.value(prop, env)
        if (typeof key === 'string' && key.length <= 256) {
          this.visit(node.object as AnyNode, env, 'value')
          const rest = IDENT.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`
          // from the bracket: a parenthesised object (`(() => 0)[k]`) ends before its `)`
          const open = this.source.lastIndexOf('[', prop.start - 1)
          const start = Math.max(open, node.object.end)
          // not `known`: taint and rules read a member's name as spelled, so a second look differs
          this.edits.push({ start, end: node.end, text: rest })
          return
        }
      }
    }
    this.visit(node.object as AnyNode, env, 'value')
    if (node.computed) {
      this.keys.add(prop)
      this.visit(prop, env, 'value')
    }
  }

  /** The name's own binding is never given another value. */
  private neverReassigned(name: string, env: Env): boolean {
    const owner = env.lookup(name)?.scope ?? this.m.global.node
    return !this.reassigned.has(owner, name)
  }

  /** `T.addr` where `addr` is a getter of the object literal `T`: the text it returns. */
  private readsGetter(node: AnyNode & { type: 'MemberExpression' }, env: Env): boolean {
    const prop = node.property as AnyNode
    const o = node.object as AnyNode
    // only a name whose literal spells a getter of that name is worth evaluating
    if (prop.type !== 'Identifier' || !this.written.getters.has(prop.name)) return false
    if (o.type !== 'Identifier' || !this.stable(o, env)) return false
    const obj = this.value(o, env)
    if (!(obj instanceof ObjV) || !obj.getters?.has(prop.name)) return false
    const v = this.value(node, env)
    // text only: a number written where a member is read next (`5.toFixed`) would not parse
    const text = typeof v === 'string' ? literal(v) : undefined
    if (text === undefined) return false
    this.edit(node, text, v as string | number)
    return true
  }

  /**
   * `cfg.url` where `cfg` holds an object a function made (`var cfg = (function (p) { return {
   * url: p[0] + '//' + p[1] } })([…])`) and no code writes `url` by name: the text it holds.
   * An object written as a literal is read by the first look's folder itself.
   */
  private readsMadeObject(node: AnyNode & { type: 'MemberExpression' }, env: Env): boolean {
    const prop = node.property as AnyNode
    const o = node.object as AnyNode
    if (prop.type !== 'Identifier' || o.type !== 'Identifier') return false
    if (this.inits.get(o.name)?.type === 'ObjectExpression') return false
    const w = this.m.propWrites
    if (!w || w.names.has(prop.name) || w.unknownWrites || w.computedOn.has(o.name)) return false
    const obj = this.value(o, env)
    if (!(obj instanceof ObjV) || obj.opaque || obj.getters?.size) return false
    if (!this.stable(o, env)) return false
    return this.editText(node, env)
  }

  /** The expression written as the text it evaluates to, when it is text. */
  private editText(node: AnyNode, env: Env): boolean {
    const v = this.value(node, env)
    const text = typeof v === 'string' ? literal(v) : undefined
    if (text === undefined) return false
    this.edit(node, text, v as string)
    return true
  }

  /** Only arrays and objects of constants are inlined, never a value a variable holds. */
  private readsConstant(obj: AnyNode, env: Env): boolean {
    const o = this.value(obj, env)
    return (o instanceof ArrV || o instanceof ObjV) && !o.opaque
  }

  /** `if (c)` where c is built only from constants and local functions: keep the live arm. */
  private branch(
    node: AnyNode & { type: 'IfStatement' | 'ConditionalExpression' },
    env: Env,
  ): boolean {
    if (!this.pureTest(node.test as AnyNode, env)) return false
    const t = this.value(node.test, env)
    if (t === UNKNOWN || (typeof t === 'object' && t !== null)) return false
    const live = (t ? node.consequent : node.alternate) as AnyNode | null
    if (!live) {
      this.edit(node, ';')
      return true
    }
    // the dead arm goes; the live one stays where it is, wrapped, and is visited like any code
    const [open, close] = node.type === 'IfStatement' ? ['{', '}'] : ['(', ')']
    this.edits.push({ start: node.start, end: live.start, text: open })
    this.edits.push({ start: live.end, end: node.end, text: close })
    this.visit(live, env, 'value')
    return true
  }

  private pureTest(test: AnyNode, env: Env): boolean {
    let ok = true
    const check = (n: AnyNode): void => {
      if (!ok) return
      if (n.type === 'Identifier') {
        const v = env.lookup(n.name)?.value
        if (!(v instanceof FnV || v instanceof NativeV)) ok = false
        return
      }
      if (
        n.type === 'ThisExpression' ||
        n.type === 'AssignmentExpression' ||
        n.type === 'UpdateExpression'
      )
        ok = false
      if (n.type === 'MemberExpression') {
        // a property of a fixed table; a function's own properties are whatever code set last
        if (!this.fixedTable(n.object as AnyNode, env)) ok = false
        else if (n.computed) check(n.property as AnyNode)
        return
      }
      eachChild(n, check)
    }
    check(test)
    return ok
  }

  /** A built-in (`Math.PI`), or a value the expression itself makes (`''.replace`). */
  private fixedTable(n: AnyNode, env: Env): boolean {
    if (n.type === 'MemberExpression')
      return (
        this.fixedTable(n.object as AnyNode, env) &&
        (!n.computed || this.pureTest(n.property as AnyNode, env))
      )
    // `''.replace`, `dec('0x1f').length`: a property of a value made right there
    if (n.type !== 'Identifier') return this.pureTest(n, env)
    // the sample's own objects, arrays and functions hold what the whole program left in them
    return env.lookup(n.name)?.value instanceof NativeV
  }
}

interface ScopeFacts {
  /** `var x = init` in the scope (not in nested functions); a name declared twice: null */
  inits: Map<string, AnyNode | null>
  /** what the scope's simulation binds: `var` anywhere, and declarations of its own body */
  declared: Set<string>
}

const LEXICAL_SCOPES = new Set([
  'BlockStatement',
  'StaticBlock',
  'SwitchStatement',
  'ForStatement',
  'ForInStatement',
  'ForOfStatement',
  'CatchClause',
])

/** What one block-like node declares for itself alone. */
function lexicalNames(node: AnyNode): string[] {
  const out: string[] = []
  const lexical = (s: AnyNode | null | undefined): void => {
    if (!s) return
    if (s.type === 'VariableDeclaration' && s.kind !== 'var')
      for (const d of s.declarations) patternNames(d.id as AnyNode, out)
    else if ((s.type === 'ClassDeclaration' || s.type === 'FunctionDeclaration') && s.id)
      out.push(s.id.name)
  }
  switch (node.type) {
    case 'BlockStatement':
    case 'StaticBlock':
      for (const s of node.body) lexical(s as AnyNode)
      break
    case 'SwitchStatement':
      for (const c of node.cases) for (const s of c.consequent) lexical(s as AnyNode)
      break
    case 'ForStatement':
      lexical(node.init as AnyNode | null)
      break
    case 'ForInStatement':
    case 'ForOfStatement':
      lexical(node.left as AnyNode)
      break
    case 'CatchClause':
      patternNames(node.param as AnyNode | null, out)
      break
    default:
      break
  }
  return out
}

/** Code made by a sample's own decoder keeps its provenance: the folder sees it decoded. */
function decodedLiteral(v: string): string | undefined {
  if (!mightBeCode(v) || v.length > MAX_LITERAL) return literal(v)
  return asDecoded(v)
}

/** Text written back as decoded: the folder reads it, and knows it was hidden. */
function asDecoded(v: string): string {
  return `atob(${JSON.stringify(Buffer.from(v, 'utf8').toString('base64'))})`
}

const FOLDER_DECODERS = new Set([
  'atob',
  'unescape',
  'decodeURIComponent',
  'decodeURI',
  'fromCharCode',
  'escape',
])

// built-ins that turn codes or encodings into text (`decode` is TextDecoder's)
export const DECODERS = new Set([...FOLDER_DECODERS, 'fromCodePoint', 'decode'])

/** A whole absolute address with a host name: `https://cdn.example/x.js`, `//h.example/p`. */
const ADDRESS = /^(?:https?:)?\/\/[a-z0-9-]+(?:\.[a-z0-9-]+)+(?::\d+)?(?:[/?#][^\s"'<>]*)?$/i

/** `atob`, `String.fromCharCode`, and the function `.apply`/`.call` runs. */
function decoderName(callee: AnyNode): string {
  if (callee.type === 'Identifier') return callee.name
  if (callee.type !== 'MemberExpression' || callee.computed) return ''
  const name = callee.property.type === 'Identifier' ? callee.property.name : ''
  if ((name === 'apply' || name === 'call') && callee.object.type !== 'Super')
    return decoderName(callee.object as AnyNode)
  return name
}

/** Built-ins worth naming where a sample calls them under another name, by identity. */
function nativeNames(m: Machine): Map<NativeV, string> {
  const out = new Map<NativeV, string>()
  for (const name of [...CODE_RUNNERS, ...FOLDER_DECODERS]) {
    const v = m.realm.vars.get(name)?.value
    if (v instanceof NativeV) out.set(v, name)
  }
  const fromCharCode = stringStatics.get('fromCharCode')
  if (fromCharCode instanceof NativeV) out.set(fromCharCode, 'String.fromCharCode')
  return out
}

const NEEDS = 1
const DECODER = 2
/** what needsEvaluator found under a node, as NEEDS | DECODER bits, for the current trees */
let evaluatorBits = new WeakMap<AnyNode, number>()
let bitsFor = treeGeneration()

/** Concatenations of literals and the built-in decoders are the folder's: it keeps provenance. */
function needsEvaluator(node: AnyNode): boolean {
  return bitsOf(node) === NEEDS
}

// nested concatenations are asked about at every level of a visit: each subtree is read once
function bitsOf(n: AnyNode): number {
  if (bitsFor !== treeGeneration()) {
    evaluatorBits = new WeakMap()
    bitsFor = treeGeneration()
  }
  const known = evaluatorBits.get(n)
  if (known !== undefined) return known
  let bits = 0
  if (n.type === 'Identifier' || n.type === 'MemberExpression' || n.type === 'CallExpression')
    bits |= NEEDS
  if (n.type === 'CallExpression') {
    const c = n.callee as AnyNode
    const name =
      c.type === 'Identifier'
        ? c.name
        : c.type === 'MemberExpression' && c.property.type === 'Identifier'
          ? c.property.name
          : ''
    if (FOLDER_DECODERS.has(name)) bits |= DECODER
  }
  if (n.type !== 'FunctionExpression' && n.type !== 'ArrowFunctionExpression')
    eachChild(n, (c) => {
      bits |= bitsOf(c)
    })
  evaluatorBits.set(n, bits)
  return bits
}

const MUTATORS = new Set([
  'push',
  'unshift',
  'splice',
  'pop',
  'shift',
  'reverse',
  'sort',
  'fill',
  'set',
  'append',
])

interface Written {
  reassigned: ScopedNames
  mutated: ScopedNames
  /**
   * Writes to a name inside a function other than `owner`, the function (or program) that
   * declares it (see Machine.closureWritten).
   */
  closureWrites: { name: string; node: AnyNode; owner: AnyNode }[]
  /**
   * The same for writes into values, with the function that writes: `q[k] = v` and `q.push(v)`
   * change what the name `q` holds (`kind: 'name'`); `st.armed = true`, `g.Sent.push(v)` and
   * `g.Data[k] = v` change the property `armed`, `Sent`, `Data` (`kind: 'prop'`).
   */
  closureMutations: Mutation[]
  /** per function body (and the program): what its own scope declares */
  scopes: Map<AnyNode, ScopeFacts>
  /** names put on built-in prototypes (see Machine.inherited) */
  inherited: Set<string> | 'all' | undefined
  /** the function (or the program) each function is written in */
  parentFn: Map<AnyNode, AnyNode>
  /** names of the getters object literals define (`{ get h() {…} }`) */
  getters: Set<string>
  /** member writes by the name they spell (see keptProperties) */
  propWrites: PropWrites
}

/**
 * In one walk: names assigned anywhere after their declaration (`reassigned`), arrays and
 * objects written inside some function (`x.push(v)`, `x[k] = v`: `mutated`), by name since
 * minified code reuses names; and for each function body and the program, the `var x = init`
 * declarations of its own scope (a name declared twice: null) and the names its simulation
 * binds (`var` anywhere in it, and what its own statements declare).
 */
function writtenNames(ast: Node): Written {
  // names written, by the function they are written in: whose names they are is known after
  const reassignedIn: { name: string; fn: AnyNode }[] = []
  const mutatedIn: { name: string; fn: AnyNode }[] = []
  const reassigned = { add: (name: string): void => void reassignedIn.push({ name, fn: cur }) }
  const mutated = { add: (name: string): void => void mutatedIn.push({ name, fn: cur }) }
  let cur: AnyNode = ast as AnyNode
  const scopes = new Map<AnyNode, ScopeFacts>()
  // which function (or the program) declares each name, and which writes each one: a name
  // written in another function than its own holds what that code last left in it
  const declaredIn = new Map<AnyNode, Set<string>>()
  const parentFn = new Map<AnyNode, AnyNode>()
  const writes: { name: string; fn: AnyNode; node: AnyNode }[] = []
  const mutations: Mutation[] = []
  const declare = (fn: AnyNode, names: readonly string[]): void => {
    let set = declaredIn.get(fn)
    if (!set) declaredIn.set(fn, (set = new Set()))
    for (const name of names) set.add(name)
  }
  let inherited: Set<string> | 'all' | undefined
  // names of fresh objects whose prototype the program sets (`b.__proto__ = p`, b a bound function)
  const ownProtos: string[] = []
  const getters = new Set<string>()
  const inherit = (key: string | undefined): void => {
    if (inherited === 'all') return
    if (key === undefined) inherited = 'all'
    else {
      inherited ??= new Set<string>()
      inherited.add(key)
    }
  }
  const open = (scope: AnyNode, body: readonly AnyNode[]): ScopeFacts => {
    const facts: ScopeFacts = { inits: new Map(), declared: new Set() }
    for (const s of body) {
      if ((s.type === 'FunctionDeclaration' || s.type === 'ClassDeclaration') && s.id)
        facts.declared.add(s.id.name)
      if (s.type === 'VariableDeclaration' && s.kind !== 'var')
        for (const d of s.declarations)
          patternNames(d.id as AnyNode).forEach((x) => facts.declared.add(x))
    }
    scopes.set(scope, facts)
    return facts
  }
  // an explicit stack, in the order a recursive walk would take: a chain of thousands of `+`
  // (symbol-only encodings) would overflow the call stack
  const nodes: AnyNode[] = []
  const inFns: boolean[] = []
  const scopeOf: ScopeFacts[] = []
  const fnOf: AnyNode[] = []
  const kids: AnyNode[] = []
  // a function called where it is written runs once, at load, like the code around it: what
  // its own statements write is no more varying than what top-level statements write
  const ranOnce = new Set<AnyNode>()
  const propWrites = emptyPropWrites()
  propWrites.root = ast
  const visit = (n: AnyNode, inFn: boolean, scope: ScopeFacts, fn: AnyNode): void => {
    cur = fn
    notePropWrites(propWrites, n)
    if (n.type === 'CallExpression') {
      const callee = n.callee as AnyNode
      const called =
        callee.type === 'MemberExpression' && /^(call|apply)$/.test(propertyOf(callee))
          ? (callee.object as AnyNode)
          : callee
      // an async function or a generator stops partway: the rest of its body runs later
      if (
        (called.type === 'FunctionExpression' || called.type === 'ArrowFunctionExpression') &&
        !called.async &&
        !(called as AnyNode & { generator?: boolean }).generator
      )
        ranOnce.add(called)
    }
    const inside = inFn || (isFunctionNode(n) && !ranOnce.has(n))
    let inner = scope
    let innerFn = fn
    switch (n.type) {
      case 'FunctionDeclaration':
      case 'FunctionExpression':
      case 'ArrowFunctionExpression': {
        // in sloppy code a function declared in a block is also a name of the enclosing function
        if (n.type === 'FunctionDeclaration' && n.id) scope.declared.add(n.id.name)
        if (n.type === 'FunctionDeclaration' && n.id) declare(fn, [n.id.name])
        innerFn = n
        parentFn.set(n, fn)
        declare(
          n,
          n.params.flatMap((p) => patternNames(p as AnyNode)),
        )
        if (n.type === 'FunctionExpression' && n.id) declare(n, [n.id.name])
        const body = n.body as AnyNode
        inner =
          body.type === 'BlockStatement'
            ? open(body, body.body as AnyNode[])
            : { inits: new Map(), declared: new Set() }
        break
      }
      case 'WithStatement':
        inherit(undefined)
        break
      case 'ObjectExpression':
        for (const p of n.properties)
          if (p.type === 'Property' && p.kind === 'get' && !p.computed) {
            const key = keyName(p.key as AnyNode)
            if (key !== undefined) getters.add(key)
          }
        // `{ __proto__: null, … }` (a bundler's module namespace) inherits nothing at all
        for (const p of n.properties)
          if (
            p.type === 'Property' &&
            !p.computed &&
            keyName(p.key as AnyNode) === '__proto__' &&
            !(p.value.type === 'Literal' && p.value.value === null)
          )
            inherit(undefined)
        break
      case 'AssignmentExpression':
        if (n.left.type === 'MemberExpression') {
          if (builtinPrototype(n.left.object as AnyNode)) inherit(propertyOf(n.left) || undefined)
          // a fresh object's own prototype changes only what that object inherits
          if (propertyOf(n.left) === '__proto__') {
            const o = n.left.object as AnyNode
            const init = o.type === 'Identifier' ? scope.inits.get(o.name) : undefined
            if (o.type === 'Identifier' && init && freshObject(init)) ownProtos.push(o.name)
            else inherit(undefined)
          }
        }
        for (const name of targetNames(n.left as AnyNode)) {
          reassigned.add(name)
          writes.push({ name, fn, node: n })
        }
        if (inside && n.left.type === 'MemberExpression') {
          const w = mutationOf(n.left, false)
          if (w) mutations.push({ ...w, fn, node: n })
        }
        if (inside && n.left.type === 'MemberExpression' && n.left.object.type === 'Identifier')
          mutated.add(n.left.object.name)
        break
      case 'UpdateExpression':
        if (n.argument.type === 'Identifier') {
          reassigned.add(n.argument.name)
          writes.push({ name: n.argument.name, fn, node: n })
        } else if (inside && n.argument.type === 'MemberExpression') {
          const w = mutationOf(n.argument, false)
          if (w) mutations.push({ ...w, fn, node: n })
        }
        break
      case 'ClassDeclaration':
        if (n.id) declare(fn, [n.id.name])
        break
      case 'CatchClause':
        if (n.param) declare(fn, patternNames(n.param as AnyNode))
        break
      case 'ForInStatement':
      case 'ForOfStatement': {
        const l = n.left as AnyNode
        if (l.type === 'Identifier') reassigned.add(l.name)
        if (l.type === 'VariableDeclaration')
          for (const d of l.declarations)
            for (const name of targetNames(d.id as AnyNode)) reassigned.add(name)
        break
      }
      case 'VariableDeclaration':
        declare(
          fn,
          n.declarations.flatMap((d) => patternNames(d.id as AnyNode)),
        )
        for (const d of n.declarations) {
          if (n.kind === 'var') {
            patternNames(d.id as AnyNode).forEach((x) => scope.declared.add(x))
            if (d.id.type === 'Identifier' && !d.init) reassigned.add(d.id.name)
          }
          if (d.id.type === 'Identifier' && d.init)
            scope.inits.set(d.id.name, scope.inits.has(d.id.name) ? null : (d.init as AnyNode))
        }
        break
      case 'CallExpression': {
        const callee = n.callee as AnyNode
        const called = callee.type === 'MemberExpression' ? propertyOf(callee) : undefined
        const first = n.arguments[0] as AnyNode | undefined
        if (called === 'setPrototypeOf') inherit(undefined)
        else if (called && PROTOTYPE_WRITERS.has(called) && first && builtinPrototype(first)) {
          const key = n.arguments[1] as AnyNode | undefined
          // the key as written: a name there is a variable, whose value is not known here
          const named =
            key?.type === 'Literal' && typeof key.value === 'string' ? key.value : undefined
          inherit(called === 'defineProperty' ? named : undefined)
        }
        if (
          inside &&
          n.callee.type === 'MemberExpression' &&
          n.callee.object.type === 'Identifier'
        ) {
          const p = n.callee.property as AnyNode
          const name =
            p.type === 'Identifier' ? p.name : p.type === 'Literal' ? String(p.value) : ''
          if (MUTATORS.has(name)) mutated.add(n.callee.object.name)
        }
        if (inside && n.callee.type === 'MemberExpression' && MUTATORS.has(propertyOf(n.callee))) {
          const w = mutationOf(n.callee.object as AnyNode, true)
          if (w) mutations.push({ ...w, fn, node: n })
        }
        break
      }
      default:
        break
    }
    const from = kids.length
    eachChild(n, (c) => void kids.push(c))
    for (let i = kids.length - 1; i >= from; i--) {
      nodes.push(kids[i] as AnyNode)
      inFns.push(inside)
      scopeOf.push(inner)
      fnOf.push(innerFn)
    }
    kids.length = from
  }
  const root = ast as AnyNode & { type: 'Program' }
  visit(root, false, open(root, root.body as AnyNode[]), root)
  while (nodes.length > 0)
    visit(
      nodes.pop() as AnyNode,
      inFns.pop() as boolean,
      scopeOf.pop() as ScopeFacts,
      fnOf.pop() as AnyNode,
    )
  // such a name written again may hold any object by then, a shared prototype among them
  // and a name declared in more than one place may not be the fresh one where it is written
  const declarations = (name: string): number =>
    [...declaredIn.values()].filter((names) => names.has(name)).length
  if (
    ownProtos.some((name) => declarations(name) !== 1 || reassignedIn.some((w) => w.name === name))
  )
    inherit(undefined)
  // the function declaring a name as seen from `fn`; undeclared: a global, the program's
  const ownerOf = (name: string, fn: AnyNode): AnyNode => {
    let owner: AnyNode | undefined = fn
    while (owner && !declaredIn.get(owner)?.has(name)) owner = parentFn.get(owner)
    return owner ?? root
  }
  const closureWrites: Written['closureWrites'] = []
  for (const w of writes) {
    const owner = ownerOf(w.name, w.fn)
    if (owner !== w.fn) closureWrites.push({ name: w.name, node: w.node, owner })
  }
  const closureMutations: Mutation[] = []
  for (const w of mutations) {
    // `this.on = true`: the object is whatever the method is called on
    const owner = w.root === undefined ? root : ownerOf(w.root, w.fn)
    if (owner !== w.fn) closureMutations.push({ ...w, owner })
  }
  const byOwner = (written: { name: string; fn: AnyNode }[]): ScopedNames => {
    const names = new ScopedNames()
    for (const w of written) names.add(ownerOf(w.name, w.fn), w.name)
    return names
  }
  return {
    reassigned: byOwner(reassignedIn),
    mutated: byOwner(mutatedIn),
    closureWrites,
    closureMutations,
    scopes,
    inherited,
    parentFn,
    getters,
    propWrites,
  }
}

// prototypes whose properties every object, array, function or primitive the evaluator models inherits
const BUILTINS = new Set(['Object', 'Array', 'Function', 'String', 'Number', 'Boolean'])
const PROTOTYPE_WRITERS = new Set(['defineProperty', 'defineProperties', 'assign'])

/**
 * An expression that makes a new object no other code holds yet: a literal, a function, `new`,
 * `Object.create(…)` or a function's `bind(…)`. Setting its `__proto__` changes what it inherits, and
 * nothing else's.
 */
function freshObject(n: AnyNode): boolean {
  switch (n.type) {
    case 'ObjectExpression':
    case 'ArrayExpression':
    case 'FunctionExpression':
    case 'ArrowFunctionExpression':
    case 'ClassExpression':
    case 'NewExpression':
      return true
    case 'CallExpression': {
      // `Object.create(p)`, and `bind` as functions have it (`f.constructor.prototype.bind(f)`,
      // `function () {}.bind(o)`): a method of that name on any other object may return anything
      const callee = n.callee as AnyNode
      if (callee.type !== 'MemberExpression') return false
      const on = callee.object as AnyNode
      const called = propertyOf(callee)
      if (called === 'create') return on.type === 'Identifier' && on.name === 'Object'
      return (
        called === 'bind' &&
        (on.type === 'FunctionExpression' ||
          (on.type === 'MemberExpression' && propertyOf(on) === 'prototype'))
      )
    }
    default:
      return false
  }
}

/** `Object.prototype`, `Array['prototype']`, `x.__proto__`: a prototype others may share. */
function builtinPrototype(n: AnyNode): boolean {
  if (n.type !== 'MemberExpression') return false
  const key = propertyOf(n)
  if (key === '__proto__') return true
  const o = n.object as AnyNode
  return key === 'prototype' && o.type === 'Identifier' && BUILTINS.has(o.name)
}

interface Mutation {
  kind: 'name' | 'prop'
  /** the name whose value changes, or the property whose value or contents change */
  key: string
  /** the name the member chain starts from; undefined for `this` */
  root: string | undefined
  fn: AnyNode
  node: AnyNode
  /** where the root name is declared (the program for `this` and globals) */
  owner?: AnyNode
}

/**
 * What a write changes: `target` is the member written (`st.armed`, `g.Data[k]`), or, for
 * `whole`, the value a mutator is called on (`q` in `q.push(v)`, `g.Sent` in `g.Sent.push(v)`).
 */
function mutationOf(target: AnyNode, whole: boolean): Omit<Mutation, 'fn' | 'node'> | undefined {
  const start = rootOf(target)
  if (start.type !== 'Identifier' && start.type !== 'ThisExpression') return undefined
  const root = start.type === 'Identifier' ? start.name : undefined
  // the value itself changes: a mutator on it, or an item written under a computed key
  let holder = target
  if (!whole) {
    if (target.type !== 'MemberExpression') return undefined
    const key = propertyOf(target)
    if (key !== '') return { kind: 'prop', key, root }
    holder = target.object as AnyNode
  }
  if (holder.type === 'Identifier') return { kind: 'name', key: holder.name, root }
  if (holder.type !== 'MemberExpression') return undefined
  const key = propertyOf(holder)
  return key === '' ? undefined : { kind: 'prop', key, root }
}

function targetNames(n: AnyNode): string[] {
  if (n.type === 'Identifier') return [n.name]
  if (n.type === 'MemberExpression') return []
  const out: string[] = []
  eachChild(n, (c) => {
    if (c.type === 'Identifier') out.push(c.name)
    else out.push(...targetNames(c))
  })
  return out
}

export { memberKey }
