import { Parser, type Node, type Options } from 'acorn'
import { LooseParser } from 'acorn-loose'

export interface Parsed {
  ast: Node
  /** true when only acorn-loose could make sense of the text */
  loose: boolean
  /** javascript-obfuscator's layout, when known */
  shaped?: boolean
  /** one-line operator wrappers seen while parsing */
  wrappers?: number
}

const BASE: Options = {
  ecmaVersion: 'latest',
  allowHashBang: true,
  allowReturnOutsideFunction: true,
  allowImportExportEverywhere: true,
  allowAwaitOutsideFunction: true,
}

/**
 * Sees each variable declarator and each function (declaration, expression, method) as the
 * parser finishes it: a fact gathered this way costs no walk of the tree, and hooking only
 * these few parse steps keeps the parser's own speed. A failed attempt's nodes are seen too.
 */
export type NodeWatcher = (node: Node) => void

type Step = (this: unknown, ...args: unknown[]) => Node

/**
 * How deep expressions and statements may nest. Real code stays under 50 (43 is the deepest
 * in the benign corpora); the parsers recurse at each level, and a stack that overflows at
 * the wrong moment (while V8 compiles a regular expression) aborts the whole process instead
 * of throwing. Deeper input is refused early with a RangeError, which the detector reports as
 * its analysis budget. The message must not read as a stack overflow to acorn, which would
 * turn it into a syntax error and hand the text to acorn-loose.
 */
export const MAX_NESTING = 250
const NESTED = ['parseMaybeAssign', 'parseStatement'] as const

function tooDeep(): RangeError {
  return new RangeError(`nested more than ${MAX_NESTING} levels deep (call stack budget)`)
}

/** A parser class whose recursive steps count how deep they are. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the mixin form TypeScript requires
function nestingGuard<T extends new (...args: any[]) => object>(Base: T): T {
  const base = Base.prototype as unknown as Record<(typeof NESTED)[number], Step>
  // the count is a field from the start: a property added mid-parse would change the shape of
  // the parser object under acorn's hot code
  const Guarded = class extends Base {
    depth = 0
  }
  const proto = Guarded.prototype as unknown as Record<string, unknown>
  for (const name of NESTED) {
    const step = base[name]
    proto[name] = function (this: { depth: number }, ...args: unknown[]): Node {
      const depth = this.depth + 1
      if (depth > MAX_NESTING) throw tooDeep()
      this.depth = depth
      try {
        return step.apply(this, args)
      } finally {
        this.depth = depth - 1
      }
    }
  }
  return Guarded
}

const GuardedParser = Parser.extend(nestingGuard as never)
const GuardedLooseParser = LooseParser.extend(nestingGuard as never)

/** acorn's parse with the nesting guard: for every parse of text the detector reads. */
export function parseGuarded(source: string, options: Options): Node {
  return GuardedParser.parse(source, options)
}

const WatchedParser = GuardedParser.extend((Base) => {
  const base = Base.prototype as unknown as Record<
    'parseVar' | 'parseFunction' | 'parseMethod',
    Step
  >
  return class extends Base {
    watch: NodeWatcher = () => undefined
    parseVar(...args: unknown[]): Node {
      const decl = base.parseVar.apply(this, args) as Node & { declarations: Node[] }
      for (const d of decl.declarations) this.watch(d)
      return decl
    }
    parseFunction(...args: unknown[]): Node {
      const fn = base.parseFunction.apply(this, args)
      this.watch(fn)
      return fn
    }
    parseMethod(...args: unknown[]): Node {
      const fn = base.parseMethod.apply(this, args)
      this.watch(fn)
      return fn
    }
  }
})

function parseAs(source: string, options: Options, watch: NodeWatcher | undefined): Node {
  if (!watch) return parseGuarded(source, options)
  // acorn declares the constructor protected; `Parser.parse` itself is `new this(…).parse()`
  const Watched = WatchedParser as unknown as new (
    o: Options,
    s: string,
  ) => Parser & {
    watch: NodeWatcher
  }
  const parser = new Watched(options, source)
  parser.watch = watch
  return parser.parse()
}

/** Strict parse as a script, then as a module; null when neither works. RangeError propagates. */
export function parseStrict(source: string, watch?: NodeWatcher): Node | null {
  for (const sourceType of ['script', 'module'] as const) {
    try {
      return parseAs(source, { ...BASE, sourceType }, watch)
    } catch (err) {
      if (err instanceof RangeError) throw err
    }
  }
  return null
}

