import type { AnyNode, Node } from 'acorn'
import { parseGuarded } from '../parse.ts'
import { arrayMember } from './arrays.ts'
import type { PropWrites } from './own-methods.ts'
import { OBJECT_KEYS, OBJECT_METHODS } from './prototypes.ts'
import {
  RegexV,
  arrayStatics,
  makeGlobals,
  objectStatics,
  primitiveMember,
  stringStatics,
} from './builtins.ts'
import {
  Abort,
  ArrV,
  Env,
  FnV,
  GlobalV,
  isPrim,
  MAX_ARRAY,
  NativeV,
  ObjV,
  Thrown,
  UNKNOWN,
  toStr,
  nextSerial,
  now,
  opaqueMethod,
  type Binding,
  type ScopedNames,
  type FnNode,
  type Val,
} from './values.ts'

// The state of one partial evaluation: realm, global scope, step budget and an undo journal.
// Speculative evaluations are undone; abandoned statements mark what they touched unknown.

// Most speculative evaluations write nothing: a frame's journals are made on the first write.
class Frame {
  bindings: Map<Binding, Val> | undefined = undefined
  arrays: Map<ArrV, Val[]> | undefined = undefined
  maps: Map<Map<string, Val>, { old: Map<string, Val>; owner: ObjV | FnV }> | undefined = undefined
  objects: Set<ObjV | ArrV> | undefined = undefined
}

export interface Limits {
  /** evaluation steps for the whole layer */
  steps: number
  /** steps for one statement simulated at a scope's top level */
  statementSteps: number
  /** call depth */
  depth: number
}

export const DEFAULT_LIMITS: Limits = { steps: 4_000_000, statementSteps: 3_000_000, depth: 60 }

type Undo = 'revert' | 'havoc' | 'keep'

/** An own property or element of a value, not one it inherits. */
function ownProperty(obj: Val, k: string): boolean {
  if (obj instanceof ObjV || obj instanceof FnV) return obj.props.has(k)
  const index = /^(0|[1-9]\d*)$/.test(k) ? Number(k) : -1
  if (obj instanceof ArrV) return k === 'length' || (index >= 0 && index < obj.items.length)
  if (typeof obj === 'string') return k === 'length' || (index >= 0 && index < obj.length)
  return false
}

/** How many arrays and objects one call of unknown code makes unknown, at most. */
const MAX_HAVOC = 10_000
/** A kept property of a forgotten object (see keptProperties): no code ever wrote it. */
function keptRead(obj: Val, key: Val): boolean {
  if (!(obj instanceof ObjV) || !obj.opaque || obj.kept === undefined) return false
  const k = toStr(key)
  return k !== UNKNOWN && obj.kept.has(k)
}

const MODELLED_CONSTRUCTORS = new Set(['Array', 'Object', 'Uint8Array', 'TextDecoder', 'RegExp'])

/** Wrote to an array or a non-function variable older than `born` (caches on objects are fine). */
function impure(frame: Frame, born: number): boolean {
  if (frame.bindings)
    for (const [b] of frame.bindings)
      if ((b.serial ?? 0) < born && !(b.value instanceof FnV)) return true
  if (frame.arrays) for (const [a] of frame.arrays) if (a.serial < born) return true
  return false
}

/** Built-ins that run a string as code. */
export const CODE_RUNNERS = ['Function', 'eval'] as const

const GLOBAL_NAMES = new Set(['window', 'self', 'globalThis', 'top', 'parent', 'frames'])

