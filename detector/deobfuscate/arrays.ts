import type { Invoke } from './builtins.ts'
import { ARRAY_KEYS, ARRAY_METHODS } from './prototypes.ts'
import {
  ArrV,
  MAX_ARRAY,
  MAX_STRING,
  NativeV,
  UNKNOWN,
  opaqueMethod,
  toPrim,
  toStr,
  truthy,
  type Val,
} from './values.ts'

// Array methods of the partial evaluator. Mutating ones report the array first, so a
// speculative evaluation can be undone and an abandoned one can mark it unknown.

export type Touch = (a: ArrV) => void

const num = (v: Val): number | undefined => {
  const p = toPrim(v)
  return p === UNKNOWN ? undefined : Number(p)
}

function index(n: number | undefined, len: number, dflt: number): number {
  if (n === undefined || Number.isNaN(n)) return dflt
  const i = Math.trunc(n)
  return i < 0 ? Math.max(len + i, 0) : Math.min(i, len)
}

type Method = (a: ArrV, args: Val[], invoke: Invoke, touch: Touch) => Val

function iterate(
  a: ArrV,
  [cb, thisArg]: Val[],
  invoke: Invoke,
  each: (out: Val, x: Val, i: number) => boolean | void,
): boolean {
  const items = a.items.slice()
  for (let i = 0; i < items.length; i++) {
    const out = invoke(cb, thisArg, [items[i], i, a])
    if (out === UNKNOWN && each.length > 0) return false
    if (each(out, items[i], i) === true) break
  }
  return true
}

const METHODS: Record<string, Method> = {
  push: (a, args, _i, touch) => {
    touch(a)
    if (a.items.length + args.length > MAX_ARRAY) return UNKNOWN
    a.items.push(...args)
    return a.items.length
  },
  pop: (a, _args, _i, touch) => (touch(a), a.items.pop()),
  shift: (a, _args, _i, touch) => (touch(a), a.items.shift()),
  unshift: (a, args, _i, touch) => (touch(a), a.items.unshift(...args)),
  splice: (a, [s, c, ...add], _i, touch) => {
    touch(a)
    const start = index(num(s), a.items.length, 0)
    const count = c === undefined ? a.items.length - start : (num(c) ?? 0)
    return new ArrV(a.items.splice(start, Math.max(count, 0), ...add))
  },
  reverse: (a, _args, _i, touch) => (touch(a), a.items.reverse(), a),
  // stable, as JavaScript's: by the comparator's sign, or by text with undefined last
  sort: (a, [cmp], invoke, touch) => {
    touch(a)
    let failed = false
    // without a comparator each item is compared by its text, made once (as engines do) and
    // within the evaluator's string budget; with one, each comparison is a call it pays for
    let texts: Map<Val, string> | undefined
    if (cmp === undefined) {
      texts = new Map()
      let size = 0
      for (const x of a.items) {
        if (x === undefined || texts.has(x)) continue
        const t = toStr(x)
        if (typeof t !== 'string' || (size += t.length) > MAX_STRING) {
          a.opaque = true
          return UNKNOWN
        }
        texts.set(x, t)
      }
    }
    const order = (x: Val, y: Val): number => {
      if (failed) return 0
      if (x === undefined || y === undefined) return x === y ? 0 : x === undefined ? 1 : -1
      if (texts) {
        const tx = texts.get(x) as string
        const ty = texts.get(y) as string
        return tx < ty ? -1 : tx > ty ? 1 : 0
      }
      const r = num(invoke(cmp, undefined, [x, y]))
      if (r === undefined) failed = true
      return failed || Number.isNaN(r) ? 0 : (r as number)
    }
    const sorted = a.items.slice().sort(order)
    if (failed) {
      // sorted in some order the evaluator cannot tell
      a.opaque = true
      return UNKNOWN
    }
    a.items.splice(0, a.items.length, ...sorted)
    return a
  },
  slice: (a, [s, e]) =>
    new ArrV(
      a.items.slice(
        index(num(s), a.items.length, 0),
        index(e === undefined ? undefined : num(e), a.items.length, a.items.length),
      ),
    ),
  concat: (a, args) => {
    const out = a.items.slice()
    for (const x of args) {
      if (x instanceof ArrV) {
        if (x.opaque) return UNKNOWN
        out.push(...x.items)
      } else out.push(x)
    }
    return out.length > MAX_ARRAY ? UNKNOWN : new ArrV(out)
  },
  join: (a, [sep]) => {
    const s = sep === undefined ? ',' : toStr(sep)
    if (s === UNKNOWN) return UNKNOWN
    const parts: string[] = []
    for (const x of a.items) {
      const t = x === undefined || x === null ? '' : toStr(x)
      if (t === UNKNOWN) return UNKNOWN
      parts.push(t)
    }
    return parts.join(s)
  },
  indexOf: (a, [x]) => (x === UNKNOWN ? UNKNOWN : a.items.indexOf(x)),
  includes: (a, [x]) => (x === UNKNOWN ? UNKNOWN : a.items.includes(x)),
  fill: (a, [x], _i, touch) => (touch(a), a.items.fill(x), a),
  map: (a, args, invoke) => {
    const out: Val[] = []
    return iterate(a, args, invoke, (v) => void out.push(v)) ? new ArrV(out) : UNKNOWN
  },
  forEach: (a, args, invoke) => (iterate(a, args, invoke, () => undefined), undefined),
  filter: (a, args, invoke) => {
    const out: Val[] = []
    let ok = true
    const done = iterate(a, args, invoke, (v, x) => {
      const t = truthy(v)
      if (t === UNKNOWN) ok = false
      else if (t) out.push(x)
      return !ok
    })
    return done && ok ? new ArrV(out) : UNKNOWN
  },
  reduce: (a, [cb, init], invoke) => {
    const items = a.items.slice()
    let acc: Val
    let i = 0
    if (init === undefined && items.length > 0) acc = items[i++]
    else acc = init
    for (; i < items.length; i++) {
      acc = invoke(cb, undefined, [acc, items[i], i, a])
      if (acc === UNKNOWN) return UNKNOWN
    }
    return acc
  },
}

/** `arr.push`, `arr.length`, `arr[3]`. */
export function arrayMember(a: ArrV, key: string, invoke: Invoke, touch: Touch): Val {
  if (a.opaque) return UNKNOWN
  if (key === 'length') return a.items.length
  if (/^(0|[1-9]\d*)$/.test(key)) return a.items[Number(key)]
  const m = METHODS[key]
  if (m) return new NativeV(key, (self, args) => m(self as ArrV, args, invoke, touch), a)
  // no own property of that name and none inherited: `[][[]]` is undefined
  if (a.named) return UNKNOWN
  if (ARRAY_METHODS.has(key)) return opaqueMethod(key, true)
  return ARRAY_KEYS.has(key) ? UNKNOWN : undefined
}
