import { decodeBase64 } from './decode.ts'
import {
  BOOLEAN_KEYS,
  NUMBER_KEYS,
  STRING_KEYS,
  STRING_METHODS as INHERITED,
} from './prototypes.ts'
import {
  ArrV,
  MAX_ARRAY,
  MAX_STRING,
  NativeV,
  ObjV,
  ownKeys,
  UNKNOWN,
  isPrim,
  opaqueMethod,
  toPrim,
  toStr,
  type Val,
} from './values.ts'

// The built-ins the partial evaluator answers itself, over constants only. Anything that
// would touch the host (DOM, network, timers, randomness) is UNKNOWN by construction.

/** Calls back into the evaluator for sample functions passed to map/forEach/reduce/replace. */
export type Invoke = (fn: Val, self: Val, args: Val[]) => Val

const str = (v: Val): string | undefined => {
  const s = toStr(v)
  return s === UNKNOWN ? undefined : s
}
const num = (v: Val): number | undefined => {
  const p = toPrim(v)
  return p === UNKNOWN ? undefined : Number(p)
}
const cap = (s: string): Val => (s.length > MAX_STRING ? UNKNOWN : s)
const arr = (items: Val[]): Val => (items.length > MAX_ARRAY ? UNKNOWN : new ArrV(items))

/** A regex the evaluator will run: short, on short input, without nested quantifiers. */
function safeRegex(pattern: string, flags: string): RegExp | undefined {
  if (pattern.length > 120 || /\)[*+?{]|\\\d/.test(pattern)) return undefined
  try {
    return new RegExp(pattern, flags.replace(/[^gimsuy]/g, ''))
  } catch {
    return undefined
  }
}

export class RegexV extends ObjV {
  constructor(
    public pattern: string,
    public flags: string,
  ) {
    super()
  }
  regex(): RegExp | undefined {
    return safeRegex(this.pattern, this.flags)
  }
}

const fn = (name: string, f: (self: Val, args: Val[]) => Val): NativeV => new NativeV(name, f)

function decodeUnescapeOrUnknown(s: string | undefined): Val {
  if (s === undefined) return UNKNOWN
  return s.replace(
    /%u([0-9a-fA-F]{4})|%([0-9a-fA-F]{2})/g,
    (_m, u: string | undefined, h: string) => String.fromCharCode(parseInt(u ?? h, 16)),
  )
}

function tryDecode(f: (s: string) => string, s: string | undefined): Val {
  if (s === undefined) return UNKNOWN
  try {
    return f(s)
  } catch {
    return UNKNOWN
  }
}

const fromCharCode = fn('fromCharCode', (_s, args) => {
  let out = ''
  for (const a of args) {
    const n = num(a)
    if (n === undefined) return UNKNOWN
    out += String.fromCharCode(n)
  }
  return out
})

const mathFns: Record<string, (...n: number[]) => number> = {
  floor: Math.floor,
  ceil: Math.ceil,
  round: Math.round,
  abs: Math.abs,
  max: Math.max,
  min: Math.min,
  pow: Math.pow,
  sqrt: Math.sqrt,
  trunc: Math.trunc,
  sign: Math.sign,
  imul: Math.imul,
}

function namespace(entries: Record<string, Val>): ObjV {
  const o = new ObjV()
  for (const [k, v] of Object.entries(entries)) o.props.set(k, v)
  return o
}

const numeric = (name: string, f: (n: number, args: number[]) => Val): NativeV =>
  fn(name, (_s, args) => {
    const ns = args.map(num)
    if (ns.some((n) => n === undefined)) return UNKNOWN
    return f(ns[0] ?? NaN, ns as number[])
  })