export class Machine {
  readonly realm = new Env(null, true)
  readonly global: Env
  readonly globalObject = new GlobalV()
  steps = 0
  stepLimit: number
  /** set by a `revert` run: it changed a variable or array that existed before it */
  lastImpure = false
  depth = 0
  /**
   * While a function body is simulated out of order: collections from outside it that code
   * in some function writes into (a handler filling `data[k] = v`) hold whatever those writes
   * left when the body really runs, not what they held at load. Read directly in the body,
   * they are unknown; functions it calls (a decoder's own table) are not affected.
   */
  varies: { names: ScopedNames; born: number; depth: number } | undefined
  /**
   * Names some function writes though another declares them, where that write did not run
   * when the program was simulated (`armed = true` in a handler, `n += 1` in a counter called
   * later). Code that runs at a time the simulation does not know (a body simulated out of
   * order, code the rewrite evaluates) finds in them whatever those writes left by then: read
   * from outside the code being evaluated, a primitive there is unknown, also through the
   * functions it calls (`const isArmed = () => armed`).
   */
  closureWritten: ReadonlyMap<Node, ReadonlySet<string>> | undefined = undefined
  /**
   * The same for arrays and objects written into by such code (`q.push(v)`, `q[k] = v` in a
   * handler), with the functions that write them: read anywhere but in those functions (a
   * memo table its own decoder fills), they are unknown. Both are keyed by the function (or
   * program) that declares the name, as minified code gives many variables one name.
   */
  closureMutated: ReadonlyMap<Node, ReadonlyMap<string, ReadonlySet<AnyNode>>> | undefined =
    undefined
  /**
   * Every function other than its own that writes into a name's array or object, whenever it
   * runs (keyed like closureMutated): a table only its decoder fills is that decoder's memo.
   */
  tableWriters: ReadonlyMap<Node, ReadonlyMap<string, ReadonlySet<AnyNode>>> | undefined = undefined
  /** properties such code writes, or writes into (`st.armed`, `g.Data[k]`), by name */
  closureProps: ReadonlyMap<string, ReadonlySet<AnyNode>> | undefined = undefined
  /** the function being interpreted (see closureMutated) */
  callee: AnyNode | undefined = undefined
  /**
   * Property names the program may have put on a built-in prototype (`Object.prototype.x = 1`,
   * `o.__proto__ = p`), 'all' when it cannot be told which: such a name absent from an object
   * is unknown, not undefined.
   */
  inherited: ReadonlySet<string> | 'all' | undefined = undefined
  /** the program's member writes by name, for what an object's own methods cannot change */
  propWrites: PropWrites | undefined = undefined
  /**
   * Time, for reading values as they were when code ran; the clock is the serial counter.
   * While `recording` a simulation, each node evaluated keeps when it first ran in each
   * simulation (`runs`, ascending; `simulationStart` tells them apart), and each change to a
   * variable, an array's items or an object's values is stamped: by the program's simulation
   * in the value's `wrote`; by a function body simulated on its own (`local`, whose changes
   * to older values are undone after it) in `localWrites`, as that simulation's start, first
   * and last change, which only concern code that ran in that simulation.
   */
  recording = false
  /**
   * The text the simulated tree was parsed from, when it is the text a browser would run (not
   * a rewrite): `fn.toString()` reads a function's own source from it, as self-keyed decoders do.
   */
  text: string | undefined = undefined
  local = false
  simulationStart = 0
  /** when each simulation (by its start) ended */
  private readonly simulationEnds = new Map<number, number>()
  readonly runs = new Map<AnyNode, number[]>()
  private localWrites = new Map<Binding | ArrV | ObjV | FnV, number[]>()
  /**
   * While the rewrite evaluates a node: when that code ran after a variable or array made at
   * serial `made` existed (Infinity: not known to have run then). A variable or array from
   * before the evaluation (serial below `freeBefore`) written after that makes it abort: the
   * node saw another value when it ran.
   */
  ranAfter: ((made: number) => number) | undefined = undefined
  freeBefore = 0
  private frames: Frame[] = []

  constructor(public limits: Limits = DEFAULT_LIMITS) {
    for (const [k, v] of makeGlobals())
      this.realm.vars.set(k, { value: v, kind: 'const', wrote: 0 })
    this.global = new Env(this.realm, true)
    this.global.vars.set('%this', { value: this.globalObject, kind: 'const', wrote: 0 })
    this.stepLimit = limits.steps
  }

  /** steps this evaluation may still take */
  stepsLeft(): number {
    return this.stepLimit - this.steps
  }

  tick(): void {
    if (++this.steps > this.stepLimit) throw new Abort('step budget')
  }

  /** Note when a node first ran in this simulation. */
  ran(n: AnyNode): void {
    const times = this.runs.get(n)
    if (!times) this.runs.set(n, [now()])
    else if ((times[times.length - 1] as number) < this.simulationStart) times.push(now())
  }

  private stamp(x: Binding | ArrV | ObjV | FnV): void {
    if (!this.recording) return
    if (!this.local) {
      x.wrote = nextSerial()
      return
    }
    const at = nextSerial()
    const spans = this.localWrites.get(x)
    if (!spans) this.localWrites.set(x, [this.simulationStart, at, at])
    else if (spans[spans.length - 3] === this.simulationStart) spans[spans.length - 1] = at
    else spans.push(this.simulationStart, at, at)
  }

  /** Start recording a simulation at `start` (a scope's own values are made from then on). */
  startSimulation(start: number, local: boolean): void {
    this.recording = true
    this.local = local
    this.simulationStart = start
  }

  endSimulation(): void {
    this.recording = false
    this.local = false
    this.simulationEnds.set(this.simulationStart, nextSerial())
  }

  /** A variable code the simulation could not follow may have set: unknown from now on. */
  forget(b: Binding): void {
    b.value = UNKNOWN
    this.stamp(b)
  }

  /**
   * An array or object such code may have filled: unknown from now on, but for `kept`, the
   * properties it surely did not change.
   */
  forgetItems(o: ArrV | ObjV, kept?: ReadonlySet<string>): void {
    const keep = o.opaque ? undefined : kept
    o.opaque = true
    if (o instanceof ObjV) {
      o.getters = undefined
      o.kept = keep?.size ? keep : undefined
    }
    this.stamp(o)
  }

