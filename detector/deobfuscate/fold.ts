import type { AnyNode, Node } from 'acorn'
import {
  decodeBase64,
  decodeEntities,
  decodeUnescape,
  decodeUri,
  fromCharCodes,
  isPrintable,
} from './decode.ts'
import { isGlobalObject, stringMethod } from './fold-methods.ts'
import { createCoercer, NOT_KNOWN, plus } from './coerce.ts'

export type FoldValue = string | number | FoldValue[]

/** Constant bindings (single-assignment names) visible to the folder. */
export interface ConstEnv {
  /** value of `name` as read at the identifier `at` (scopes resolve by position) */
  get(name: string, at: Node): FoldValue | undefined
  /** the object literal a never-written name holds, for reading its properties */
  objectAt?(at: Node): Node | undefined
  /** the object literal a name holds when nothing writes `prop` of it (other members may be) */
  literalFor?(at: Node, prop: string): Node | undefined
}

/** How a string was produced; anything but 'plain' counts as a decoding step. */
export type DecodeKind =
  | 'base64'
  | 'charcode'
  | 'unescape'
  | 'uri'
  | 'reverse'
  | 'packer'
  /** a literal written as escape sequences of plain text */
  | 'escape'

const MAX_LEN = 1 << 20
const COMPARISONS = new Set(['<', '>', '<=', '>=', '===', '!==', '==', '!='])

/** A comparison of two constants, as the engine makes it. */
function compare(op: string, a: unknown, b: unknown): boolean | undefined {
  type P = string | number
  const [x, y] = [a as P, b as P]
  switch (op) {
    case '<':
      return x < y
    case '>':
      return x > y
    case '<=':
      return x <= y
    case '>=':
      return x >= y
    case '===':
      return x === y
    case '!==':
      return x !== y
    case '==':
      // the loose comparison the code itself makes
      return x == y
    case '!=':
      return x != y
    default:
      return undefined
  }
}
const INDEX = /^(0|[1-9]\d*)$/

export interface Folder {
  fold(node: Node): FoldValue | undefined
  foldString(node: Node): string | undefined
  /** decoding kinds seen while folding node (empty for plain concatenation) */
  decodedBy(node: Node): DecodeKind[]
}

/** Name of a callee: `atob`, `window.atob`, `String.fromCharCode` → last property name. */
export function calleeName(node: AnyNode): string | undefined {
  if (node.type === 'Identifier') return node.name
  if (node.type === 'MemberExpression') return propertyName(node)
  return undefined
}

/** A property's key as written: `{ mode: … }` and `{ 'mode': … }` (minifiers quote keys) alike. */
export function keyName(k: AnyNode): string | undefined {
  if (k.type === 'Identifier') return k.name
  return k.type === 'Literal' && typeof k.value === 'string' ? k.value : undefined
}

/** The value of an object literal's entry `key` as written (`{ body: … }`, `{ 'body': … }`). */
export function propertyValue(
  obj: AnyNode & { type: 'ObjectExpression' },
  key: string,
): Node | undefined {
  for (const p of obj.properties)
    if (p.type === 'Property' && !p.computed && keyName(p.key as AnyNode) === key) return p.value
  return undefined
}

export function propertyName(node: AnyNode & { type: 'MemberExpression' }): string | undefined {
  const p = node.property as AnyNode
  if (!node.computed && p.type === 'Identifier') return p.name
  if (p.type === 'Literal' && typeof p.value === 'string') return p.value
  return undefined
}

/** The argument of `x.html(arg)`: markup handed to an element. */
function htmlArgument(n: AnyNode): Node | undefined {
  if (n.type !== 'CallExpression' || n.arguments.length !== 1) return undefined
  const callee = n.callee as AnyNode
  if (callee.type !== 'MemberExpression' || propertyName(callee) !== 'html') return undefined
  const arg = n.arguments[0] as AnyNode
  return arg.type === 'SpreadElement' ? undefined : arg
}

/** what `decodedBy` gives for most nodes: one shared array, never written to */
const NOT_DECODED: DecodeKind[] = []