export function makeGlobals(): Map<string, Val> {
  const g = new Map<string, Val>()
  const math: Record<string, Val> = { PI: Math.PI, E: Math.E, random: fn('random', () => UNKNOWN) }
  for (const [k, f] of Object.entries(mathFns)) math[k] = numeric(k, (_n, all) => f(...all))
  g.set('Math', namespace(math))
  const stringCtor = fn('String', (_s, [a]) => (a === undefined ? '' : (toStr(a) as Val)))
  g.set('String', stringCtor)
  g.set(
    'Number',
    fn('Number', (_s, [a]) => (a === undefined ? 0 : (num(a) ?? UNKNOWN))),
  )
  g.set(
    'Boolean',
    fn('Boolean', (_s, [a]) => (a === UNKNOWN ? UNKNOWN : Boolean(toPrim(a)))),
  )
  g.set(
    'parseInt',
    fn('parseInt', (_s, [a, b]) => {
      const s = str(a)
      return s === undefined ? UNKNOWN : parseInt(s, b === undefined ? undefined : num(b))
    }),
  )
  g.set(
    'parseFloat',
    fn('parseFloat', (_s, [a]) => {
      const s = str(a)
      return s === undefined ? UNKNOWN : parseFloat(s)
    }),
  )
  g.set(
    'isNaN',
    numeric('isNaN', (n) => Number.isNaN(n)),
  )
  g.set(
    'atob',
    fn('atob', (_s, [a]) => decodeBase64(str(a) ?? '') ?? UNKNOWN),
  )
  g.set(
    'btoa',
    fn('btoa', (_s, [a]) => {
      const s = str(a)
      return s === undefined || /[^\x00-\xff]/.test(s)
        ? UNKNOWN
        : Buffer.from(s, 'latin1').toString('base64')
    }),
  )
  g.set(
    'unescape',
    fn('unescape', (_s, [a]) => decodeUnescapeOrUnknown(str(a))),
  )
  g.set(
    'escape',
    fn('escape', (_s, [a]) => tryDecode(escape, str(a))),
  )
  g.set(
    'decodeURIComponent',
    fn('d', (_s, [a]) => tryDecode(decodeURIComponent, str(a))),
  )
  g.set(
    'decodeURI',
    fn('d', (_s, [a]) => tryDecode(decodeURI, str(a))),
  )
  g.set(
    'encodeURIComponent',
    fn('e', (_s, [a]) => tryDecode(encodeURIComponent, str(a))),
  )
  g.set(
    'encodeURI',
    fn('e', (_s, [a]) => tryDecode(encodeURI, str(a))),
  )
  g.set('undefined', undefined)
  g.set('NaN', NaN)
  g.set('Infinity', Infinity)
  stringStatics.set('fromCharCode', fromCharCode)
  stringStatics.set(
    'raw',
    fn('raw', (_s, args) => stringRaw(args)),
  )
  arrayStatics.set(
    'isArray',
    fn('isArray', (_s, [a]) => a instanceof ArrV),
  )
  // an object's own enumerable entries, in JavaScript's order; an array's by index
  const entries = (o: Val): [string, Val][] | undefined =>
    o instanceof ObjV && !o.opaque && !o.getters?.size
      ? ownKeys(o).map((k) => [k, o.props.get(k)])
      : // an array with named members lists them too, and those are not kept
        o instanceof ArrV && !o.opaque && !o.named
        ? o.items.map((x, i) => [String(i), x])
        : undefined
  objectStatics.set(
    'keys',
    fn('keys', (_s, [o]) => {
      const all = entries(o)
      return all ? arr(all.map(([k]) => k)) : UNKNOWN
    }),
  )
  objectStatics.set(
    'values',
    fn('values', (_s, [o]) => {
      const all = entries(o)
      return all ? arr(all.map(([, v]) => v)) : UNKNOWN
    }),
  )
  objectStatics.set(
    'entries',
    fn('entries', (_s, [o]) => {
      const all = entries(o)
      return all ? arr(all.map(([k, v]) => arr([k, v]))) : UNKNOWN
    }),
  )
  return g
}

/** `String.raw(strings, ...values)`: the strings as written, the values between them. */
function stringRaw([strings, ...values]: Val[]): Val {
  const raw = strings instanceof ArrV ? strings.raw : undefined
  if (!raw || raw.opaque) return UNKNOWN
  let out = ''
  for (let i = 0; i < raw.items.length; i++) {
    const part = str(raw.items[i])
    if (part === undefined) return UNKNOWN
    out += part
    if (i + 1 < raw.items.length && i < values.length) {
      const v = str(values[i])
      if (v === undefined) return UNKNOWN
      out += v
    }
  }
  return out
}

export const stringStatics = new Map<string, Val>()
export const arrayStatics = new Map<string, Val>()
export const objectStatics = new Map<string, Val>()

/** `'abc'.charCodeAt`, `(5).toString`: a method of a primitive, bound to it. */
export function primitiveMember(p: string | number | boolean, key: string, invoke: Invoke): Val {
  if (typeof p === 'string') {
    if (key === 'length') return p.length
    if (/^\d+$/.test(key)) return p[Number(key)]
    const m = STRING_METHODS[key]
    if (m) return new NativeV(key, (self, args) => m(String(self), args, invoke), p)
    if (INHERITED.has(key)) return opaqueMethod(key)
    return STRING_KEYS.has(key) ? UNKNOWN : undefined
  }
  if (typeof p === 'number' && key === 'toString')
    return new NativeV(
      key,
      (self: Val, [r]: Val[]) => (self as number).toString(r === undefined ? 10 : num(r)),
      p,
    )
  if (key === 'toString' || key === 'valueOf')
    return new NativeV(key, (self: Val) => (key === 'toString' ? String(self) : self), p)
  return (typeof p === 'number' ? NUMBER_KEYS : BOOLEAN_KEYS).has(key) ? UNKNOWN : undefined
}