  /** A value from before the evaluation, changed after the node being rewritten ran. */
  private changedLater(
    x: Binding | ArrV | ObjV | FnV,
    ranAfter: (made: number) => number,
  ): boolean {
    const made = x.serial ?? 0
    if (made >= this.freeBefore) return false
    const spans = this.localWrites.get(x)
    if (x.wrote === 0 && !spans) return false
    const t = ranAfter(made)
    if (x.wrote > t) return true
    if (!spans) return false
    // the simulation the node ran in is the last one started by then
    let i = -1
    for (let j = 0; j < spans.length && (spans[j] as number) <= t; j += 3) i = j
    if (i === -1) return false
    const [start, first, last] = spans.slice(i, i + 3) as [number, number, number]
    // a value of its own keeps its last change
    if (made >= start) return last > t
    // an older one is restored when that simulation ends: code that ran in it after its first
    // change saw something else
    return first <= t && t <= (this.simulationEnds.get(start) ?? Infinity)
  }

  /**
   * Run `f` in an undo frame. `revert`: a speculation, always undone. `keep`: a statement; on
   * success its writes stand, on failure what existed before `born` is restored (or made
   * unknown when `born` is 0) and what it created is made unknown. `local`: a scope simulated
   * out of order; whatever existed before `born` is restored, its own locals stay.
   */
  guarded<T>(
    f: () => T,
    mode: 'revert' | 'keep' | 'local',
    stepBudget?: number,
    born = 0,
  ): T | Abort {
    const frame = new Frame()
    this.frames.push(frame)
    const start = nextSerial()
    const outer = this.stepLimit
    const depth = this.depth
    if (stepBudget !== undefined) this.stepLimit = Math.min(outer, this.steps + stepBudget)
    try {
      const out = f()
      this.frames.pop()
      if (mode === 'revert') this.lastImpure = impure(frame, start)
      if (mode === 'revert') this.undo(frame, 'revert', 'revert', 0)
      else if (mode === 'local') this.undo(frame, 'revert', 'keep', born)
      else this.merge(frame)
      return out
    } catch (err) {
      this.frames.pop()
      if (!(err instanceof Abort || err instanceof Thrown || err instanceof RangeError)) throw err
      if (mode === 'revert') this.undo(frame, 'revert', 'revert', 0)
      else if (mode === 'local') this.undo(frame, 'revert', 'keep', born)
      else this.undo(frame, born === 0 ? 'havoc' : 'revert', 'havoc', born)
      return err instanceof Abort ? err : new Abort('exception')
    } finally {
      this.stepLimit = outer
      this.depth = depth
    }
  }

  private merge(frame: Frame): void {
    const parent = this.frames[this.frames.length - 1]
    if (!parent) return
    if (frame.bindings) {
      const into = (parent.bindings ??= new Map())
      for (const [k, v] of frame.bindings) if (!into.has(k)) into.set(k, v)
    }
    if (frame.arrays) {
      const into = (parent.arrays ??= new Map())
      for (const [k, v] of frame.arrays) if (!into.has(k)) into.set(k, v)
    }
    if (frame.maps) {
      const into = (parent.maps ??= new Map())
      for (const [k, v] of frame.maps) if (!into.has(k)) into.set(k, v)
    }
    if (frame.objects) {
      const into = (parent.objects ??= new Set())
      for (const o of frame.objects) into.add(o)
    }
  }

  /** Undo a frame: entries made before `born` are `older`, the rest `newer`. */
  private undo(frame: Frame, older: Undo, newer: Undo, born: number): void {
    const how = (serial: number | undefined): Undo => ((serial ?? 0) < born ? older : newer)
    if (frame.bindings)
      for (const [b, old] of frame.bindings) {
        const h = how(b.serial)
        if (h === 'keep') continue
        b.value = h === 'revert' ? old : UNKNOWN
        this.stamp(b)
      }
    if (frame.arrays)
      for (const [a, old] of frame.arrays) {
        const h = how(a.serial)
        if (h === 'revert') a.items = old
        else if (h === 'havoc') a.opaque = true
        if (h !== 'keep') this.stamp(a)
      }
    if (frame.maps)
      for (const [m, { old, owner }] of frame.maps) {
        const h = how(owner.serial)
        if (h === 'keep') continue
        m.clear()
        if (h === 'revert') for (const [k, v] of old) m.set(k, v)
        else if (owner instanceof ObjV) owner.kept = undefined
        this.stamp(owner)
      }
    if (frame.objects)
      for (const o of frame.objects) {
        const h = how(o.serial)
        if (h === 'keep') continue
        o.opaque = h === 'havoc'
        if (o instanceof ObjV) o.kept = undefined
        this.stamp(o)
      }
  }

