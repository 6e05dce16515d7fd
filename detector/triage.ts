import type { AnyNode, Node as AcornNode } from 'acorn'
import type { ScriptVerdict } from '../core/types.ts'
import type { CallFact, Layer, ScriptFacts } from './facts.ts'
import { eachChild } from './children.ts'
import { calleeName, propertyName } from './deobfuscate/fold.ts'
import { replacesNetworkMethod } from './hooks.ts'
import { calleeOf } from './aliases.ts'
import { GLOBAL_OBJECTS } from './paths.ts'
import { literalKeys } from './deobfuscate/with-scope.ts'
import { isNumber, LOOPS } from './collect-parts.ts'
import { JQUERY_PATH } from './sinks.ts'

// Which scripts static analysis cannot clear, and why: they are worth one run in the
// detonation chamber. A skimmer must touch form data or fetch code that does; scripts that
// do neither, and carry no evidence, are plainly inert and never detonated.

export const CODE_RUNNERS = new Set(['eval', 'Function', 'execScript'])
export const TIMERS = new Set(['setTimeout', 'setInterval'])
export const FIELD_QUERIES = new Set([
  'querySelector',
  'querySelectorAll',
  'getElementById',
  'getElementsByName',
  'getElementsByTagName',
  'getElementsByClassName',
  // Prototype's and MooTools' CSS selector query
  '$$',
])
const FORM_WORDS =
  /card|cc[-_]|cc\b|cvv|cvc|cvn|expir|billing|checkout|payment|kreditkarte|tarjeta|carte/i
/** Words only card-handling code spells out: field names and patterns for number, CVV, expiry. */
const CARD_WORDS =
  /(^|[^a-z])(cvv|cvc|cvn)|cc[-_. ]?(num|exp|cid|cvv)|card[-_. ]?(num|number|no\b|holder|expir|code|cvv)|security[-_ ]?code|kartennummer|pr(ü|ue)fnummer|num(e|é)ro[-_ ]?(de[-_ ])?carte|tarjeta|cryptogramme/i
/** `cardCvv`, `ccCvc`: the code's own name inside a camel-case identifier (not `StaticVNode`). */
const CAMEL_CARD = /[a-z]C(vv|vc|vn)(?![a-z])/
/** Listing an object's own property names: how code finds APIs it never spells out. */
const NAME_SEARCH = new Set(['getOwnPropertyNames', 'ownKeys'])

export const SENDERS = new Set([
  'fetch',
  'sendBeacon',
  'open',
  'send',
  'ajax',
  'post',
  'WebSocket',
  'Image',
  'postMessage',
])
/** Element properties that make the browser fetch a URL: an exfil channel when built at run time. */
export const URL_PROPS = /^(src|href|action|data|background|backgroundImage|cssText|srcset|ping)$/

