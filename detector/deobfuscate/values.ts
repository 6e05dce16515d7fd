import type { Node } from 'acorn'

// Values of the partial evaluator. Primitives are plain JS primitives; arrays, objects and
// functions are our own records, so no value of the sample ever reaches a real prototype.

/** A value the evaluator cannot know (host objects, user input, anything after a budget). */
export const UNKNOWN: unique symbol = Symbol('unknown')
export type Unknown = typeof UNKNOWN

export type Prim = string | number | boolean | undefined | null

let serials = 0
/** Creation order of arrays, objects and bindings: a local simulation keeps only its own. */
export const nextSerial = (): number => ++serials
/** The serial counter as a clock: what was made or written before now has a serial ≤ it. */
export const now = (): number => serials

/**
 * The function (or, undefined, the program) whose code is being simulated: each array, object
 * and function made remembers it as its home (see Machine.writtenLater).
 */
export const making: { home: Node | undefined } = { home: undefined }

export class ArrV {
  /** set when something wrote to it in a way the evaluator could not follow */
  opaque = false
  /** set when a property other than an index or the length was written (it is not kept) */
  named = false
  readonly serial = nextSerial()
  readonly home = making.home
  /** serial of the last write to its items while simulating (Machine.stamp); 0: never */
  wrote = 0
  /** a tagged template's strings as written (`strings.raw`), beside the cooked ones */
  raw: ArrV | undefined = undefined
  constructor(public items: Val[]) {}
}

export class ObjV {
  opaque = false
  readonly serial = nextSerial()
  readonly home = making.home
  /** serial of the last change to a value it held while simulating (Machine.stamp); 0: never */
  wrote = 0
  readonly props = new Map<string, Val>()
  /** `get name() {…}` of an object literal: run on each read (the object is opaque otherwise) */
  getters: Map<string, FnV> | undefined = undefined
  /** opaque, yet these properties still hold their values (see keptProperties) */
  kept: ReadonlySet<string> | undefined = undefined
}

const INDEX = /^(0|[1-9]\d*)$/
const MAX_INDEX = 2 ** 32 - 2

/**
 * An object's own keys in the order JavaScript enumerates them (Object.keys, for…in): integer
 * keys ascending first, then the other names in the order they were added.
 */
export function ownKeys(o: ObjV): string[] {
  const indices: string[] = []
  const names: string[] = []
  for (const k of o.props.keys())
    (INDEX.test(k) && Number(k) <= MAX_INDEX ? indices : names).push(k)
  if (indices.length === 0) return names
  indices.sort((a, b) => Number(a) - Number(b))
  return [...indices, ...names]
}

export type FnNode = Node & {
  type: 'FunctionDeclaration' | 'FunctionExpression' | 'ArrowFunctionExpression'
}

/** A function of the sample, closed over the environment it was created in. */
export class FnV {
  readonly props = new Map<string, Val>()
  readonly serial = nextSerial()
  readonly home = making.home
  /** as ObjV.wrote, for properties set on the function */
  wrote = 0
  constructor(
    public node: FnNode,
    public env: Env,
    /** `this` of the enclosing function, for arrows */
    public lexicalThis: Val,
  ) {}
}

/** A built-in the evaluator implements itself (String.fromCharCode, charCodeAt, push…). */
export class NativeV {
  constructor(
    public name: string,
    public fn: (self: Val, args: Val[]) => Val,
    /** methods read off a primitive remember it */
    public bound: Val = undefined,
    /** it may change its receiver and arguments in ways the evaluator does not follow */
    public writes = false,
  ) {}
}

/**
 * A built-in method the evaluator does not model: known to be a function, its result unknown;
 * `writes` when it may change what it is called on or given (an array's `fill`).
 */
export const opaqueMethod = (name: string, writes = false): NativeV =>
  new NativeV(name, () => UNKNOWN, undefined, writes)

/** The global object (window, self, globalThis, top-level this): its properties are globals. */
export class GlobalV {}