  setBinding(b: Binding, v: Val): void {
    const f = this.frames[this.frames.length - 1]
    if (f) {
      const log = (f.bindings ??= new Map())
      if (!log.has(b)) log.set(b, b.value)
    }
    b.value = v
    this.stamp(b)
  }

  touchArray = (a: ArrV): void => {
    this.stamp(a)
    const f = this.frames[this.frames.length - 1]
    if (!f) return
    const log = (f.arrays ??= new Map())
    if (!log.has(a)) log.set(a, a.items.slice())
  }

  /** Before `key` of an object or function is set or deleted; replacing a value stamps it. */
  private touchMap(owner: ObjV | FnV, key: string): void {
    const m = owner.props
    // a key's first value is no change: caches and flags set once read the same either way
    if (m.has(key)) this.stamp(owner)
    const f = this.frames[this.frames.length - 1]
    if (!f) return
    const log = (f.maps ??= new Map())
    if (!log.has(m)) log.set(m, { old: new Map(m), owner })
  }

  private makeOpaque(o: ObjV | ArrV): void {
    const f = this.frames[this.frames.length - 1]
    // written under a name not known: any getter may have been replaced
    if (o instanceof ObjV) {
      o.getters = undefined
      o.kept = undefined
    }
    if (o.opaque) return
    this.stamp(o)
    if (f) (f.objects ??= new Set()).add(o)
    o.opaque = true
  }

  /** Value of a name; host globals are UNKNOWN, window/self/globalThis the global object. */
  lookup(name: string, env: Env): Val {
    const b = env.lookup(name)
    if (!b) return GLOBAL_NAMES.has(name) ? this.globalObject : UNKNOWN
    if (this.ranAfter && this.changedLater(b, this.ranAfter))
      throw new Abort('written after it ran')
    const v = b.value
    // read whole (`''+t`, `String(t)`, a spread), its items must be as they were then too; but
    // a memo table read by the one function that fills it holds what that function gives
    if (
      this.ranAfter &&
      (v instanceof ArrV || v instanceof ObjV) &&
      !this.ownMemo(name, b) &&
      // a forgotten object reads unknown whole; what it kept, no code ever wrote
      !(v instanceof ObjV && v.opaque && v.kept !== undefined) &&
      this.changedLater(v, this.ranAfter)
    )
      throw new Abort('written after it ran')
    if (v instanceof ArrV || v instanceof ObjV) this.memo = this.ownMemo(name, b) ? v : undefined
    const varies = this.varies
    if (this.closureWritten !== undefined && this.writtenElsewhere(name, b, v)) return UNKNOWN
    if (
      varies !== undefined &&
      (v instanceof ArrV || v instanceof ObjV) &&
      v.serial < varies.born &&
      this.depth === varies.depth &&
      varies.names.has(b.scope ?? this.global.node, name)
    )
      return UNKNOWN
    return v
  }

  /** When code runs at a time the simulation does not know: the first serial it made. */
  private evaluatedFrom(): number | undefined {
    return this.ranAfter ? this.freeBefore : this.varies?.born
  }

  /** A variable from before the code being evaluated that code run later writes, or fills. */
  private writtenElsewhere(name: string, b: Binding, v: Val): boolean {
    const owner = b.scope ?? this.global.node
    if (owner === undefined) return false
    if (isPrim(v)) {
      if (!this.closureWritten?.get(owner)?.has(name)) return false
    } else if (v instanceof ArrV || v instanceof ObjV) {
      if (!this.notOwn(this.closureMutated?.get(owner)?.get(name))) return false
    } else return false
    const born = this.evaluatedFrom()
    return born !== undefined && (b.serial ?? 0) < born
  }

  /**
   * The table the function being interpreted fills (`cache[k] = decoded`) and no other code
   * writes: its entries are what this function computes, whenever they were written.
   */
  private ownMemo(name: string, b: Binding): boolean {
    if (this.callee === undefined) return false
    const owner = b.scope ?? this.global.node
    const writers = owner ? this.tableWriters?.get(owner)?.get(name) : undefined
    return writers !== undefined && writers.size === 1 && writers.has(this.callee)
  }

  /** the memo table last read by the function that fills it (see ownMemo) */
  private memo: ArrV | ObjV | undefined = undefined

  /** the function (or the program) each function is written in */
  parentFn: ReadonlyMap<AnyNode, AnyNode> | undefined = undefined

  /** Whether some writer other than the function being interpreted is written inside `home`. */
  private reaches(writers: ReadonlySet<AnyNode>, home: Node): boolean {
    if (this.parentFn === undefined) return true
    for (const w of writers) {
      if (w === this.callee) continue
      for (let f: AnyNode | undefined = w; f !== undefined; f = this.parentFn.get(f))
        if (f === home) return true
    }
    return false
  }