type StrMethod = (s: string, args: Val[], invoke: Invoke) => Val

const STRING_METHODS: Record<string, StrMethod> = {
  charAt: (s, [i]) => s.charAt(num(i) ?? 0),
  charCodeAt: (s, [i]) => s.charCodeAt(i === undefined ? 0 : (num(i) ?? NaN)),
  codePointAt: (s, [i]) => s.codePointAt(num(i) ?? 0),
  indexOf: (s, [a, b]) => (str(a) === undefined ? UNKNOWN : s.indexOf(str(a) as string, num(b))),
  lastIndexOf: (s, [a]) => (str(a) === undefined ? UNKNOWN : s.lastIndexOf(str(a) as string)),
  includes: (s, [a]) => (str(a) === undefined ? UNKNOWN : s.includes(str(a) as string)),
  startsWith: (s, [a]) => (str(a) === undefined ? UNKNOWN : s.startsWith(str(a) as string)),
  endsWith: (s, [a]) => (str(a) === undefined ? UNKNOWN : s.endsWith(str(a) as string)),
  slice: (s, [a, b]) => s.slice(num(a), b === undefined ? undefined : num(b)),
  substring: (s, [a, b]) => s.substring(num(a) ?? 0, b === undefined ? undefined : num(b)),
  substr: (s, [a, b]) => s.substr(num(a) ?? 0, b === undefined ? undefined : num(b)),
  toUpperCase: (s) => s.toUpperCase(),
  toLowerCase: (s) => s.toLowerCase(),
  trim: (s) => s.trim(),
  toString: (s: string) => s,
  valueOf: (s: string) => s,
  concat: (s, args) => {
    let out = s
    for (const a of args) {
      const t = str(a)
      if (t === undefined) return UNKNOWN
      out += t
    }
    return cap(out)
  },
  repeat: (s, [n]) => {
    const k = num(n) ?? 0
    return k >= 0 && s.length * k <= MAX_STRING ? s.repeat(k) : UNKNOWN
  },
  padStart: (s, [n, f]) => cap(s.padStart(Math.min(num(n) ?? 0, MAX_STRING), str(f) ?? ' ')),
  padEnd: (s, [n, f]) => cap(s.padEnd(Math.min(num(n) ?? 0, MAX_STRING), str(f) ?? ' ')),
  split: (s, [sep, lim]) => {
    if (sep === undefined) return arr([s])
    const limit = lim === undefined ? undefined : num(lim)
    if (sep instanceof RegexV) {
      const re = sep.regex()
      return re && s.length < 100_000 ? arr(s.split(re, limit)) : UNKNOWN
    }
    const t = str(sep)
    return t === undefined ? UNKNOWN : arr(s.split(t, limit))
  },
  replace: (s, args, invoke) => replace(s, args, invoke, false),
  replaceAll: (s, args, invoke) => replace(s, args, invoke, true),
  // with the g flag every match (`hex.match(/../g)` splits a hex text into bytes); without it
  // the first match and its groups (its index and input are not modelled: unknown)
  match: (s, [pat]) => {
    const re = pat instanceof RegexV ? pat.regex() : undefined
    if (!re || s.length > MATCH_TEXT) return UNKNOWN
    const found = s.match(re)
    if (found === null) return null
    return re.global ? arr([...found]) : UNKNOWN
  },
}

/** The longest text `match` is run over: a hex payload of a large stage, not a whole library. */
const MATCH_TEXT = 32_768

function replace(s: string, [pat, rep]: Val[], invoke: Invoke, all: boolean): Val {
  const re = pat instanceof RegexV ? pat.regex() : undefined
  const needle = pat instanceof RegexV ? undefined : str(pat)
  if ((!re && needle === undefined) || s.length > 100_000) return UNKNOWN
  const pattern = re ?? (needle as string)
  if (isPrim(rep)) {
    const r = String(rep)
    return cap(all && needle !== undefined ? s.replaceAll(needle, r) : s.replace(pattern, r))
  }
  let failed = false
  const cb = (...m: unknown[]): string => {
    const out = invoke(rep, undefined, m.slice(0, -2) as Val[])
    const t = str(out)
    if (t === undefined) failed = true
    return t ?? ''
  }
  const out = all && needle !== undefined ? s.replaceAll(needle, cb) : s.replace(pattern, cb)
  return failed ? UNKNOWN : cap(out)
}