export type Val = Prim | ArrV | ObjV | FnV | NativeV | GlobalV | Unknown

/** Thrown when evaluation cannot go on (an unknown branch, a budget); caught at boundaries. */
export class Abort {
  constructor(public why: string) {}
}

/** A JS exception raised by the sample's own code (`throw`, calling a non-function). */
export class Thrown {
  constructor(public value: Val) {}
}

export interface Binding {
  value: Val
  kind: 'var' | 'let' | 'const' | 'param' | 'function'
  serial?: number
  /** serial of the last write while simulating (Machine.stamp); 0: never */
  wrote: number
  /** the function (or program) whose scope declares it, when its Env knows */
  scope?: Node | undefined
}

/**
 * Names, each of the function (or program) whose scope declares it: minified code gives many
 * variables one name, and a library's `t` reassigned says nothing of the `t` of code after it.
 */
export class ScopedNames {
  private readonly by = new Map<Node, Set<string>>()

  add(owner: Node, name: string): void {
    const names = this.by.get(owner)
    if (names) names.add(name)
    else this.by.set(owner, new Set([name]))
  }

  has(owner: Node | undefined, name: string): boolean {
    return owner !== undefined && (this.by.get(owner)?.has(name) ?? false)
  }
}

export class Env {
  readonly vars = new Map<string, Binding>()
  constructor(
    public parent: Env | null,
    /** function (or program) scope: `var` lands here */
    public fnScope: boolean,
    /** for a function scope: the function (or program) it is the scope of */
    public node: Node | undefined = undefined,
  ) {}

  lookup(name: string): Binding | undefined {
    const b = this.vars.get(name)
    if (b) return b
    for (let e = this.parent; e; e = e.parent) {
      const found = e.vars.get(name)
      if (found) return found
    }
    return undefined
  }

  declare(name: string, kind: Binding['kind'], value: Val): Binding {
    const target = kind === 'var' || kind === 'function' ? this.varScope() : this
    const had = target.vars.get(name)
    if (had && kind === 'var') return had
    const b = { value, kind, serial: nextSerial(), wrote: 0, scope: this.varScope().node }
    target.vars.set(name, b)
    return b
  }

  varScope(): Env {
    if (this.fnScope || !this.parent) return this
    return this.parent.varScope()
  }
}

export const MAX_STRING = 1 << 20
export const MAX_ARRAY = 100_000

export function isPrim(v: Val): v is Prim {
  return v === null || (typeof v !== 'object' && typeof v !== 'symbol')
}

export function typeOf(v: Val): string | Unknown {
  if (v === UNKNOWN) return UNKNOWN
  if (v instanceof FnV || v instanceof NativeV) return 'function'
  if (v instanceof ArrV || v instanceof ObjV || v instanceof GlobalV || v === null) return 'object'
  return typeof v
}

/** ToString for values the evaluator knows; UNKNOWN when it would call sample code. */
export function toStr(v: Val): string | Unknown {
  if (v === UNKNOWN) return UNKNOWN
  if (isPrim(v)) return String(v)
  if (v instanceof ArrV) {
    if (v.opaque) return UNKNOWN
    const parts: string[] = []
    for (const x of v.items) {
      if (x === undefined || x === null) parts.push('')
      else {
        const s = toStr(x)
        if (s === UNKNOWN) return UNKNOWN
        parts.push(s)
      }
    }
    return parts.join(',')
  }
  if (v instanceof ObjV) {
    // its own toString or valueOf would run sample code
    const own = v.props.has('toString') || v.props.has('valueOf')
    return v.opaque || own ? UNKNOWN : '[object Object]'
  }
  return UNKNOWN
}

export function toPrim(v: Val): Prim | Unknown {
  if (v === UNKNOWN) return UNKNOWN
  if (isPrim(v)) return v
  return toStr(v)
}

export function truthy(v: Val): boolean | Unknown {
  if (v === UNKNOWN) return UNKNOWN
  if (isPrim(v)) return Boolean(v)
  return true
}