  /** Written by these functions, and read outside them. */
  private notOwn(writers: ReadonlySet<AnyNode> | undefined): boolean {
    return writers !== undefined && !(this.callee !== undefined && writers.has(this.callee))
  }

  /**
   * A property of a value from before the code being evaluated, which code run later writes
   * (see closureProps): unknown when that code runs at a time the simulation does not know.
   */
  private writtenLater(obj: ArrV | ObjV | FnV, k: string): boolean {
    const writers = this.closureProps?.get(k)
    if (!this.notOwn(writers)) return false
    // a value made in a function is written later only by code inside that function: code
    // outside it (a library's `t.length = n` before an appended script) never holds it by name
    if (obj.home !== undefined && !this.reaches(writers as ReadonlySet<AnyNode>, obj.home))
      return false
    const born = this.evaluatedFrom()
    return born !== undefined && obj.serial < born
  }

  assign(name: string, env: Env, v: Val): void {
    const b = env.lookup(name)
    if (b && b.kind !== 'const') this.setBinding(b, v)
    else if (!b) {
      // an implicit global: code that ran before this did not see it
      const made: Binding = { value: v, kind: 'var', wrote: 0 }
      this.global.vars.set(name, made)
      this.stamp(made)
    }
  }

  invoke = (fn: Val, self: Val, args: Val[]): Val => this.call(fn, self, args)

  getMember(obj: Val, key: Val): Val {
    if (obj === UNKNOWN) return UNKNOWN
    if (obj === null || obj === undefined) throw new Thrown('TypeError')
    if (
      this.ranAfter &&
      (obj instanceof ArrV || obj instanceof ObjV || obj instanceof FnV) &&
      obj !== this.memo &&
      !keptRead(obj, key) &&
      this.changedLater(obj, this.ranAfter)
    )
      throw new Abort('written after it ran')
    if (typeof key === 'number' && Number.isInteger(key) && key >= 0) {
      if (obj instanceof ArrV) return obj.opaque ? UNKNOWN : obj.items[key]
      if (typeof obj === 'string') return obj[key]
    }
    const k = typeof key === 'string' ? key : toStr(key)
    if (k === UNKNOWN) return UNKNOWN
    if (
      this.closureProps !== undefined &&
      (obj instanceof ArrV || obj instanceof ObjV || obj instanceof FnV) &&
      this.writtenLater(obj, k)
    )
      return UNKNOWN
    if (this.inherited !== undefined && (this.inherited === 'all' || this.inherited.has(k)))
      if (!ownProperty(obj, k)) return UNKNOWN
    if (k === 'constructor') return this.constructorOf(obj)
    if (typeof obj === 'string' || typeof obj === 'number' || typeof obj === 'boolean')
      return primitiveMember(obj, k, this.invoke)
    if (obj instanceof ArrV) {
      if (k === 'raw' && obj.raw) return obj.raw
      return arrayMember(obj, k, this.invoke, this.touchArray)
    }
    // a pattern's text (`/https:\/\/h/.source` is `https:\/\/h`) and its flags, as the
    // browser's RegExp gives them
    if (obj instanceof RegexV) {
      const re = k === 'source' || k === 'flags' ? obj.regex() : undefined
      return re ? re[k as 'source' | 'flags'] : UNKNOWN
    }
    if (obj instanceof ObjV) {
      const getter = obj.getters?.get(k)
      if (getter) return this.callFunction(getter, obj, [])
      if (obj.opaque) return obj.kept?.has(k) ? obj.props.get(k) : UNKNOWN
      // inherited from Object.prototype unless the object has its own
      if (obj.props.has(k) || !OBJECT_KEYS.has(k)) return obj.props.get(k)
      return OBJECT_METHODS.has(k) ? opaqueMethod(k) : UNKNOWN
    }
    if (obj instanceof GlobalV) return this.lookup(k, this.global)
    if (obj instanceof FnV) {
      if (obj.props.has(k)) return obj.props.get(k)
      if (obj.props.has('__proto__')) return UNKNOWN
      const node = obj.node as AnyNode & FnNode
      if (k === 'length') return node.params.length
      if (k === 'toString') {
        const text = this.text?.slice(node.start, node.end)
        return text === undefined ? UNKNOWN : new NativeV('toString', () => text, obj)
      }
      return k === 'call' || k === 'apply' || k === 'bind' ? this.callMethod(obj, k) : undefined
    }
    if (obj instanceof NativeV) {
      if (k === 'call' || k === 'apply') return this.callMethod(obj, k)
      if (obj.name === 'Array' && k === 'from') return this.arrayFrom
      if (k === 'getPrototypeOf' && obj.name === 'Object') return this.getPrototypeOf
      if (obj.name === 'Function' && k === 'prototype') return this.functionPrototype()
      const statics =
        obj.name === 'String'
          ? stringStatics
          : obj.name === 'Array'
            ? arrayStatics
            : obj.name === 'Object'
              ? objectStatics
              : undefined
      return statics?.get(k) ?? UNKNOWN
    }
    return UNKNOWN
  }

