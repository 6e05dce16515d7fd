import { parse as acornParse, type Node, type Options } from 'acorn'
import { parse as looseParse } from 'acorn-loose'

export interface Parsed {
  ast: Node
  /** true when only acorn-loose could make sense of the text */
  loose: boolean
}

const BASE: Options = {
  ecmaVersion: 'latest',
  locations: true,
  allowHashBang: true,
  allowReturnOutsideFunction: true,
  allowImportExportEverywhere: true,
  allowAwaitOutsideFunction: true,
}

/** Strict parse as a script, then as a module; null when neither works. RangeError propagates. */
export function parseStrict(source: string): Node | null {
  for (const sourceType of ['script', 'module'] as const) {
    try {
      return acornParse(source, { ...BASE, sourceType })
    } catch (err) {
      if (err instanceof RangeError) throw err
    }
  }
  return null
}

/** Parse, falling back to acorn-loose for broken code. */
export function parseSource(source: string): Parsed {
  const ast = parseStrict(source)
  if (ast) return { ast, loose: false }
  const loose = looseParse(source, { ...BASE, sourceType: 'script' }) as Node
  return { ast: untangle(loose), loose: true }
}

/** parseSource, or why not even acorn-loose could read the code (a browser would refuse it too). */
export function readSource(source: string): Parsed | string {
  try {
    return parseSource(source)
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
  const loc = node.loc as { start: unknown } | undefined
  const at = { start: node.start, end: node.start, loc: loc && { ...loc, end: loc.start } }
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
