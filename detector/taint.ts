import type { BodyVia } from './hooks.ts'
import { eachChild } from './children.ts'
import type { AnyNode, Node } from 'acorn'
import type { Folder } from './deobfuscate/fold.ts'
import { calleeName, propertyName } from './deobfuscate/fold.ts'
import type { Taint } from './facts.ts'
import { localFunction, returnsOf } from './flows.ts'
import { thisKey } from './collect-parts.ts'
import type { Binding } from './scope.ts'
import { sweepsInputs, CARD_FIELD, CARD_MEMBER, HARVEST_CALLS } from './patterns.ts'

const MAX_VISITS = 4000
/** `this.p` given more values than this anywhere in the layer is not followed */
const OWN_PROP_VALUES = 16

const CALL_TAINT: Record<string, Taint> = {
  stringify: 'json',
  btoa: 'b64',
  encodeURIComponent: 'uri',
  encodeURI: 'uri',
  escape: 'uri',
  atob: 'decoded',
  unescape: 'decoded',
  decodeURIComponent: 'decoded',
  fromCharCode: 'decoded',
  /** `new TextDecoder().decode(bytes)`: text rebuilt from bytes */
  decode: 'decoded',
  val: 'value',
  // Prototype's (Magento 1's library) read of a control's value
  $F: 'value',
  serialize: 'harvest',
  serializeArray: 'harvest',
}

/**
 * Requests whose call gives back the server's answer (a response, a jqXHR): none of what
 * they were handed. `get` and `post` are left out: most calls of those names are a map's or
 * a cache's, which do give back what they were handed.
 */
const ANSWERED_REQUESTS: ReadonlySet<string> = new Set(['fetch', 'ajax', 'getJSON'])

const readsArgumentsObjectOf = new WeakMap<Node, boolean>()

/** Whether a function's own body (not a nested function's) reads `arguments`. */
function readsArgumentsObject(fn: Node): boolean {
  const hit = readsArgumentsObjectOf.get(fn)
  if (hit !== undefined) return hit
  let found = false
  const stack: AnyNode[] = [(fn as AnyNode & { body: AnyNode }).body]
  for (let visits = 0; stack.length > 0 && !found && visits < 5000; visits++) {
    const n = stack.pop() as AnyNode
    if (n.type === 'Identifier' && n.name === 'arguments') found = true
    else if (n.type !== 'FunctionExpression' && n.type !== 'FunctionDeclaration')
      eachChild(n, (c) => void stack.push(c as AnyNode))
  }
  // a body too large to search is taken to read them
  if (stack.length > 0) found = true
  readsArgumentsObjectOf.set(fn, found)
  return found
}

const MEMBER_TAINT: Record<string, Taint> = {
  value: 'value',
  forms: 'harvest',
  elements: 'harvest',
  href: 'location',
  pathname: 'location',
  search: 'location',
  cookie: 'storage',
  responseText: 'response',
  localStorage: 'storage',
  sessionStorage: 'storage',
}

/**
 * A property named for a card field (`cc_number`, `cardNumber`, `cvv`): what an object of the
 * page's own code (a payment component's data, a checkout model) holds for the card.
 */
export function cardMember(name: string): boolean {
  return CARD_MEMBER.test(name)
}

/** Members that tell the shape of what they are read from (a count, a tag), not its data. */
export const SHAPE_ONLY: ReadonlySet<string> = new Set([
  'length',
  'type',
  'tagName',
  'nodeName',
  'nodeType',
  'localName',
])

/** Members of a form's control collection that go over all of it rather than one control. */
const WHOLE_COLLECTION = new Set(['length', 'item', 'forEach', 'entries', 'keys', 'values'])

/**
 * `form.elements.email`, `form.elements['email']`, `form.elements.namedItem(name)`: one control
 * of a form, asked for by name, which is reading a field, not sweeping the
 * form. `form.elements[i]`, `[0]`, `.length` and `.item(i)` go over the collection: those stay
 * a sweep.
 */
export function namedControl(m: AnyNode & { type: 'MemberExpression' }): boolean {
  const of = m.object as AnyNode
  if (of.type !== 'MemberExpression' || propertyName(of) !== 'elements') return false
  const name = propertyName(m)
  return name !== undefined && !WHOLE_COLLECTION.has(name)
}

/**
 * Taint of an expression: which kinds of data flow into it, following names (resolved through
 * their scopes) to everything ever assigned to them (flow-insensitive, bounded).
 */