  /** `x.constructor`: a primitive's or array's wrapper, and for any function, `Function`. */
  private constructorOf(obj: Val): Val {
    if ((obj instanceof ObjV || obj instanceof FnV) && obj.props.has('constructor'))
      return (obj as ObjV).opaque && !keptRead(obj, 'constructor')
        ? UNKNOWN
        : obj.props.get('constructor')
    const name =
      typeof obj === 'string'
        ? 'String'
        : typeof obj === 'number'
          ? 'Number'
          : typeof obj === 'boolean'
            ? 'Boolean'
            : obj instanceof ArrV
              ? 'Array'
              : obj instanceof FnV || obj instanceof NativeV
                ? 'Function'
                : obj instanceof ObjV && !obj.opaque && !(obj instanceof RegexV)
                  ? 'Object'
                  : undefined
    return name === undefined ? UNKNOWN : this.lookup(name, this.realm)
  }

  setMember(obj: Val, key: Val, v: Val): void {
    if (obj === null || obj === undefined) throw new Thrown('TypeError')
    const k = toStr(key)
    if (obj instanceof ArrV || obj instanceof ObjV) {
      // another prototype: what the object inherits is no longer known
      if (k === UNKNOWN || k === '__proto__') return this.makeOpaque(obj)
      if (obj instanceof ArrV) {
        if (/^(0|[1-9]\d*)$/.test(k) && Number(k) < MAX_ARRAY) {
          this.touchArray(obj)
          obj.items[Number(k)] = v
        } else if (k === 'length' && typeof v === 'number' && v <= MAX_ARRAY) {
          this.touchArray(obj)
          obj.items.length = v
        } else obj.named = true
        return
      }
      this.touchMap(obj, k)
      obj.props.set(k, v)
    } else if (obj instanceof FnV && k !== UNKNOWN) {
      this.touchMap(obj, k)
      obj.props.set(k, v)
    } else if (obj instanceof GlobalV && k !== UNKNOWN) this.assign(k, this.global, v)
  }

  /**
   * `Function.prototype`: its `toString` gives a sample function's own text (a payload kept in a
   * comment inside a function is read this way), its `constructor` is `Function`.
   */
  private fnProto: ObjV | undefined
  private functionPrototype(): ObjV {
    if (this.fnProto) return this.fnProto
    // nothing else of it is modelled: any other member reads unknown
    const proto = new ObjV()
    proto.opaque = true
    proto.kept = new Set(['constructor', 'toString'])
    proto.props.set('constructor', this.lookup('Function', this.realm))
    proto.props.set(
      'toString',
      new NativeV('toString', (self) => {
        if (!(self instanceof FnV)) return UNKNOWN
        const text = this.text?.slice(self.node.start, self.node.end)
        return text === undefined ? UNKNOWN : text
      }),
    )
    return (this.fnProto = proto)
  }

  /**
   * `Object.getPrototypeOf(f)` of a function is `Function.prototype`, or for an async function
   * or a generator a prototype whose `constructor` (AsyncFunction, GeneratorFunction) compiles
   * code as `Function` does: all three are the same code runner here.
   */
  private readonly getPrototypeOf = new NativeV('getPrototypeOf', (_self, [of]) =>
    of instanceof FnV || of instanceof NativeV ? this.functionPrototype() : UNKNOWN,
  )

  /**
   * `Array.from(items, f)`: a copy of an array, a string's characters or `{ length: n }` empty
   * slots, mapped by `f` with each item and its index as `map` does.
   */
  private readonly arrayFrom = new NativeV('from', (_self, [source, mapper, self]) => {
    let items: Val[] | undefined
    if (source instanceof ArrV && !source.opaque) items = [...source.items]
    else if (typeof source === 'string') items = [...source]
    else if (source instanceof ObjV && !source.opaque && source.props.size === 1) {
      const n = source.props.get('length')
      if (typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= MAX_ARRAY)
        items = new Array<Val>(n).fill(undefined)
    }
    if (items === undefined || items.length > MAX_ARRAY) return UNKNOWN
    if (mapper === undefined) return new ArrV(items)
    const out: Val[] = []
    for (let i = 0; i < items.length; i++) out.push(this.invoke(mapper, self, [items[i], i]))
    return new ArrV(out)
  })

  deleteMember(obj: Val, key: Val): void {
    const k = toStr(key)
    if (obj instanceof ObjV && k !== UNKNOWN) {
      this.touchMap(obj, k)
      obj.props.delete(k)
      obj.getters?.delete(k)
    } else if (obj instanceof ArrV || obj instanceof ObjV) this.makeOpaque(obj)
  }

