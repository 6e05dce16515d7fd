import type { AnyNode, Node } from 'acorn'
import { hiddenByEscapes } from '../deobfuscate/decode.ts'
import { calleeName, propertyName } from '../deobfuscate/fold.ts'
import type { Layer, ScriptFacts } from '../facts.ts'
import type { Rule } from './types.ts'
import { parseGuarded } from '../parse.ts'

const EVALS = new Set(['eval', 'Function', 'execScript', 'write', 'writeln'])
const TIMERS = new Set(['setTimeout', 'setInterval'])
/** jQuery's inserting methods run the scripts in the markup they insert. */
export const JQUERY_INSERTS = new Set(['append', 'prepend', 'html', 'after', 'before'])
const SCRIPT_TAG = /<\s*script\b/i
const DECODERS = new Set(['atob', 'unescape', 'decodeURIComponent', 'decodeURI', 'fromCharCode'])
// Only script text runs: innerHTML-inserted scripts never execute, textContent elsewhere is display.
const CODE_PROPS = new Set(['text', 'textContent'])

/** The expression itself decodes (atob(x), fromCharCode.apply, a folded decoded constant, a + b of those). */
export function directlyDecoded(node: Node, layer: Layer, depth = 0): boolean {
  const n = node as AnyNode
  if (depth > 8) return false
  if (layer.folder.decodedBy(n).length > 0 || hiddenByEscapes(n)) return true
  if (n.type === 'CallExpression' && n.callee.type !== 'Super') {
    const name = calleeName(n.callee)
    if (name && DECODERS.has(name)) return true
    const callee = n.callee as AnyNode
    if (
      (name === 'apply' || name === 'call') &&
      callee.type === 'MemberExpression' &&
      callee.object.type !== 'Super'
    )
      return DECODERS.has(calleeName(callee.object) ?? '')
    // decoded.split('').reverse().join('') and similar chains on a decoded value
    if (callee.type === 'MemberExpression' && callee.object.type !== 'Super')
      return directlyDecoded(callee.object, layer, depth + 1)
  }
  if (n.type === 'BinaryExpression' && n.operator === '+')
    return directlyDecoded(n.left, layer, depth + 1) || directlyDecoded(n.right, layer, depth + 1)
  return false
}

// A name holding decoded text counts too, unless it also holds JSON (JSONP, config blobs).
export function decodedName(node: Node, layer: Layer): boolean {
  if ((node as AnyNode).type !== 'Identifier') return false
  const t = layer.taint(node)
  return t.has('decoded') && !t.has('json')
}

/** The script makes a <script> element of its own: its text or src then runs. */
export function createsScript(script: ScriptFacts): boolean {
  return script.calls.some(
    (c) =>
      (c.name === 'createElement' || (c.isNew && c.name === 'Element')) &&
      c.args[0] !== undefined &&
      c.layer.folder.foldString(c.args[0])?.trim().toLowerCase() === 'script',
  )
}

/**
 * `s.textContent = …` where `s` holds `document.createElement('script')` and is not made a data
 * block (`s.type = 'application/ld+json'`: text the page reads, never runs).
 */
export function ownScriptText(script: ScriptFacts, a: ScriptFacts['assigns'][number]): boolean {
  const target = (a.node as AnyNode & { type: 'AssignmentExpression' }).left as AnyNode | undefined
  const written = a.receiver ?? (target?.type === 'MemberExpression' ? target.object : undefined)
  if (!written) return false
  let element = written as AnyNode
  // `(s = document.createElement('script')).textContent = …`, as minifiers write it
  if (element.type === 'AssignmentExpression' && element.operator === '=') {
    if (makesScriptElement(element.right as AnyNode, a.layer)) element = element.left as AnyNode
    else return false
  } else if (
    element.type !== 'Identifier' ||
    !a.layer.valuesOf(element).some((v) => makesScriptElement(v as AnyNode, a.layer))
  )
    return false
  if (element.type !== 'Identifier') return false
  const name = element.name
  const types = script.assigns.filter(
    (t) => t.target === 'type' && t.object === name && t.layer === a.layer,
  )
  return (
    types.length === 0 ||
    types.some((t) => JS_TYPE.test(t.layer.folder.foldString(t.value) ?? 'text/javascript'))
  )
}