/** Text that becomes CSS or HTML: a `url(…)` or a tag with a source in it makes a request. */
export const MARKUP_PROPS = /^(textContent|innerHTML|outerHTML|innerText|cssText)$/
const FETCHING_MARKUP = /url\(|<(img|link|script|iframe)\b/i
/** Calls that add rules to a style sheet. */
const STYLE_CALLS = new Set(['insertRule', 'replaceSync', 'appendRule'])

function spellsFetch(n: unknown, depth: number): boolean {
  const x = n as {
    type?: string
    value?: unknown
    left?: unknown
    right?: unknown
    quasis?: { value: { raw: string } }[]
    expressions?: unknown[]
  }
  if (depth > 50 || !x) return false
  if (x.type === 'Literal') return typeof x.value === 'string' && FETCHING_MARKUP.test(x.value)
  if (x.type === 'TemplateLiteral')
    return (x.quasis ?? []).some((q) => FETCHING_MARKUP.test(q.value.raw))
  return (
    x.type === 'BinaryExpression' &&
    (spellsFetch(x.left, depth + 1) || spellsFetch(x.right, depth + 1))
  )
}

/** An element is pointed at a URL the script builds: `img.src = base + data`. */
function loadsBuiltUrl(facts: ScriptFacts): boolean {
  if (facts.assigns.some((a) => URL_PROPS.test(a.target) && builtAtRunTime(a.value))) return true
  // style text whose url() pieces are joined at run time, however far from the write
  const styled = (layer: Layer, n: AcornNode | undefined): boolean =>
    n !== undefined && builtAtRunTime(n) && (spellsFetch(n, 0) || layer.taint(n).has('css-url'))
  if (facts.assigns.some((a) => MARKUP_PROPS.test(a.target) && styled(a.layer, a.value)))
    return true
  if (facts.calls.some((c) => STYLE_CALLS.has(c.name) && styled(c.layer, c.args[0]))) return true
  if (
    facts.calls.some(
      (c) =>
        c.name === 'setAttribute' &&
        URL_PROPS.test(literal(c.args[0]) ?? '') &&
        builtAtRunTime(c.args[1]),
    )
  )
    return true
  return writesBuiltMarkup(facts)
}

/** Calls that parse markup into the page, and which argument is the markup. */
const MARKUP_CALLS = new Map([
  ['write', 0],
  ['writeln', 0],
  ['insertAdjacentHTML', 1],
  ['createContextualFragment', 0],
])

/**
 * Markup built at run time handed to the parser (`document.write(tag)`, a Range fragment) in a
 * script that spells an element that fetches (`'<scr' + 'ipt src="'`, folded): its URL is built.
 */
function writesBuiltMarkup(facts: ScriptFacts): boolean {
  const writes = facts.calls.some((c) => {
    const at = MARKUP_CALLS.get(c.name)
    return at !== undefined && builtAtRunTime(c.args[at])
  })
  return writes && facts.strings.some((s) => FETCHING_MARKUP.test(s.value.slice(0, 2000)))
}

/** A form the script picks from the page itself: `new FormData(document.forms[0])`, `$('#f').serialize()`. */
function serializesPageForm(c: CallFact): boolean {
  const callee = (c.node as { callee?: Node & { object?: Node } }).callee
  const subject = c.name === 'FormData' ? (c.args[0] as Node) : callee?.object
  return pickedFromPage(subject)
}

function pickedFromPage(n: Node): boolean {
  const x = n as { type?: string; arguments?: Node[]; object?: Node; property?: Node } | undefined
  if (x?.type === 'CallExpression') return literal(x.arguments?.[0]) !== undefined
  if (x?.type === 'MemberExpression')
    return (
      /forms|getElementById/.test(
        JSON.stringify((x.object as { property?: { name?: string } })?.property?.name ?? ''),
      ) || pickedFromPage(x.object)
    )
  return false
}
const SERIALIZERS = new Set(['serialize', 'serializeArray', 'FormData'])
/** Code built from a decoded string or a fetched response is not in the file. */
const fetched = (t: ReadonlySet<string>): boolean => t.has('decoded') || t.has('response')
const CARD_RULES = new Set([
  'card-field-read-and-send',
  'keylogger-on-inputs',
  'fake-payment-form',
  'exfil-to-raw-ip',
  'exfil-to-free-host',
  'image-stego-loader',
])

type Node = { type?: string; value?: unknown } | undefined

/** `g[f('Im', 'age')]` this often: names put together so that no reader sees them */
const BUILT_GLOBAL_READS = 4

/** A string-table accessor called this often with distinct indexes means the table is unread. */
const ACCESSOR_CALLS = 30
const ACCESSOR_INDEXES = 12
/** accessor calls used as member names (`el[_s(5)]`), with as many distinct indexes */
const KEYED_CALLS = 12

/** A table index: a number, or a number written as a string (`'0x1f'`, older obfuscators). */
const indexLike = (v: unknown): boolean =>
  typeof v === 'number' || (typeof v === 'string' && /^(?:0x[0-9a-f]+|\d+)$/i.test(v))

/**
 * Obfuscation the partial evaluator could not undo: a function called again and again with
 * nothing but a constant index (and a key) whose table is decoded character by character.
 */
function unreadStringTable(facts: ScriptFacts): boolean {
  const names = new Set(facts.calls.map((c) => c.name))
  if (!names.has('fromCharCode') || !names.has('charCodeAt')) return false
  // accessor-shaped calls: a number, perhaps a string key
  const shaped = new Map<Node, ScriptFacts['calls'][number]>()
  for (const c of facts.calls) {
    const [first, second] = c.args as Node[]
    if (c.args.length > 2 || first?.type !== 'Literal' || !indexLike(first.value)) continue
    if (second && (second.type !== 'Literal' || typeof second.value !== 'string')) continue
    shaped.set(c.node, c)
  }
  if (shaped.size < KEYED_CALLS) return false
  // an unread table's entries are handed on: property names and arguments of other calls
  const handedOn: ScriptFacts['calls'][number][] = []
  const take = (n: unknown): void => {
    const c = shaped.get(n as Node)
    if (c === undefined) return
    handedOn.push(c)
    shaped.delete(n as Node)
  }
  for (const k of facts.keyCalls) take(k)
  // a small file hides fewer names, but hides them the same way: as member names
  const asKeys = new Set(handedOn.map((c) => (c.args[0] as unknown as { value: unknown }).value))
  if (handedOn.length >= KEYED_CALLS && asKeys.size >= KEYED_CALLS) return true
  for (const c of facts.calls) for (const a of c.args) take(a)
  const groups = new Map<string, Set<unknown>>()
  for (const c of handedOn) {
    const key = `${c.object}.${c.name}`
    const seen = groups.get(key) ?? new Set()
    seen.add((c.args[0] as unknown as { value: unknown }).value)
    groups.set(key, seen)
  }
  const indexes = [...groups.values()].reduce((n, g) => n + (g.size >= 4 ? g.size : 0), 0)
  return handedOn.length >= ACCESSOR_CALLS && indexes >= ACCESSOR_INDEXES
}

/**
 * Member names that come out of the file's own functions fed only numbers (`o[d(26, -12, 7)]`,
 * numbers read from a constant table too), over and over with different numbers, counted over
 * all those functions (js-confuser gives each function a decoder of its own): a string table
 * behind decoders the first look cannot run. Libraries compute a key now and then, from data.
 */
function numberedMemberNames(facts: ScriptFacts): boolean {
  const byCallee = new Map<string, Set<string>>()
  // a number may be read from a constant table (`d(0x19a, T[0x15])`); the first look's folder
  // reads the file itself, so only when every call site is in it (no decoded layer)
  const folder = facts.layers.length === 0 ? facts.root?.folder : undefined
  const numberOf = (a: AnyNode): string | undefined => numberIn(a, folder && facts.root)
  for (const k of facts.keyCalls) {
    const c = k as AnyNode
    if (c.type !== 'CallExpression' || c.callee.type !== 'Identifier') continue
    const args = (c.arguments as AnyNode[]).map(numberOf)
    if (args.length === 0 || args.some((a) => a === undefined)) continue
    const seen = byCallee.get(c.callee.name) ?? new Set()
    seen.add(args.join(','))
    byCallee.set(c.callee.name, seen)
  }
  const all = [...byCallee.values()].reduce((n, t) => n + t.size, 0)
  if (all >= KEYED_CALLS) return true
  // a function of the file that spells text out of numbers alone, called for several texts;
  // each call is read in its own layer (a decoded one has its own functions and tables)
  const decoders = new Map<AnyNode, boolean>()
  const decoded = new Set<string>()
  for (const c of facts.calls) {
    const callee = (c.node as AnyNode & { callee?: AnyNode }).callee
    if (c.isNew || callee?.type !== 'Identifier') continue
    const args = (c.args as AnyNode[]).map((a) => numberIn(a, c.layer) ?? numericText(a, 0))
    if (args.length === 0 || args.some((a) => a === undefined)) continue
    const key = `${c.layer.depth}:${callee.name}(${args.join(',')})`
    if (decoded.has(key)) continue
    const fn = c.layer.functionOf(callee) as AnyNode | undefined
    if (fn && decodesText(fn, c.layer, decoders, 0)) decoded.add(key)
    if (decoded.size >= DECODED_TEXTS) return true
  }
  return false
}

/** A number written out, or read from a constant table by `layer`'s folder. */
function numberIn(a: AnyNode, layer: Layer | undefined): string | undefined {
  if (isNumber(a))
    return a.type === 'UnaryExpression'
      ? `-${a.argument.type === 'Literal' ? String(a.argument.value) : ''}`
      : String((a as AnyNode & { value: unknown }).value)
  const v = a.type === 'MemberExpression' ? layer?.folder.fold(a) : undefined
  return typeof v === 'number' ? String(v) : undefined
}

/**
 * An expression built only of numbers written out, arithmetic on them and entries of tables
 * picked by such numbers (`s[0x56] + 0x5d6`, control-flow flattening's state): its text, or
 * undefined for anything else (a name, a call, a string).
 */
function numericText(a: AnyNode, depth: number): string | undefined {
  if (depth > 8) return undefined
  if (isNumber(a)) return numberIn(a, undefined)
  switch (a.type) {
    case 'BinaryExpression': {
      if (!ARITHMETIC.has(a.operator)) return undefined
      const l = numericText(a.left as AnyNode, depth + 1)
      const r = l === undefined ? undefined : numericText(a.right, depth + 1)
      return r === undefined ? undefined : `(${l}${a.operator}${r})`
    }
    case 'UnaryExpression': {
      const x =
        a.operator === '-' || a.operator === '~' ? numericText(a.argument, depth + 1) : undefined
      return x === undefined ? undefined : `${a.operator}${x}`
    }
    case 'MemberExpression': {
      if (!a.computed || a.object.type !== 'Identifier') return undefined
      const i = numericText(a.property as AnyNode, depth + 1)
      return i === undefined ? undefined : `${a.object.name}[${i}]`
    }
    default:
      return undefined
  }
}
const ARITHMETIC = new Set(['+', '-', '*', '/', '%', '|', '&', '^', '<<', '>>', '>>>'])

/** Texts a function of the file decodes from numbers alone, through text code of its own. */
const DECODED_TEXTS = 3
/** Character-level text methods: a loop calling one turns codes or an alphabet into text. */
const TEXT_DECODING = new Set([
  'indexOf',
  'charAt',
  'charCodeAt',
  'codePointAt',
  'fromCharCode',
  'fromCodePoint',
])
const FUNCTION_TYPES = new Set([
  'FunctionDeclaration',
  'FunctionExpression',
  'ArrowFunctionExpression',
])

/**
 * Whether `fn`, or a function of the file it calls by name (two calls deep: a decoder is often
 * reached through a wrapper that cuts its input out of a blob), loops over text a character at
 * a time: an alphabet's `indexOf`, `charCodeAt`, `fromCharCode`.
 */
function decodesText(
  fn: AnyNode,
  layer: Layer,
  memo: Map<AnyNode, boolean>,
  depth: number,
): boolean {
  const known = memo.get(fn)
  if (known !== undefined) return known
  memo.set(fn, false)
  let loops = false
  let textCalls = false
  const callees: AnyNode[] = []
  const visit = (n: AnyNode): void => {
    if (n !== fn && FUNCTION_TYPES.has(n.type)) return
    if (LOOPS.has(n.type)) loops = true
    if (n.type === 'CallExpression') {
      const name = calleeName(n.callee)
      if (name !== undefined && TEXT_DECODING.has(name)) textCalls = true
      if (n.callee.type === 'Identifier') callees.push(n.callee)
    }
    eachChild(n, visit)
  }
  visit(fn)
  let result = loops && textCalls
  if (!result && depth < 2)
    for (const callee of callees) {
      const inner = layer.functionOf(callee) as AnyNode | undefined
      if (inner && inner !== fn && decodesText(inner, layer, memo, depth + 1)) {
        result = true
        break
      }
    }
  memo.set(fn, result)
  return result
}

const literal = (n: unknown): string | undefined => {
  const x = n as Node
  return x?.type === 'Literal' && typeof x.value === 'string' ? x.value : undefined
}

/** Where text becomes code or markup the page runs. */
export const CODE_PROPS = /^(text|textContent|innerHTML|outerHTML|innerText|src)$/
/**
 * Comparators and small helpers come in handfuls, spread over a library (lodash: 8 in 73 KB); an
 * obfuscator's operator tables in dozens side by side (counted within a few KB).
 */
const OPERATOR_WRAPPERS = 10
/** An encoded blob is longer than any name or short message. */
const BLOB_CHARS = 16

/** Callees that are the sample's own code: a name or a function written in place (a method
 *  may be a built-in one given a long constant: `parts.join(' <span>|</span> ')`). */
const OWN_CALLEES = new Set(['Identifier', 'FunctionExpression', 'ArrowFunctionExpression'])

/** `dec('…a long constant…')`: a function of the sample turning a constant blob into something. */
function decodedBlob(arg: unknown): boolean {
  const x = arg as AnyNode | undefined
  if (x?.type !== 'CallExpression' || !OWN_CALLEES.has(x.callee.type)) return false
  return x.arguments.some(
    (a) => a.type === 'Literal' && typeof a.value === 'string' && a.value.length >= BLOB_CHARS,
  )
}

/**
 * A decoded blob handed to a function the first look cannot name and whose result is called
 * (`F(dec('…'))()`, what `Function` gives), or to a method picked by a built name
 * (`window[dec('…')](dec('…'))`).
 */
function callsDecoded(n: AnyNode): boolean {
  if (n.type !== 'CallExpression') return false
  const callee = n.callee as AnyNode
  if (callee.type === 'CallExpression') return callee.arguments.some(decodedBlob)
  return (
    callee.type === 'MemberExpression' &&
    callee.computed &&
    callee.property.type !== 'Literal' &&
    n.arguments.some(decodedBlob)
  )
}

function builtAtRunTime(arg: unknown): boolean {
  const t = (arg as Node)?.type
  return (
    t !== undefined &&
    t !== 'Literal' &&
    t !== 'FunctionExpression' &&
    t !== 'ArrowFunctionExpression'
  )
}

/**
 * `new Proxy(o, { get(t, k) { return t[decode(k)] } })`: a trap that looks up another name than
 * the one it is asked for, so the code can spell every browser API in its own alphabet
 * (`P.pbbxvr`). Reactive stores, mocks and loggers look up the key they were given.
 */
function renamingProxy(c: CallFact): boolean {
  if (c.name !== 'Proxy' || !c.isNew) return false
  let handler = c.args[1] as AnyNode | undefined
  if (handler?.type === 'Identifier') handler = c.layer.initOf(handler) as AnyNode | undefined
  if (handler?.type !== 'ObjectExpression') return false
  for (const p of handler.properties) {
    if (p.type !== 'Property' || p.computed) continue
    const key = p.key as AnyNode
    if ((key.type === 'Identifier' ? key.name : key.type === 'Literal' ? key.value : '') !== 'get')
      continue
    const fn = p.value as AnyNode
    if (fn.type !== 'FunctionExpression' && fn.type !== 'ArrowFunctionExpression') continue
    const [target, prop] = fn.params as AnyNode[]
    if (target?.type === 'Identifier' && prop?.type === 'Identifier')
      return looksUpRenamed(fn.body, target.name, prop.name)
  }
  return false
}

/** Getters that decode constants: a handful is a string table, one a computed default. */
const DECODING_GETTERS = 3

/** `with (name)`: the only form whose object the first look can know. */
const WITH_NAME = /\bwith\s*\(\s*[A-Za-z_$][\w$]*\s*\)/

/**
 * `with (io) { go(to, pack(data)) }` where `io` is an object literal of the script's with a
 * member `go`: a call whose function the first look cannot see (bare names inside are the
 * object's members); the evaluator spells them out.
 */
function withOwnObject(facts: ScriptFacts): boolean {
  const root = facts.root
  if (!root || !WITH_NAME.test(facts.source)) return false
  const stack: AnyNode[] = [root.ast as AnyNode]
  while (stack.length > 0) {
    const n = stack.pop() as AnyNode
    if (n.type === 'WithStatement' && n.object.type === 'Identifier') {
      const keys = literalKeys(root.initOf(n.object) as AnyNode | undefined)
      if (keys && callsBareName(n.body as AnyNode, keys)) return true
    }
    eachChild(n, (c) => stack.push(c))
  }
  return false
}

function callsBareName(body: AnyNode, names: ReadonlySet<string>): boolean {
  const stack: AnyNode[] = [body]
  while (stack.length > 0) {
    const n = stack.pop() as AnyNode
    if (n.type === 'CallExpression' && n.callee.type === 'Identifier' && names.has(n.callee.name))
      return true
    eachChild(n, (c) => stack.push(c))
  }
  return false
}

/** Conversions that keep a key's name: a trap normalising its key does not rename it. */
const SAME_NAME = new Set([
  'String',
  'toString',
  'valueOf',
  'toLowerCase',
  'toUpperCase',
  'toLocaleLowerCase',
  'toLocaleUpperCase',
  'trim',
])

/** Nodes of a trap body read for a renamed lookup: traps are a few lines. */
const TRAP_NODES = 2000

function looksUpRenamed(body: Node, target: string, key: string): boolean {
  const nodes: AnyNode[] = []
  const stack: Node[] = [body]
  while (stack.length > 0 && nodes.length < TRAP_NODES) {
    const n = stack.pop() as AnyNode
    nodes.push(n)
    eachChild(n, (child) => stack.push(child))
  }
  // names holding a value computed from the key: `var n = rot(k)`, `n = k.split('').reverse()…`,
  // or the key itself made over (`k = rot(k)`); `String(k)`, `k.toLowerCase()` keep the name
  const keys = new Set([key])
  let keyRemade = false
  const isKey = (a: AnyNode) => a.type === 'Identifier' && keys.has(a.name)
  const renamedName = (a: AnyNode) =>
    a.type === 'Identifier' && keys.has(a.name) && (a.name !== key || keyRemade)
  // `String(k)`, `k.toString()`: the key under another type, the same name
  const sameName = (e: AnyNode): AnyNode | undefined => {
    if (e.type !== 'CallExpression') return undefined
    const callee = e.callee as AnyNode
    if (!SAME_NAME.has(calleeName(callee) ?? '')) return undefined
    return callee.type === 'MemberExpression' ? (callee.object as AnyNode) : e.arguments[0]
  }
  const keyish = (a: AnyNode): boolean => {
    const inner = sameName(a)
    return inner === undefined ? isKey(a) : keyish(inner)
  }
  const fromKey = (e: AnyNode | null | undefined): boolean => {
    if (e?.type !== 'CallExpression') return false
    const inner = sameName(e)
    if (inner !== undefined) return fromKey(inner) || renamedName(inner)
    if ((e.arguments as AnyNode[]).some(keyish)) return true
    const callee = e.callee as AnyNode
    if (callee.type !== 'MemberExpression') return false
    const of = callee.object as AnyNode
    return keyish(of) || fromKey(of)
  }
  for (let grew = true, rounds = 0; grew && rounds < 4; rounds++) {
    grew = false
    for (const n of nodes) {
      const [id, value] =
        n.type === 'VariableDeclarator'
          ? [n.id as AnyNode, n.init as AnyNode | null]
          : n.type === 'AssignmentExpression'
            ? [n.left as AnyNode, n.right as AnyNode]
            : [undefined, undefined]
      if (id?.type !== 'Identifier' || !fromKey(value)) continue
      if (id.name === key) keyRemade = true
      else if (!keys.has(id.name)) {
        keys.add(id.name)
        grew = true
      }
    }
  }
  const renamed = (e: AnyNode): boolean => renamedName(e) || fromKey(e)
  return nodes.some(
    (n) =>
      (n.type === 'MemberExpression' &&
        n.computed &&
        n.object.type === 'Identifier' &&
        n.object.name === target &&
        renamed(n.property as AnyNode)) ||
      (n.type === 'CallExpression' &&
        n.callee.type === 'MemberExpression' &&
        (n.callee.object as AnyNode).type === 'Identifier' &&
        (n.callee.object as AnyNode & { name: string }).name === 'Reflect' &&
        n.arguments.length >= 2 &&
        renamed(n.arguments[1] as AnyNode)),
  )
}

/**
 * `Reflect.apply(f, el, args)`, `Reflect.construct(C, args)`, `call.apply(f, [el, …])`: a call
 * whose function is a value, not a name, so which method runs is known only when it runs.
 */
function callsThroughReflection(c: ScriptFacts['calls'][number]): boolean {
  if (c.name === 'apply' || c.name === 'construct') {
    if (/(^|\.)Reflect$/.test(c.object)) return true
  }
  return c.name === 'apply' && /(^|\.)prototype\.call$/.test(c.object)
}

/** `window[name](…)`, `globalThis[k](…)`: a global function called by a name not written. */
/**
 * Constant text tagged with a function of the file that rebuilds it character by character
 * (`d\`}iu|m\``, the tag mapping each code through `String.fromCharCode`): strings written so
 * that no reader sees them. A translation or formatting tag looks its text up instead.
 */
function tagDecodes(facts: ScriptFacts): boolean {
  const decoders = new Map<Node, boolean>()
  let texts = 0
  for (const t of facts.taggedTexts) {
    const tagged = t.node as AnyNode & { type: 'TaggedTemplateExpression' }
    const fn = t.layer.functionOf(tagged.tag) as AnyNode | undefined
    if (!fn) continue
    let decodes = decoders.get(fn)
    if (decodes === undefined) {
      decodes = buildsFromCodes(fn, 0)
      decoders.set(fn, decodes)
    }
    const raw = tagged.quasi.quasis.reduce((n, q) => n + q.value.raw.length, 0)
    if (decodes && raw >= BLOB_CHARS) texts++
  }
  return texts >= TAGGED_TEXTS
}

/** how many decoded tagged texts make a file's strings hidden (one could be a joke, or a test) */
const TAGGED_TEXTS = 2

/** Whether a function's own code calls `fromCharCode` (its nested functions' too). */
function buildsFromCodes(n: AnyNode, depth: number): boolean {
  if (depth > 200) return false
  if (n.type === 'MemberExpression' && !n.computed && propertyName(n) === 'fromCharCode')
    return true
  let found = false
  eachChild(n, (c) => {
    if (!found && buildsFromCodes(c, depth + 1)) found = true
  })
  return found
}

/** A sender by name, or an HTTP client's `put(url, data)` / `patch(url, data)` */
const sends = (c: CallFact): boolean =>
  SENDERS.has(c.name) ||
  (/^(put|patch)$/.test(c.name) && c.object !== '' && c.args.length >= 2 && addressLike(c.args[0]))

/** What could be an address: text, not a record, a list or a value held by a name (IndexedDB's
 *  `store.put(record, key)`, the Cache API's `cache.put(request, response)`). */
function addressLike(n: unknown): boolean {
  const x = n as AnyNode | undefined
  if (x?.type === 'Literal')
    return typeof x.value === 'string' && /^(https?:)?\/\/|^\//.test(x.value)
  return (
    x?.type === 'TemplateLiteral' || x?.type === 'BinaryExpression' || x?.type === 'CallExpression'
  )
}

function callsGlobalByName(c: ScriptFacts['calls'][number]): boolean {
  if (c.name !== '?') return false
  const callee = calleeOf(c.node as AnyNode & { type: 'CallExpression' }) as AnyNode
  if (callee.type !== 'MemberExpression' || !callee.computed) return false
  const on = callee.object as AnyNode
  // jQuery's own functions too (`$[m](opts)`): ajax, get, post and getScript are among them
  return (
    on.type === 'Identifier' &&
    (GLOBAL_OBJECTS.has(on.name) || JQUERY_PATH.test(c.object)) &&
    callee.property.type !== 'Literal'
  )
}

export function triage(facts: ScriptFacts, v: ScriptVerdict): string[] {
  const out: string[] = []
  if (v.verdict === 'suspicious') out.push('suspicious statically')
  else if (v.verdict === 'clean' && v.findings.some((f) => f.points > 0 && CARD_RULES.has(f.rule)))
    out.push('card or exfiltration evidence below the threshold')
  let formData = false
  let runsCode = false
  let readsPayload = false
  let socket = false
  let creates = false
  let renames = false
  // what a local function decodes from a constant, run or injected: the evaluator reads it
  let runsDecoded = facts.assigns.some((a) => CODE_PROPS.test(a.target) && decodedBlob(a.value))
  for (const c of facts.calls) {
    const first = literal(c.args[0])
    if (FIELD_QUERIES.has(c.name) && first !== undefined && FORM_WORDS.test(first)) formData = true
    if (SERIALIZERS.has(c.name) && serializesPageForm(c)) formData = true
    if (CODE_RUNNERS.has(c.name) && /^(window|this)?$/.test(c.object)) {
      const arg = c.name === 'Function' ? c.args[c.args.length - 1] : c.args[0]
      if (decodedBlob(arg)) runsDecoded = true
      if (builtAtRunTime(arg)) runsCode = true
      if (arg && builtAtRunTime(arg) && fetched(c.layer.taint(arg))) readsPayload = true
    }
    if (
      (TIMERS.has(c.name) || c.name === 'write' || c.name === 'writeln') &&
      decodedBlob(c.args[0])
    )
      runsDecoded = true
    if (callsDecoded(c.node as AnyNode)) runsDecoded = true
    if (
      TIMERS.has(c.name) &&
      builtAtRunTime(c.args[0]) &&
      (c.args[0] as Node)?.type !== 'Identifier'
    )
      runsCode = true
    if (c.name === 'WebSocket' && c.isNew) socket = true
    if (renamingProxy(c)) renames = true
    if (c.name === 'createElement') creates = true
  }
  if (runsCode && (readsPayload || socket)) out.push('runs code it decodes or receives at run time')
  if (runsDecoded) out.push('runs or injects what a local function decodes from a constant')
  if (
    unreadStringTable(facts) ||
    numberedMemberNames(facts) ||
    facts.decodingGetters >= DECODING_GETTERS
  )
    out.push('obfuscated strings static analysis could not read')
  if (tagDecodes(facts)) out.push('decodes constant text through template tags of its own')
  if (renames) out.push('looks up names through a Proxy that rewrites them')
  if (withOwnObject(facts)) out.push('calls names a with statement takes from an object of its own')
  if (facts.coercions.length > 0) out.push('spells text by coercing empty literals (JSFuck style)')
  if (facts.indirectRunners > 0)
    out.push("compiles code it builds at run time through a function's constructor (Function)")
  if (facts.operatorWrappers >= OPERATOR_WRAPPERS)
    out.push('routes its operators through many one-line wrapper functions (obfuscated)')
  if (facts.builtGlobalReads >= BUILT_GLOBAL_READS)
    out.push(
      'reads browser APIs off the global object or the document by names it builds at run time',
    )
  const names = (t: string): boolean => CARD_WORDS.test(t) || CAMEL_CARD.test(t)
  const namesCard =
    facts.strings.some((x) => names(x.value.slice(0, 2000))) ||
    facts.regexes.some((r) => names(r.pattern))
  if (namesCard && (facts.calls.some(sends) || loadsBuiltUrl(facts)))
    out.push('names card fields and can send or load something')
  // no sender in sight, but it calls a function of the global object whose name it holds in a
  // variable or builds (`globalThis[fn](url, opts)`): which one is known only when it runs
  else if (namesCard && facts.calls.some(callsGlobalByName))
    out.push('names card fields and calls a global function by a name it computes')
  // no sender in sight, but the names it calls are found by searching the browser's own
  // property lists (`getOwnPropertyNames(proto)` filtered by length and letters) and used as
  // member names a function returns (`doc[find(doc, 13, 'q')]`); copying helpers never do that
  else if (
    namesCard &&
    facts.keyCalls.length > 0 &&
    facts.members.some((m) => NAME_SEARCH.has(m.name))
  )
    out.push(
      "names card fields and finds the browser's method names by searching its property lists",
    )
  // no sender in sight, but it calls functions it holds as values through Reflect or
  // `call.apply`: methods read off prototypes by names it assembles are called that way
  else if (namesCard && facts.calls.some(callsThroughReflection))
    out.push(
      'names card fields and calls functions it holds as values through Reflect or call.apply',
    )
  if (formData && socket) out.push('reads form fields and opens a WebSocket')
  else if (formData && (facts.sinks.length > 0 || creates))
    out.push('reads form fields and sends or loads something')
  for (const a of facts.assigns) {
    const submit = a.target === 'submit' && /^HTMLFormElement\.prototype$/.test(a.object)
    if (replacesNetworkMethod(a) || submit) {
      out.push('replaces a network or form method')
      break
    }
  }
  return out
}