  private callMethod(target: FnV | NativeV, k: 'call' | 'apply' | 'bind'): Val {
    return new NativeV(k, (_self, args) => {
      const [self, ...rest] = args
      if (k === 'call') return this.callOn(target, self, rest)
      if (k === 'bind')
        return new NativeV('bound', (_s, more) => this.callOn(target, self, [...rest, ...more]))
      const list = rest[0]
      if (list === undefined || list === null) return this.callOn(target, self, [])
      return list instanceof ArrV && !list.opaque ? this.callOn(target, self, list.items) : UNKNOWN
    })
  }

  /**
   * `f.call(self, …)`: `self` is the receiver, also for a method read off another one
   * (`[].slice.call(arguments)` slices the arguments, not the empty array). A built-in method
   * runs on another receiver only when that is an array it can read, else its result is unknown.
   */
  private callOn(target: FnV | NativeV, self: Val, args: Val[]): Val {
    if (!(target instanceof NativeV) || target.bound === undefined || self === target.bound)
      return this.call(target, self, args)
    if (!(target.bound instanceof ArrV) || !(self instanceof ArrV) || self.opaque) return UNKNOWN
    return this.call(new NativeV(target.name, target.fn, self, target.writes), self, args)
  }

  /** Call anything: sample functions run in the evaluator, host functions answer UNKNOWN. */
  call(fn: Val, self: Val, args: Val[]): Val {
    this.tick()
    if (fn instanceof FnV) return this.callFunction(fn, self, args)
    if (fn instanceof NativeV) {
      if (fn.writes) this.havoc([self, ...args])
      return fn.fn(fn.bound !== undefined ? fn.bound : self, args)
    }
    if (fn === UNKNOWN || fn instanceof GlobalV) {
      // code nobody knows (`$.extend(cfg, data)`, `Object.assign`) may change what it is given
      this.havoc(args)
      return UNKNOWN
    }
    throw new Thrown('TypeError: not a function')
  }

  /** Arrays and objects reachable from `vals` hold what nobody knows from now on. */
  private havoc(vals: readonly Val[]): void {
    const todo = [...vals]
    for (let seen = 0; todo.length > 0 && seen < MAX_HAVOC; seen++) {
      const v = todo.pop()
      if (!(v instanceof ArrV || v instanceof ObjV) || v.opaque) continue
      todo.push(...(v instanceof ArrV ? v.items : v.props.values()))
      this.makeOpaque(v)
    }
  }

  /** Set by the evaluator module: a callback an unknown collection runs over its items. */
  escape: (fn: FnV) => void = () => undefined

  /** Set by the evaluator module (expressions and statements live beside this file). */
  callFunction: (fn: FnV, self: Val, args: Val[]) => Val = () => UNKNOWN

  construct(ctor: Val, args: Val[]): Val {
    // a constructor nobody knows (`new Proxy(target, traps)`) may change what it is given
    if (!(ctor instanceof FnV || (ctor instanceof NativeV && MODELLED_CONSTRUCTORS.has(ctor.name))))
      this.havoc(args)
    if (ctor instanceof NativeV) {
      if (ctor.name === 'Array') {
        const [n] = args
        if (args.length === 1 && typeof n === 'number')
          return n >= 0 && n <= MAX_ARRAY ? new ArrV(new Array<Val>(n).fill(undefined)) : UNKNOWN
        return new ArrV(args)
      }
      if (ctor.name === 'Object') return new ObjV()
      if (ctor.name === 'Uint8Array') return bytesOf(args)
      if (ctor.name === 'TextDecoder') return textDecoder(args)
      if (ctor.name === 'RegExp') {
        const [p, f] = args.map(toStr)
        return typeof p === 'string' ? new RegexV(p, typeof f === 'string' ? f : '') : UNKNOWN
      }
      return UNKNOWN
    }
    if (ctor instanceof FnV && ctor.node.type !== 'ArrowFunctionExpression') {
      const self = new ObjV()
      const out = this.callFunction(ctor, self, args)
      return out instanceof ObjV || out instanceof ArrV || out instanceof FnV ? out : self
    }
    return UNKNOWN
  }

  regex(node: AnyNode & { type: 'Literal' }): Val {
    return node.regex ? new RegexV(node.regex.pattern, node.regex.flags) : UNKNOWN
  }
}