export function createFolder(env: ConstEnv): Folder {
  // Plain Maps: they live for one analysis and are far cheaper for the GC than WeakMaps.
  const memo = new Map<Node, FoldValue | null>()
  const decoded = new Map<Node, DecodeKind[]>()

  const mark = (node: Node, kind: DecodeKind, from: Node[]): void => {
    const kinds = new Set<DecodeKind>([kind])
    for (const f of from) for (const k of decoded.get(f) ?? []) kinds.add(k)
    decoded.set(node, [...kinds])
  }
  const inherit = (node: Node, from: Node[]): void => {
    const kinds = new Set<DecodeKind>()
    for (const f of from) for (const k of decoded.get(f) ?? []) kinds.add(k)
    if (kinds.size > 0) decoded.set(node, [...kinds])
  }

  function fold(node: Node): FoldValue | undefined {
    const hit = memo.get(node)
    if (hit !== undefined) return hit ?? undefined
    let v: FoldValue | undefined
    try {
      v = foldUncached(node as AnyNode)
    } catch (err) {
      if (!(err instanceof RangeError)) throw err
      v = undefined
    }
    if (typeof v === 'string' && v.length > MAX_LEN) v = undefined
    memo.set(node, v ?? null)
    return v
  }

  const coerce = createCoercer(fold, env)

  function foldString(node: Node): string | undefined {
    const v = fold(node)
    return typeof v === 'string' ? v : undefined
  }

  // Walks the left spine of a+b+c iteratively so long concatenation chains cannot overflow.
  function foldPlus(node: AnyNode & { type: 'BinaryExpression' }): FoldValue | undefined {
    const spine: Node[] = []
    let cur: AnyNode = node
    while (cur.type === 'BinaryExpression' && cur.operator === '+' && !memo.has(cur)) {
      spine.push(cur.right)
      cur = cur.left as AnyNode
    }
    let acc = coerce.primitive(cur)
    const parts: Node[] = [cur]
    for (let i = spine.length - 1; i >= 0; i--) {
      const rightNode = spine[i] as Node
      const r = coerce.primitive(rightNode)
      parts.push(rightNode)
      if (acc === NOT_KNOWN || r === NOT_KNOWN) return undefined
      acc = plus(acc, r)
      if (typeof acc === 'string' && acc.length > MAX_LEN) return undefined
    }
    inherit(node, parts)
    return typeof acc === 'string' || typeof acc === 'number' ? acc : undefined
  }

  function foldUncached(node: AnyNode): FoldValue | undefined {
    switch (node.type) {
      case 'Literal':
        return typeof node.value === 'string' || typeof node.value === 'number'
          ? node.value
          : undefined
      case 'TemplateLiteral': {
        let s = ''
        for (let i = 0; i < node.quasis.length; i++) {
          s += node.quasis[i]?.value.cooked ?? ''
          const e = node.expressions[i]
          if (e) {
            const v = fold(e)
            if (v === undefined || Array.isArray(v)) return undefined
            s += String(v)
          }
        }
        inherit(node, node.expressions)
        return s
      }
      case 'Identifier':
        return env.get(node.name, node)
      case 'ParenthesizedExpression':
        return fold(node.expression)
      case 'SequenceExpression': {
        const last = node.expressions[node.expressions.length - 1]
        return last ? fold(last) : undefined
      }
      case 'AssignmentExpression': {
        // `(t = x)` is x: minifiers assign inside the expression that first reads the value
        if (node.operator !== '=') return undefined
        const v = fold(node.right)
        if (v !== undefined) inherit(node, [node.right])
        return v
      }
      case 'UnaryExpression': {
        if (node.operator !== '-' && node.operator !== '+' && node.operator !== '~')
          return undefined
        const p = coerce.primitive(node.argument)
        if (p === NOT_KNOWN) return undefined
        const v = Number(p)
        return node.operator === '-' ? -v : node.operator === '+' ? v : ~v
      }
      case 'BinaryExpression':
        return node.operator === '+' ? foldPlus(node) : foldArith(node)
      case 'ArrayExpression': {
        if (node.elements.length > 100_000) return undefined
        const out: FoldValue[] = []
        for (const el of node.elements) {
          if (!el || el.type === 'SpreadElement') return undefined
          const v = fold(el)
          if (v === undefined) return undefined
          out.push(v)
        }
        inherit(
          node,
          node.elements.filter((e): e is NonNullable<typeof e> => e !== null),
        )
        return out
      }
      case 'MemberExpression': {
        if (node.object.type === 'Super') return undefined
        const obj = fold(node.object)
        if (!node.computed) {
          if (propertyName(node) === 'length' && (typeof obj === 'string' || Array.isArray(obj)))
            return obj.length
          return propertyOfLiteral(node)
        }
        const key = coerce.primitive(node.property as Node)
        const idx = typeof key === 'string' && INDEX.test(key) ? Number(key) : key
        if (key === 'length' && (typeof obj === 'string' || Array.isArray(obj))) return obj.length
        if (typeof idx !== 'number') return undefined
        const v = Array.isArray(obj) ? obj[idx] : typeof obj === 'string' ? obj[idx] : undefined
        if (v !== undefined) inherit(node, [node.object])
        return v
      }
      case 'CallExpression':
        return foldCall(node)
      case 'ConditionalExpression': {
        // `(61 > 41 ? 'r' : 'm')`: obfuscators spell names through branches decided in place
        const test = truth(node.test)
        if (test === undefined) return undefined
        const arm = test ? node.consequent : node.alternate
        const v = fold(arm)
        if (v !== undefined) inherit(node, [arm])
        return v
      }
      default:
        return undefined
    }
  }

  /** Whether a condition made of constants holds; undefined when it is not constant. */
  function truth(test: AnyNode): boolean | undefined {
    if (test.type === 'BinaryExpression' && COMPARISONS.has(test.operator)) {
      if (test.left.type === 'PrivateIdentifier') return undefined
      const l = coerce.primitive(test.left)
      const r = l === NOT_KNOWN ? NOT_KNOWN : coerce.primitive(test.right)
      if (l === NOT_KNOWN || r === NOT_KNOWN) return undefined
      return compare(test.operator, l, r)
    }
    const t = coerce.truth(test)
    return t === NOT_KNOWN ? undefined : t
  }

  /** `config.url` where `config` holds an object literal nothing writes to: that property. */
  function propertyOfLiteral(node: AnyNode & { type: 'MemberExpression' }): FoldValue | undefined {
    const name = propertyName(node)
    if (node.object.type !== 'Identifier' || name === undefined) return undefined
    const lit = (env.literalFor?.(node.object, name) ?? env.objectAt?.(node.object)) as
      AnyNode | undefined
    if (lit?.type !== 'ObjectExpression' || name === undefined) return undefined
    let found: Node | undefined
    for (const p of lit.properties) {
      // a spread or computed key could supply any name: nothing is known then
      if (p.type !== 'Property' || p.computed) return undefined
      const k = p.key as AnyNode
      const key = k.type === 'Identifier' ? k.name : k.type === 'Literal' ? String(k.value) : ''
      if (key === name) {
        if (found || p.kind !== 'init') return undefined
        found = p.value
      }
    }
    const v = found ? fold(found) : undefined
    if (v !== undefined && found) inherit(node, [found])
    return v
  }

  function foldArith(node: AnyNode & { type: 'BinaryExpression' }): number | undefined {
    if (node.left.type === 'PrivateIdentifier') return undefined
    const l = coerce.primitive(node.left)
    const r = l === NOT_KNOWN ? NOT_KNOWN : coerce.primitive(node.right)
    if (l === NOT_KNOWN || r === NOT_KNOWN) return undefined
    const [a, b] = [Number(l), Number(r)]
    switch (node.operator) {
      case '-':
        return a - b
      case '*':
        return a * b
      case '/':
        return b === 0 ? undefined : a / b
      case '%':
        return b === 0 ? undefined : a % b
      case '^':
        return a ^ b
      case '|':
        return a | b
      case '&':
        return a & b
      case '<<':
        return a << b
      case '>>':
        return a >> b
      default:
        return undefined
    }
  }

  function foldCall(node: AnyNode & { type: 'CallExpression' }): FoldValue | undefined {
    const callee = node.callee as AnyNode
    const name = calleeName(callee)
    if (!name) return undefined
    const args = node.arguments.filter(
      (a): a is Exclude<typeof a, { type: 'SpreadElement' }> => a.type !== 'SpreadElement',
    )
    if (args.length !== node.arguments.length) return undefined
    const first = args[0]
    if (callee.type === 'Identifier' || isGlobalObject(callee)) {
      const s = first ? foldString(first) : undefined
      let out: string | undefined
      let kind: DecodeKind | undefined
      if (name === 'atob' && s !== undefined) [out, kind] = [decodeBase64(s), 'base64']
      else if (name === 'unescape' && s !== undefined) [out, kind] = [decodeUnescape(s), 'unescape']
      else if ((name === 'decodeURIComponent' || name === 'decodeURI') && s !== undefined)
        [out, kind] = [decodeUri(s), 'uri']
      if (kind && out !== undefined && isPrintable(out)) {
        mark(node, kind, args)
        return out
      }
      if (kind) return undefined
    }
    if (callee.type === 'Identifier') {
      // `p('inp', 'ut')` where `p` is a one-line wrapper of `+`, as minified operator tables leave
      const joined = wrapperCall(env.objectAt?.(callee) as AnyNode | undefined, args)
      if (joined !== undefined) {
        inherit(node, args)
        return joined
      }
    }
    if (callee.type !== 'MemberExpression' || callee.object.type === 'Super') return undefined
    const objNode = callee.object
    if (name === 'fromCharCode') {
      const codes: number[] = []
      for (const a of args) {
        const v = fold(a)
        if (typeof v === 'number') codes.push(v)
        else if (Array.isArray(v) && v.every((x) => typeof x === 'number'))
          codes.push(...(v as number[]))
        else return undefined
      }
      const out = fromCharCodes(codes)
      if (out !== undefined) mark(node, 'charcode', args)
      return out
    }
    if (
      name === 'apply' &&
      objNode.type === 'MemberExpression' &&
      propertyName(objNode) === 'fromCharCode'
    ) {
      const v = args[1] ? fold(args[1]) : undefined
      if (!Array.isArray(v) || !v.every((x) => typeof x === 'number')) return undefined
      const out = fromCharCodes(v as number[])
      if (out !== undefined) mark(node, 'charcode', args)
      return out
    }
    // `$('<div/>').html('&#104;&#116;…').text()`: markup parsed to read its entities back
    if ((name === 'text' || name === 'textContent') && args.length === 0) {
      const markup = htmlArgument(objNode as AnyNode)
      const s = markup ? foldString(markup) : undefined
      const out = s !== undefined && /&#?\w+;/.test(s) ? decodeEntities(s) : undefined
      if (out !== undefined) mark(node, 'unescape', [markup as Node])
      return out
    }
    const obj = fold(objNode)
    if (obj === undefined) return undefined
    // `'i~n*put'.replace(/[~*]/g, '')`: junk characters taken out by a class of characters
    const cls = (name === 'replace' || name === 'replaceAll') && first && charClass(first)
    if (cls && typeof obj === 'string') {
      const by = args[1] ? foldString(args[1]) : undefined
      // a replaceAll without the g flag throws; the result must stay within the folder's size
      if (by === undefined || by.includes('$') || (name === 'replaceAll' && !cls.global))
        return undefined
      if (obj.length * (by.length + 1) > MAX_LEN) return undefined
      inherit(node, [objNode, ...args])
      return obj.replace(cls, by)
    }
    const argv = args.map((a) => fold(a))
    const out = stringMethod(name, obj, argv)
    if (out === undefined) return undefined
    if (name === 'reverse') mark(node, 'reverse', [objNode])
    else inherit(node, [objNode, ...args])
    return out
  }

  /** The result of `function (a, b) { return a + b }` (or `return a`) given constants. */
  function wrapperCall(fn: AnyNode | undefined, args: Node[]): FoldValue | undefined {
    if (
      fn?.type !== 'FunctionExpression' &&
      fn?.type !== 'ArrowFunctionExpression' &&
      fn?.type !== 'FunctionDeclaration'
    )
      return undefined
    const body = fn.body as AnyNode
    const only =
      body.type !== 'BlockStatement'
        ? body
        : body.body.length === 1 && body.body[0]?.type === 'ReturnStatement'
          ? (body.body[0].argument as AnyNode | null)
          : null
    const params = fn.params.map((p) => (p.type === 'Identifier' ? p.name : undefined))
    const arg = (n: AnyNode): FoldValue | undefined => {
      const i = n.type === 'Identifier' ? params.indexOf(n.name) : -1
      return i >= 0 && args[i] ? fold(args[i]) : undefined
    }
    if (!only) return undefined
    if (only.type === 'Identifier') return arg(only)
    if (only.type !== 'BinaryExpression' || only.operator !== '+') return undefined
    const a = arg(only.left as AnyNode)
    const b = arg(only.right as AnyNode)
    if (Array.isArray(a) || Array.isArray(b) || a === undefined || b === undefined) return undefined
    if (typeof a === 'number' && typeof b === 'number') return a + b
    return String(a) + String(b)
  }

  return { fold, foldString, decodedBy: (n) => decoded.get(n) ?? NOT_DECODED }
}

/** One bracketed class of characters, `[…]` or `[…]+`: no alternation or nesting to backtrack over. */
const CHAR_CLASS = /^\[(?:[^\]\\]|\\.)+\]\+?$/

/** A regex literal that is only a class of characters, as a RegExp; anything else: undefined. */
function charClass(node: Node): RegExp | undefined {
  const re = (node as AnyNode & { regex?: { pattern: string; flags: string } }).regex
  if (!re || !CHAR_CLASS.test(re.pattern) || /[^gimsu]/.test(re.flags)) return undefined
  try {
    return new RegExp(re.pattern, re.flags)
  } catch {
    return undefined
  }
}