export function createTaint(
  folder: Folder,
  resolve: (id: Node & { name: string }) => Binding | undefined,
  /** parameters whose values are the page's own requests (filled once the layer is walked) */
  requests: ReadonlyMap<Binding, BodyVia> = new Map(),
  /** what promise callbacks and socket message handlers receive: `r.text()`, `e.data` */
  resolved: ReadonlySet<Binding> = new Set(),
  /** what `this.p` is given anywhere in the layer, by `p` (filled once the layer is walked) */
  ownProps: ReadonlyMap<string, readonly Node[]> = new Map(),
  /** the method of an object literal of the layer a call runs (`this.read()`), if known */
  methodOf: (callee: Node) => Node | undefined = () => undefined,
): (node: Node) => Set<Taint> {
  const readsResolved = (call: AnyNode & { type: 'CallExpression' }): boolean => {
    const callee = call.callee
    if (callee.type !== 'MemberExpression' || callee.object.type !== 'Identifier') return false
    const b = resolve(callee.object)
    return b !== undefined && resolved.has(b)
  }
  // `e[T[2]]`, `s[T[7]](…)`: a name read from a table of constants is still that name
  const memberName = (m: AnyNode & { type: 'MemberExpression' }): string | undefined =>
    propertyName(m) ?? (m.computed ? folder.foldString(m.property) : undefined)
  const calleeNamed = (c: AnyNode): string | undefined =>
    c.type === 'MemberExpression' ? memberName(c) : calleeName(c)
  const memo = new Map<Node, Set<Taint>>()
  // A traversal from a bare name depends on nothing but its binding: work it out once per binding.
  const byBinding = new Map<Binding, Set<Taint>>()
  return (root) => {
    const bound = root.type === 'Identifier' ? resolve(root as Node & { name: string }) : undefined
    const hit = bound === undefined ? memo.get(root) : byBinding.get(bound)
    if (hit) return hit
    const out = new Set<Taint>()
    const seen = new Set<Binding | string>()
    const stack: Node[] = [root]
    let visits = 0
    while (stack.length > 0 && visits++ < MAX_VISITS) {
      const node = stack.pop() as AnyNode
      visit(node, out, seen, stack)
      if (folder.decodedBy(node).length > 0) out.add('decoded')
    }
    if (bound === undefined) memo.set(root, out)
    else byBinding.set(bound, out)
    return out
  }

  /**
   * What an iterator step or a stored record holds (`it.next().value`, `cursor.value` of
   * `req.result`): its `value` is data the script already had, not what a field was typed.
   */
  function storedRecord(o: AnyNode): boolean {
    if (recordSource(o)) return true
    if (o.type !== 'Identifier') return false
    const b = resolve(o)
    return b !== undefined && !b.param && b.values.length > 0 && b.values.every(recordSource)
  }

  function visit(n: AnyNode, out: Set<Taint>, seen: Set<Binding | string>, stack: Node[]): void {
    switch (n.type) {
      case 'Identifier': {
        if (n.name === 'location') out.add('location')
        const b = resolve(n)
        if (b && requests.get(b) === 'self') out.add('request')
        if (b && !seen.has(b)) {
          seen.add(b)
          // A name bound to a function holds code, not data: skip its body.
          for (const v of b.values) if (!/Function/.test(v.type)) stack.push(v)
        }
        return
      }
      case 'Literal':
        if (typeof n.value !== 'string') return
        if (n.value.length < 200 && CARD_FIELD.test(n.value)) out.add('card')
        cssTaint(n.value, out)
        return
      case 'TemplateElement':
        cssTaint(n.value.cooked ?? n.value.raw, out)
        return
      case 'MemberExpression': {
        const name = memberName(n)
        // how many there are, what kind of element: a count or a tag, never what was typed
        if (!n.computed && name !== undefined && SHAPE_ONLY.has(name)) return
        const t = name && Object.hasOwn(MEMBER_TAINT, name) ? MEMBER_TAINT[name] : undefined
        if (t && !(t === 'value' && storedRecord(n.object as AnyNode))) out.add(t)
        if (namedControl(n)) {
          // one named control of the form: the form itself, not the sweep its \`elements\` would be
          stack.push((n.object as AnyNode & { type: 'MemberExpression' }).object)
          return
        }
        if (name === 'location' || name === 'URL') out.add('location')
        // `data.additional_data.cc_number`, `payment.cardNumber`: card data a page's own code holds
        if (!n.computed && name !== undefined && cardMember(name)) out.add('card-member')
        if (n.object.type === 'ThisExpression') {
          // `this.#buf`: everything the object's methods put there
          // keyed by name alone: a name many classes fill (`this.options`) says nothing of one
          const key = thisKey(n)
          const given = key === undefined ? undefined : ownProps.get(key)
          if (given && given.length <= OWN_PROP_VALUES && !seen.has(`this.${key}`)) {
            seen.add(`this.${key}`)
            for (const v of given) stack.push(v)
          }
        }
        if (name === 'data' && n.object.type === 'Identifier') {
          const b = resolve(n.object)
          if (b && resolved.has(b)) out.add('response')
          if (b && requests.get(b) === 'data') out.add('jquery-request')
        }
        if (name === 'body' && n.object.type === 'Identifier') {
          const b = resolve(n.object)
          if (b && requests.get(b) === 'body') out.add('request')
        }
        break
      }
      case 'Property':
        // `{ controls: n }`: the key is a name, not the variable of that name
        if (!n.computed) {
          stack.push(n.value)
          return
        }
        break
      case 'NewExpression':
        if (n.callee.type === 'Identifier' && /^(FormData|URLSearchParams)$/.test(n.callee.name))
          out.add('formdata')
        break
      case 'CallExpression': {
        const name = n.callee.type === 'Super' ? undefined : calleeNamed(n.callee)
        // String.fromCharCode.apply(null, codes), atob.call(window, s): the function applied
        const applied =
          (name === 'apply' || name === 'call') && n.callee.type === 'MemberExpression'
            ? calleeName(n.callee.object as AnyNode)
            : undefined
        const taintOf = (x: string | undefined) =>
          x && Object.hasOwn(CALL_TAINT, x) ? CALL_TAINT[x] : undefined
        const t = taintOf(name) ?? taintOf(applied)
        if (t) out.add(t)
        const local = n.callee.type === 'Identifier' ? localFunction(resolve(n.callee)) : undefined
        // a method's parameters are fed by no call (flows.ts feeds named functions'): its
        // call carries its returns besides what it is handed and what it is called on
        const method = local ? undefined : methodOf(n.callee)
        if (method && !seen.has(`method:${method.start}`)) {
          seen.add(`method:${method.start}`)
          stack.push(...returnsOf(method))
        }
        // what a request gives back is the server's answer, not what the request carried
        if (!local && name !== undefined && ANSWERED_REQUESTS.has(name)) return
        if (name === 'getAttribute' || name === 'attr') {
          const a = n.arguments[0]
          if (a && folder.foldString(a) === 'value') out.add('value')
        }
        if ((name === 'text' || name === 'json') && n.arguments.length === 0 && readsResolved(n))
          out.add('response')
        // a local function's call carries what the function returns, and what it is handed
        // as far as that can reach the returns other than through a plain parameter, which
        // local calls feed (flows.ts): a spread, a pattern, an argument past the last one, and
        // all of them to a function that reads `arguments`
        if (local) {
          stack.push(...returnsOf(local))
          const params = (local as AnyNode & { params: AnyNode[] }).params
          const all = readsArgumentsObject(local)
          n.arguments.forEach((a, k) => {
            if (all || a.type === 'SpreadElement' || params[k]?.type !== 'Identifier') stack.push(a)
          })
          return
        }
        if (name && HARVEST_CALLS.has(name)) {
          const sel = n.arguments[0] ? folder.foldString(n.arguments[0]) : undefined
          if (sel !== undefined && sweepsInputs(sel)) out.add('harvest')
        }
        break
      }
      case 'FunctionExpression':
      case 'ArrowFunctionExpression':
      case 'FunctionDeclaration':
        // Function bodies are followed so callbacks like .map(e => e.value) count.
        break
      default:
        break
    }
    pushChildren(n, stack)
  }
}

/** `it.next()`, `req.result`: an iterator's step, an IndexedDB request's or a FileReader's result */
function recordSource(n: Node): boolean {
  const x = n as AnyNode
  if (x.type === 'MemberExpression') return propertyName(x) === 'result'
  return (
    x.type === 'CallExpression' &&
    x.callee.type === 'MemberExpression' &&
    propertyName(x.callee) === 'next' &&
    x.arguments.length === 0
  )
}

export const CSS_URL = /(^|[^\w$])url\(/i
/** `[value$="4"]`, not `[value=""]`: a selector on what a field holds, not on its being empty */
export const VALUE_SELECTOR = /\[\s*value\s*[$^*~|]?=\s*(?!""|''|\])/i

function cssTaint(text: string, out: Set<Taint>): void {
  if (CSS_URL.test(text)) out.add('css-url')
  if (VALUE_SELECTOR.test(text)) out.add('value-selector')
}

// one callback for every call: a closure made per node visited was most of what taint allocated
let pushTo: Node[]
const pushOne = (c: Node): void => void pushTo.push(c)

export function pushChildren(n: Node, stack: Node[]): void {
  pushTo = stack
  eachChild(n, pushOne)
  pushTo = NO_STACK
}
const NO_STACK: Node[] = []