/** `return this`, or `return (function() {}.constructor("return this")( ));` */
const RETURNS_GLOBAL =
  /^\s*return\s*(?:this|\(\s*function\s*\(\s*\)\s*\{\s*\}\s*\.constructor\(\s*(["'])return this\1\s*\)\s*\(\s*\)\s*\))\s*;?\s*$/

export function realmNatives(m: Machine): void {
  const builtin = (name: string, value: NativeV): void => {
    m.realm.vars.set(name, { value, kind: 'const', wrote: 0 })
  }
  builtin('Array', new NativeV('Array', (_s, a) => new ArrV(a)))
  builtin('Object', new NativeV('Object', () => new ObjV()))
  builtin('RegExp', new NativeV('RegExp', () => UNKNOWN))
  // code runners: known by identity wherever a sample reaches them, never run; the bodies
  // understood are the global object's getter obfuscators build (`Function('return this')`)
  // and text that is one string literal, read, not run: how symbol-only encodings unescape
  // their payload (`Function('return "\\155…"')()`, `eval('"\\x61…"')`)
  const getGlobal = new NativeV('%global', () => m.globalObject)
  // texts already read, for this machine only: a loop handing one text to `eval` parses it once
  const literals = new Map<string, string | undefined>()
  for (const name of CODE_RUNNERS)
    builtin(
      name,
      new NativeV(name, (_s, args) => {
        // Function's body is its last argument, eval's code its first
        const body = name === 'Function' ? args[args.length - 1] : args[0]
        if (typeof body !== 'string') return UNKNOWN
        if (name === 'Function' && RETURNS_GLOBAL.test(body)) return getGlobal
        // reading the text costs as a loop over it would
        m.steps += body.length >> 6
        const text = literalText(body, name === 'Function', literals)
        if (text === undefined) return UNKNOWN
        return name === 'Function' ? new NativeV('%literal', () => text) : text
      }),
    )
  // bytes and their UTF-8 text: decoders XOR into a Uint8Array and read it with a TextDecoder
  builtin('Uint8Array', new NativeV('Uint8Array', () => UNKNOWN))
  builtin('TextDecoder', new NativeV('TextDecoder', () => UNKNOWN))
}

/** Code text longer than this is not read for a literal it returns. */
const LITERAL_CODE = 1 << 20

/**
 * The string a code text gives without running anything: a function body that only returns a
 * string literal (`returns`), or a script that is only one (`eval`'s completion value).
 */
function literalText(
  code: string,
  returns: boolean,
  literals: Map<string, string | undefined>,
): string | undefined {
  if (code.length > LITERAL_CODE || !/^\s*(return\b|["'`])/.test(code)) return undefined
  const key = `${returns ? 'F' : 'E'}${code}`
  if (literals.has(key)) return literals.get(key)
  const text = readLiteral(code, returns)
  if (literals.size >= LITERALS_KEPT) literals.clear()
  literals.set(key, text)
  return text
}

const LITERALS_KEPT = 64

function readLiteral(code: string, returns: boolean): string | undefined {
  let program: AnyNode
  try {
    program = parseGuarded(returns ? `(function(){${code}\n})` : code, {
      ecmaVersion: 'latest',
    }) as AnyNode
  } catch {
    return undefined
  }
  if (program.type !== 'Program' || program.body.length !== 1) return undefined
  let only = program.body[0] as AnyNode
  if (only.type !== 'ExpressionStatement') return undefined
  if (returns) {
    const fn = only.expression as AnyNode
    const body = fn.type === 'FunctionExpression' ? (fn.body.body as AnyNode[]) : []
    const real = body.filter((st) => st.type !== 'EmptyStatement')
    if (real.length !== 1 || real[0]?.type !== 'ReturnStatement' || !real[0].argument)
      return undefined
    only = { type: 'ExpressionStatement', expression: real[0].argument } as AnyNode
  }
  const e = (only as AnyNode & { type: 'ExpressionStatement' }).expression as AnyNode
  if (e.type === 'Literal' && typeof e.value === 'string') return e.value
  if (e.type === 'TemplateLiteral' && e.expressions.length === 0)
    return e.quasis[0]?.value.cooked ?? undefined
  return undefined
}

/** `new Uint8Array(n)` (zeros) or `new Uint8Array(array)`; bytes are masked when read. */
function bytesOf(args: Val[]): Val {
  const [n] = args
  if (typeof n === 'number')
    return Number.isInteger(n) && n >= 0 && n <= MAX_ARRAY
      ? new ArrV(new Array<Val>(n).fill(0))
      : UNKNOWN
  if (n instanceof ArrV && !n.opaque && n.items.every((x) => typeof x === 'number'))
    return new ArrV(n.items.map((x) => (x as number) & 255))
  return UNKNOWN
}

/** `new TextDecoder()` (UTF-8 only): `decode(bytes)` gives the text. */
function textDecoder(args: Val[]): Val {
  const [label] = args
  if (label !== undefined && !(typeof label === 'string' && /^utf-?8$/i.test(label))) return UNKNOWN
  const d = new ObjV()
  d.props.set(
    'decode',
    new NativeV('decode', (_s, [a]) =>
      a instanceof ArrV && !a.opaque && a.items.every((x) => typeof x === 'number')
        ? Buffer.from(a.items.map((x) => (x as number) & 255)).toString('utf8')
        : UNKNOWN,
    ),
  )
  return d
}