/** Parse, falling back to acorn-loose for broken code (whose nodes `watch` does not see). */
export function parseSource(source: string, watch?: NodeWatcher): Parsed {
  const ast = parseStrict(source, watch)
  if (ast) return { ast, loose: false }
  const loose = GuardedLooseParser.parse(source, { ...BASE, sourceType: 'script' }) as Node
  return { ast: untangle(loose), loose: true }
}

/** parseSource, or why not even acorn-loose could read the code (a browser would refuse it too). */
export function readSource(source: string, watch?: NodeWatcher): Parsed | string {
  try {
    return parseSource(source, watch)
  } catch (err) {
    if (!(err instanceof SyntaxError)) throw err
    return err.message
  }
}

type Tree = Record<string, unknown> & { type: string }
const isNode = (v: unknown): v is Tree =>
  typeof v === 'object' && v !== null && typeof (v as { type?: unknown }).type === 'string'
const LEAVES = new Set(['Identifier', 'Literal', 'ThisExpression', 'Super', 'EmptyStatement'])

/**
 * acorn-loose, recovering from some broken code, puts one node in two places (a property's
 * key is also its value); nested, that makes a tree walk exponential. Later references to a
 * node already in the tree become a placeholder, so every walker sees each node once; and
 * regex literals it could not finish get an empty pattern, as the rules expect a string.
 */
export function untangle(root: Node): Node {
  const seen = new WeakSet<object>([root])
  const stack: Tree[] = [root as unknown as Tree]
  const claim = (child: unknown): unknown => {
    if (!isNode(child)) return child
    // an unterminated regex comes back without a pattern
    const regex = child.regex as { pattern?: unknown } | undefined
    if (regex && typeof regex.pattern !== 'string') regex.pattern = ''
    // a shared leaf costs nothing and can carry meaning (shorthand `{a}`)
    if (LEAVES.has(child.type)) return child
    if (seen.has(child)) return placeholder(child)
    seen.add(child)
    stack.push(child)
    return child
  }
  while (stack.length > 0) {
    const node = stack.pop()
    if (!node) break
    for (const key of Object.keys(node)) {
      if (key === 'loc') continue
      const value = node[key]
      if (Array.isArray(value)) for (let i = 0; i < value.length; i++) value[i] = claim(value[i])
      else if (isNode(value)) node[key] = claim(value)
    }
  }
  return root
}

// What acorn-loose itself puts where it could not read an expression or a statement.
function placeholder(node: Tree): Tree {
  const at = { start: node.start, end: node.start }
  return /Statement$|Declaration$/.test(node.type)
    ? { type: 'EmptyStatement', ...at }
    : { type: 'Identifier', name: '✖', ...at }
}

const CSS_START =
  /^\s*(?:\/\*[\s\S]*?\*\/\s*)*(?:@(?:charset|import|media|font-face|keyframes|supports)\b|[\w.#*[\]="':>~+,\s-]+\{\s*[\w-]+\s*:[^;{}]*[;}])/
const HTML_START = /^\s*(<!doctype|<html|<head|<body|<div|<\?xml|<svg|<p[\s>]|<table|<!--)/i

/** 'binary data' when the start of the text is control codes (NUL…) or mostly invalid UTF-8. */
export function binaryReason(source: string): string | null {
  const head = source.slice(0, 4096)
  let control = 0
  let invalid = 0
  for (let i = 0; i < head.length; i++) {
    const c = head.charCodeAt(i)
    if (c < 9) control++
    // U+FFFD is what invalid UTF-8 becomes; a Latin-1 script has a few, random bytes plenty
    else if (c === 0xfffd) invalid++
  }
  const n = Math.max(head.length, 1)
  return control / n > 0.01 || (control + invalid) / n > 0.3 ? 'binary data' : null
}

/** Why the text is not JavaScript (HTML, binary, prose), or null when it may be. */
export function notJavaScriptReason(source: string, strictOk: boolean): string | null {
  const binary = binaryReason(source)
  if (binary) return binary
  if (strictOk) return null
  const head = source.slice(0, 4096)
  if (HTML_START.test(head)) return 'HTML markup'
  if (CSS_START.test(head)) return 'a CSS stylesheet'
  const punct = (head.match(/[;(){}=]/g) ?? []).length
  if (punct / Math.max(head.length, 1) < 0.005) return 'text without JavaScript syntax'
  return null
}