function makesScriptElement(n: AnyNode, layer: Layer): boolean {
  if (n.type !== 'CallExpression' || n.callee.type !== 'MemberExpression') return false
  const arg = n.arguments[0] as Node | undefined
  return (
    propertyName(n.callee) === 'createElement' &&
    arg !== undefined &&
    layer.folder.foldString(arg)?.trim().toLowerCase() === 'script'
  )
}

/** Script types a browser runs: the JavaScript MIME types, `module`, none at all. */
const JS_TYPE =
  /^\s*(?:(?:text|application)\/(?:x-)?(?:java|ecma|j|live)script[\d.]*|module|)\s*(?:;|$)/i

export const dynamicCodeFromDecoded = {
  id: 'dynamic-code-from-decoded',
  severity: 'high',
  description: 'Runs code (eval, Function, timers, script text) built from decoded strings',
  points: 35,
  check(script) {
    for (const c of script.calls) {
      const timer = TIMERS.has(c.name)
      const inserts = JQUERY_INSERTS.has(c.name)
      if (!EVALS.has(c.name) && !timer && !inserts) continue
      if ((c.name === 'write' || c.name === 'writeln') && c.object !== 'document') continue
      const arg = c.name === 'Function' ? c.args[c.args.length - 1] : c.args[0]
      if (!arg || /Function/.test(arg.type)) continue
      // A packer the detector unpacked is judged by its payload; packed-code notes the wrapper.
      if (script.packed.some((p) => p.node === arg)) continue
      // Timers take functions far more often than strings: a decoded string, or a name holding
      // one (a name bound to a function carries no decoded taint), counts.
      const decoded =
        directlyDecoded(arg, c.layer) ||
        decodedName(arg, c.layer) ||
        escapedValue(arg, c.layer, script.hidden)
      if (decoded && !timer && !inserts && c.name.startsWith('write') && bracketsOnly(arg, c.layer))
        continue
      const ciphered = !decoded && ownCipher(arg, c.layer)
      if (inserts) {
        if (decoded && SCRIPT_TAG.test(c.layer.folder.foldString(arg) ?? ''))
          return [{ site: c.site, message: `${c.name}() inserts decoded <script> markup` }]
      } else if ((decoded && !(c.args.length === 1 && inert(arg, c.layer))) || isPacked(arg))
        return [{ site: c.site, message: `${c.name}() runs a decoded string` }]
      else if (ciphered)
        return [{ site: c.site, message: `${c.name}() runs text it deciphers with its own code` }]
    }
    const makesScript = createsScript(script)
    for (const a of script.assigns) {
      // The element must be a name the script holds (its own new <script>), not a page lookup.
      if (!makesScript || !CODE_PROPS.has(a.target)) continue
      if (!/^[\w$]+$/.test(a.object) && !ownScriptText(script, a)) continue
      if (directlyDecoded(a.value, a.layer) || decodedName(a.value, a.layer))
        return [{ site: a.site, message: `.${a.target} is set from a decoded string` }]
    }
    for (const s of script.sinks) {
      if (s.kind !== 'element-src' || !s.url) continue
      if (directlyDecoded(s.url, s.layer))
        return [{ site: s.site, message: 'loads a script from a decoded URL' }]
    }
    return []
  },
} satisfies Rule

const URI_DECODERS = new Set(['unescape', 'decodeURI', 'decodeURIComponent'])
/** Escapes of markup punctuation only: `%3C`, `%3E`, `%2F`, `%22`, `%27`, `%3D`, `%20`. */
const ESCAPE = /%(u[0-9a-f]{4}|[0-9a-f]{2})/gi
const MARKUP_PUNCTUATION = new Set([0x3c, 0x3e, 0x2f, 0x22, 0x27, 0x3d, 0x20])

/**
 * `document.write(unescape('%3Cscript src="' + url + '"%3E%3C/script%3E'))`: the escapes hide
 * nothing but the tag's brackets (kept out of the page's own script block, as tag snippets
 * were written), and every other part is in clear. What it writes is as readable as the file,
 * so it is no decoded payload; a URL or code spelled in escapes, or a decoded part, still is.
 */
function bracketsOnly(arg: Node, layer: Layer): boolean {
  const n = arg as AnyNode
  if (n.type !== 'CallExpression' || n.arguments.length !== 1 || n.callee.type === 'Super')
    return false
  if (!URI_DECODERS.has(calleeName(n.callee) ?? '')) return false
  const leaves: AnyNode[] = []
  const flatten = (x: AnyNode): boolean => {
    if (x.type === 'BinaryExpression' && x.operator === '+')
      return flatten(x.left as AnyNode) && flatten(x.right as AnyNode)
    leaves.push(x)
    return leaves.length <= 64
  }
  if (!flatten(n.arguments[0] as AnyNode)) return false
  let escapes = 0
  for (const leaf of leaves) {
    if (hiddenByEscapes(leaf)) return false
    // a name, a table entry, a setting: what it holds is read like a literal, and what cannot be
    // read must be neither decoded nor received (a response written as a script's body)
    const text = leaf.type === 'Literal' ? leaf.value : layer.folder.foldString(leaf)
    if (typeof text !== 'string') {
      if (leaf.type === 'Literal') return false
      const taint = layer.taint(leaf)
      if (directlyDecoded(leaf, layer) || taint.has('decoded') || taint.has('response'))
        return false
      continue
    }
    for (const m of text.matchAll(ESCAPE)) {
      const code = m[1] as string
      if (code.length !== 2 || !MARKUP_PUNCTUATION.has(parseInt(code, 16))) return false
      escapes++
    }
  }
  return escapes > 0
}

/** Code that only gives back a constant: a literal, a regular expression, `this`. */
const INERT_VALUES = new Set(['Literal', 'ThisExpression'])

/**
 * Code whose whole text is known and does nothing but give back a constant: `Function('return
 * this')` (the global object) and `Function('return /" + this + "/')` (a way to the RegExp
 * constructor, as obfuscators' self-defending guards write it). It hides nothing. Only a lone
 * argument: `Function` also compiles parameters, whose defaults run at the call.
 */
function inert(arg: Node, layer: Layer): boolean {
  const text = layer.folder.foldString(arg)
  if (text === undefined || text.length > 200) return false
  let ast: AnyNode
  try {
    ast = parseGuarded(text, INERT_OPTIONS) as AnyNode
  } catch {
    return false
  }
  if (ast.type !== 'Program') return false
  return ast.body.every((st) => {
    const s = st as AnyNode
    const value =
      s.type === 'ReturnStatement'
        ? s.argument
        : s.type === 'ExpressionStatement'
          ? s.expression
          : s.type === 'EmptyStatement'
            ? null
            : undefined
    return value === null || (value !== undefined && INERT_VALUES.has((value as AnyNode).type))
  })
}

const INERT_OPTIONS = { ecmaVersion: 'latest', allowReturnOutsideFunction: true } as const

/** Shorter literals are words and keys, not a payload. */
const CIPHERTEXT_MIN = 32

/**
 * Methods called on a long constant string (a literal, or a name that only holds one) that the
 * folder cannot evaluate: the file's own cipher over its payload (`'…'.replace(/./g, function
 * (ch) { … })`, a map over its characters).
 */
function ownCipher(arg: Node, layer: Layer): boolean {
  let n = arg as AnyNode
  if (n.type !== 'CallExpression') return false
  for (let hops = 0; hops < 8; hops++) {
    if (n.type === 'CallExpression' && n.callee.type === 'MemberExpression') n = n.callee.object
    else break
  }
  if (n === arg || (n.type !== 'Literal' && n.type !== 'Identifier')) return false
  const text = layer.folder.foldString(n)
  return (
    text !== undefined &&
    text.length >= CIPHERTEXT_MIN &&
    layer.folder.foldString(arg) === undefined
  )
}

/** Text the file hides as escape sequences, reached through a table or a name: `T[3]`. */
export function escapedValue(arg: Node, layer: Layer, escaped: ReadonlySet<string>): boolean {
  if (escaped.size === 0) return false
  const text = layer.folder.foldString(arg)
  return text !== undefined && escaped.has(text)
}

// eval(function(p,a,c,k,e,d){…}(…)) that could not be unpacked: the payload stays hidden.
function isPacked(arg: Node): boolean {
  const n = arg as AnyNode
  return (
    n.type === 'CallExpression' &&
    n.callee.type === 'FunctionExpression' &&
    n.callee.params.length >= 4
  )
}
