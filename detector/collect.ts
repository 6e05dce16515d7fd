import type { AnyNode, Node } from 'acorn'
import {
  createFolder,
  calleeName,
  keyName,
  propertyName,
  type FoldValue,
} from './deobfuscate/fold.ts'
import type { CallFact, Layer, ScriptFacts, Site } from './facts.ts'
import { GLOBAL_OBJECTS, pathOf } from './paths.ts'
import { SHAPE_ONLY, cardMember, createTaint, namedControl } from './taint.ts'
import { decodedLayers } from './deobfuscate/layers.ts'
import { walkFull } from './walk.ts'
import { escapedTexts, hiddenByEscapes } from './deobfuscate/decode.ts'
import { obfuscatorShape } from './deobfuscate/obfuscator.ts'
import { resolveLayer } from './deobfuscate/resolve-layer.ts'
import {
  LazySite,
  ESCAPED,
  PLAIN,
  collectDebuggerTraps,
  consoleFallback,
  decodingGetter,
  dropWithin,
  factCounts,
  fieldKey,
  isSizeCheck,
  rootName,
  rootOf,
  thisKey,
} from './collect-parts.ts'
import { lineStarts, positionIn, type Position } from './deobfuscate/splice.ts'
import { createScopes, patternNames, type Binding, type Scopes } from './scope.ts'
import { aliasFacts, bindCallee, calleeOf, isFunction } from './aliases.ts'
import { hookParameters, setterWrites, unaliasNativeCalls, type BodyVia } from './hooks.ts'
import { luhnTracker } from './luhn.ts'
import { unaliasFunctionConstructor } from './function-constructor.ts'
import { feedLocalCalls, feedPromiseChains, localFunction, messageParams } from './flows.ts'

/** javascript-obfuscator's control-flow storage keys: five random letters. */
const HELPER_KEY = /^[A-Za-z]{5}$/

const MEMBERS_OF_INTEREST = new Set([
  'webdriver',
  'cookie',
  'localStorage',
  'sessionStorage',
  'forms',
  'elements',
  'href',
  'pathname',
  'search',
  'hash',
  'URL',
  '_phantom',
  'callPhantom',
  '__nightmare',
  'domAutomation',
  'outerWidth',
  'outerHeight',
  'location',
  // listing an object's own names: how code finds APIs it never spells out (triage)
  'getOwnPropertyNames',
  'ownKeys',
])
const STRING_CALLS = new Set([
  'atob',
  'unescape',
  'decodeURIComponent',
  'decodeURI',
  'fromCharCode',
  'apply',
  'join',
  'reverse',
  'replace',
  'replaceAll',
  'concat',
  'toString',
  'toLowerCase',
  'slice',
  'substring',
  'substr',
])
/** Computed keys that may fold to a name: `T[3]`, `'va' + 'lue'`, `dec(7)` (not `a[i]`: loops). */
const KEY_NODES = new Set([
  'MemberExpression',
  'BinaryExpression',
  'CallExpression',
  'TaggedTemplateExpression',
])
/** A Trusted Types policy's methods: each hands back what the policy's rule made of its text. */
const TRUSTED_TYPES_CALLS = new Set(['createScriptURL', 'createHTML', 'createScript'])
/** Keys built by code, not looked up: a call, a concatenation, a tagged template. */
const BUILT_KEYS = new Set(['BinaryExpression', 'CallExpression', 'TaggedTemplateExpression'])
const ITERATORS = new Set(['forEach', 'map', 'filter', 'some', 'every', 'reduce', 'each'])
const COLLECTORS = new Set(['push', 'append', 'set', 'unshift', 'concat'])
/** `Object.assign(t, a)`, `$.extend(true, t, a)`, `_.merge(t, a)`: the target receives the sources. */
const MERGERS = new Set([
  'assign',
  'extend',
  'merge',
  'mergeWith',
  'assignIn',
  'defaults',
  'defaultsDeep',
])

export interface LayerInput {
  ast: Node
  source: string
  depth: number
  /** where the decoding expression sits in the outer file, for layers > 0 */
  outer: Site | undefined
  /** original position of an offset, when `source` is a rewrite of the file */
  position?: (offset: number) => Position
  /** whether the layer has javascript-obfuscator's layout, when the parser already saw */
  shaped?: boolean | undefined
}

export interface Budget {
  bytesLeft: number
  /** run the partial evaluator over the file (default true) */
  evaluate?: boolean
}

/** The first object argument of a merge (after jQuery's `deep` flag) takes in the rest. */
function mergeInto(args: Node[], scopes: Scopes): void {
  const at = (args[0] as AnyNode | undefined)?.type === 'Literal' ? 1 : 0
  const target = args[at] as AnyNode | undefined
  if (target?.type !== 'Identifier') return
  for (const a of args.slice(at + 1)) scopes.refer(target.name, a, 'mutate')
}

/** `document.forms`, `form.elements`: a collection whose `.length` is only a count. */
function countable(n: Node): boolean {
  if ((n as AnyNode).type !== 'MemberExpression') return false
  const name = propertyName(n as AnyNode & { type: 'MemberExpression' })
  return name === 'forms' || name === 'elements'
}

/**
 * The function a method call runs, when the object is an object literal of the layer:
 * `this.read()` in a method of that literal, `helper.read()` with `helper` given only it.
 */
function methodCalled(
  callee: Node,
  objectOf: ReadonlyMap<Node, Node>,
  scopes: Scopes,
): Node | undefined {
  const c = callee as AnyNode
  if (c.type !== 'MemberExpression' || c.computed) return undefined
  const name = propertyName(c)
  if (name === undefined) return undefined
  let obj: Node | undefined
  if (c.object.type === 'ThisExpression') {
    const fn = scopes.thisFunctionAt(c.start)
    obj = fn && objectOf.get(fn)
  } else if (c.object.type === 'Identifier') {
    const b = scopes.resolve(c.object)
    obj = b && !b.reassigned && !b.opaqueWrites && !b.props?.has(name) ? b.init : undefined
  }
  if ((obj as AnyNode | undefined)?.type !== 'ObjectExpression') return undefined
  let found: Node | undefined
  for (const p of (obj as AnyNode & { type: 'ObjectExpression' }).properties) {
    if (p.type !== 'Property' || p.computed || keyName(p.key as AnyNode) !== name) continue
    if (found) return undefined
    found = isFunction(p.value as AnyNode) ? p.value : undefined
  }
  return found
}

/** Walk one layer once, appending what rules need to `facts`; recurse into decoded layers. */
export function collectLayer(input: LayerInput, facts: ScriptFacts, budget: Budget): void {
  const { ast, source, depth, outer, position } = input
  // The file is resolved before it is walked: when the evaluator rewrites it, only the
  // rewritten text is collected (the original's facts would be thrown away).
  if (!position && budget.evaluate !== false) {
    const rewritten = resolveLayer(ast, source, input.shaped ?? obfuscatorShape(ast), budget)
    if (rewritten) {
      for (const text of escapedTexts(source)) facts.hidden.add(text)
      facts.layers.push(rewritten.source)
      collectLayer({ ...input, ...rewritten }, facts, budget)
      return
    }
  }
  const scopes = createScopes(ast)
  const resolving = new Set<Binding>()
  const env = {
    objectAt(at: Node): Node | undefined {
      const b = scopes.resolve(at as Node & { name: string })
      return b?.init && !b.mutated && !b.reassigned ? b.init : undefined
    },
    literalFor(at: Node, prop: string): Node | undefined {
      const b = scopes.resolve(at as Node & { name: string })
      if (!b?.init || b.reassigned || b.opaqueWrites || b.props?.has(prop)) return undefined
      // a method may write it as `this.prop = …`
      return thisProps.has(prop) ? undefined : b.init
    },
    get(_name: string, at: Node): FoldValue | undefined {
      const b = scopes.resolve(at as Node & { name: string })
      if (!b?.init || b.mutated || resolving.has(b)) return undefined
      resolving.add(b)
      try {
        return folder.fold(b.init)
      } finally {
        resolving.delete(b)
      }
    },
  }
  /** properties written as `this.prop = …` anywhere in the layer */
  const thisProps = new Set<string>()
  /** what `this.p` / `this.#p` is given anywhere in the layer: assignments, class fields, `this.p.push(v)` */
  const ownProps = new Map<string, Node[]>()
  const giveThis = (key: string | undefined, value: Node | undefined): void => {
    if (key === undefined || !value) return
    const list = ownProps.get(key)
    if (list) list.push(value)
    else ownProps.set(key, [value])
  }
  /** `{ ajaxPrefilter: … }`: where jQuery itself is defined (its hooks are its own) */
  const hookMakers: Node[] = []
  /** the object literal a method is written in: `{ read: function () {…} }` */
  const objectOf = new Map<Node, Node>()
  const folder = createFolder(env)
  const requests = new Map<Binding, BodyVia>()
  const resolved = new Set<Binding>()
  const layer: Layer = {
    depth,
    ast,
    folder,
    taint: createTaint(
      folder,
      (id) => scopes.resolve(id),
      requests,
      resolved,
      ownProps,
      (callee) => methodCalled(callee, objectOf, scopes),
    ),
    leadingString: (node) => leadingString(node),
    siteOf: (node) => siteOf(node),
    initOf(id) {
      if ((id as AnyNode).type !== 'Identifier') return undefined
      const b = scopes.resolve(id as Node & { name: string })
      return b && !b.reassigned ? b.init : undefined
    },
    valuesOf(id) {
      if ((id as AnyNode).type !== 'Identifier') return []
      return scopes.resolve(id as Node & { name: string })?.values ?? []
    },
    functionOf(id) {
      if ((id as AnyNode).type !== 'Identifier') return undefined
      return localFunction(scopes.resolve(id as Node & { name: string }))
    },
  }
  if (depth === 0) facts.root ??= layer
  // acorn keeps no line numbers (they would cost four objects per node): lines come from offsets
  let starts: number[] | undefined
  const where =
    position ?? ((offset: number) => positionIn((starts ??= lineStarts(source)), offset))
  const siteOf = (node: Node): Site => {
    const at = outer ?? where(node.start)
    return new LazySite(at?.line ?? 1, at?.column ?? 0, depth, source, node)
  }

  const mark = factCounts(facts)
  const firstString = facts.strings.length
  const firstCall = facts.calls.length
  const plusNodes: (AnyNode & { type: 'BinaryExpression' })[] = []
  /** the names under member writes (`t[k] = v`): what extend-like helpers fill */
  const writtenRoots: Node[] = []
  const innerPlus = new Set<Node>()
  const foldable: Node[] = []
  // members whose name is computed: named once the scopes are settled
  const namedLater: number[] = []
  const assignedLater: (AnyNode & { type: 'AssignmentExpression' })[] = []
  const readLater: (AnyNode & { type: 'MemberExpression' })[] = []
  /** `o[k]`: a member read by a name's value */
  const keyedByName: (AnyNode & { type: 'MemberExpression' })[] = []
  let sawDebugger = false
  const luhn = luhnTracker(scopes.hooks)

  walkFull(
    ast,
    (n) => {
      switch (n.type) {
        // the commonest node, first: a switch on strings tests its cases in order
        case 'Identifier':
          break
        case 'Literal':
          if (typeof n.value === 'string')
            if (hiddenByEscapes(n)) {
              facts.hidden.add(n.value)
              facts.strings.push({ value: n.value, site: siteOf(n), decoded: ESCAPED })
            } else facts.strings.push({ value: n.value, site: siteOf(n), decoded: PLAIN })
          else if (n.regex) {
            facts.regexes.push({ pattern: n.regex.pattern, site: siteOf(n), node: n, layer })
            luhn.visit(n)
          }
          break
        case 'TemplateLiteral':
          foldable.push(n)
          break
        case 'Property': {
          // a quoted key is data too: `{ 'billing[cc_number]': 'n' }` maps field names; not
          // the five random letters javascript-obfuscator names each helper of a table with
          const k = n.key as AnyNode
          const helper =
            (n.method || isFunction(n.value as AnyNode)) &&
            k.type === 'Literal' &&
            typeof k.value === 'string' &&
            HELPER_KEY.test(k.value)
          if (!n.computed && !helper && k.type === 'Literal' && typeof k.value === 'string')
            facts.strings.push({ value: k.value, site: siteOf(k), decoded: PLAIN })
          if (n.kind === 'get' && decodingGetter(n)) facts.decodingGetters++
          // jQuery's own `ajaxPrefilter: addToPrefiltersOrTransports(prefilters)`
          if (!n.computed && keyName(k) === 'ajaxPrefilter' && n.value.type === 'CallExpression')
            hookMakers.push(n)
          break
        }
        case 'ArrayExpression':
        case 'WhileStatement':
        case 'DoWhileStatement':
          luhn.visit(n)
          break
        case 'BinaryExpression':
          luhn.visit(n)
          if (n.operator === '+') {
            plusNodes.push(n)
            innerPlus.add(n.left)
            innerPlus.add(n.right)
            if (emptyLiteral(n.left as AnyNode) || emptyLiteral(n.right as AnyNode))
              facts.coercions.push(siteOf(n))
          } else if (EQUALITY.has(n.operator)) {
            if (textual(n.left as AnyNode) && textual(n.right as AnyNode))
              facts.comparisons.push({ node: n, layer })
          } else if (isSizeCheck(n)) facts.sizeChecks.push(siteOf(n))
          break
        case 'VariableDeclaration':
          for (const d of n.declarations) {
            const init = d.init ?? undefined
            if (d.id.type === 'Identifier') scopes.declare(n.kind, d.id.name, init)
            else
              for (const p of d.id.type === 'ObjectPattern' ? d.id.properties : [d.id]) {
                // `const { sendBeacon: s } = navigator`: s holds navigator.sendBeacon
                const member = init && destructuredMember(p as AnyNode, init as AnyNode)
                if (member) scopes.declare(n.kind, member.name, member.init)
                else
                  for (const name of patternNames(
                    (p.type === 'Property' ? p.value : p) as AnyNode,
                  )) {
                    scopes.declare(n.kind, name, undefined)
                    scopes.refer(name, init, 'mutate')
                  }
              }
          }
          break
        case 'ClassDeclaration':
          if (n.id) scopes.declareOpaque(n.id.name)
          break
        case 'IfStatement':
        case 'ConditionalExpression':
        case 'LogicalExpression': {
          const fallback = consoleFallback(n)
          if (fallback) facts.consoleFallbacks.push({ node: fallback, layer })
          break
        }
        case 'UpdateExpression':
          if (n.argument.type === 'Identifier') scopes.refer(n.argument.name, undefined, 'mutate')
          break
        case 'PropertyDefinition': {
          // a class field, `#buf = new Map()`: what `this.#buf` starts as
          const key = n.key as AnyNode
          if (!n.computed && n.value) giveThis(fieldKey(key), n.value)
          break
        }
        case 'AssignmentExpression': {
          luhn.visit(n)
          const left = n.left as AnyNode
          if (left.type === 'Identifier')
            scopes.refer(left.name, n.right, n.operator === '=' ? 'assign' : 'mutate')
          else if (left.type === 'MemberExpression') {
            const root = rootName(left)
            // `o.snd = …` writes one named property, `o.log[k] = …` what `o.log` holds (still the
            // one property); `o[k] = …` could be any
            let first: AnyNode = left
            while (first.type === 'MemberExpression' && first.object.type === 'MemberExpression')
              first = first.object as AnyNode
            const prop =
              first.type === 'MemberExpression' &&
              first.object.type === 'Identifier' &&
              !first.computed
                ? propertyName(first)
                : undefined
            if (root) scopes.refer(root, n.right, 'mutate', prop)
            if (left.object.type === 'ThisExpression') thisProps.add(propertyName(left) ?? '')
            giveThis(thisKey(left), n.right)
            if (root) writtenRoots.push(rootOf(left))
          } else for (const name of patternNames(left)) scopes.refer(name, n.right, 'mutate')
          const target =
            left.type === 'Identifier'
              ? left.name
              : left.type === 'MemberExpression'
                ? propertyName(left)
                : undefined
          if (!target && left.type === 'MemberExpression' && KEY_NODES.has(left.property.type))
            assignedLater.push(n)
          if (target)
            facts.assigns.push({
              node: n,
              target,
              object:
                left.type === 'MemberExpression' && left.object.type !== 'Super'
                  ? pathOf(left.object)
                  : '',
              operator: n.operator,
              value: n.right,
              site: siteOf(n),
              layer,
            })
          break
        }
        case 'ForOfStatement':
        case 'ForInStatement': {
          const l = n.left as AnyNode
          const id = l.type === 'VariableDeclaration' ? l.declarations[0]?.id : l
          if (id?.type === 'Identifier') scopes.refer(id.name, n.right, 'bind')
          break
        }
        case 'ImportExpression':
          facts.imports.push({ node: n, url: n.source, site: siteOf(n), layer })
          break
        case 'CallExpression':
        case 'NewExpression': {
          if (n.callee.type === 'Super') break
          const callee = calleeOf(n)
          const name = calleeName(callee) ?? (callee.type === 'MemberExpression' ? '?' : '')
          const object =
            callee.type === 'MemberExpression' && callee.object.type !== 'Super'
              ? pathOf(callee.object)
              : ''
          const args = n.arguments as Node[]
          if (name === '?' || object.includes('?')) namedLater.push(facts.calls.length)
          facts.calls.push({
            node: n,
            name,
            object,
            isNew: n.type === 'NewExpression',
            args,
            site: siteOf(n),
            layer,
          })
          if (callee.type === 'MemberExpression' && callee.object.type !== 'Super') {
            const root = rootName(callee.object)
            if (root && COLLECTORS.has(name)) {
              scopes.refer(root, undefined, 'mutate')
              for (const a of args) scopes.refer(root, a, 'mutate')
            } else if (COLLECTORS.has(name)) {
              const key = thisKey(callee.object)
              for (const a of args) giveThis(key, a)
            }
            if (MERGERS.has(name)) mergeInto(args, scopes)
            const fn = args[0] as AnyNode | undefined
            if (ITERATORS.has(name) && fn && isFunction(fn)) {
              scopes.feedParam(fn, 0, callee.object)
              scopes.feedParam(fn, 1, callee.object)
            }
            // a library's iterator takes the collection first: `$.each(o, fn)`, `_.map(xs, fn)`
            const over = args[1] as AnyNode | undefined
            if (ITERATORS.has(name) && fn && !isFunction(fn) && over && isFunction(over)) {
              scopes.feedParam(over, 0, fn)
              scopes.feedParam(over, 1, fn)
            }
          }
          if (n.type === 'CallExpression') bindCallee(callee, args, scopes)
          if (n.type === 'CallExpression' && STRING_CALLS.has(name)) foldable.push(n)
          break
        }
        case 'ObjectExpression':
          for (const p of n.properties)
            if (p.type === 'Property' && !p.computed && isFunction(p.value as AnyNode))
              objectOf.set(p.value, n)
          break
        case 'TaggedTemplateExpression':
          if (n.tag.type === 'Identifier' && n.quasi.expressions.length === 0)
            facts.taggedTexts.push({ node: n, layer })
          break
        case 'MemberExpression': {
          if (n.computed && n.property.type === 'CallExpression') facts.keyCalls.push(n.property)
          const name = propertyName(n)
          if (namedControl(n)) facts.namedControls.add(n.object)
          else if (name !== undefined && SHAPE_ONLY.has(name) && countable(n.object))
            facts.countedCollections.add(n.object)
          if (
            name &&
            (MEMBERS_OF_INTEREST.has(name) || cardMember(name)) &&
            n.object.type !== 'Super'
          )
            facts.members.push({ name, object: pathOf(n.object), site: siteOf(n), node: n, layer })
          else if (name === undefined && KEY_NODES.has(n.property.type)) readLater.push(n)
          else if (n.computed && n.property.type === 'Identifier' && n.object.type === 'Identifier')
            keyedByName.push(n)
          break
        }
        case 'DebuggerStatement':
          sawDebugger = true
          break
        default:
          break
      }
    },
    luhn.hooks,
  )
  for (const fn of luhn.found) facts.luhn.push(siteOf(fn))

  scopes.settle()
  globalAliasWrites(writtenRoots, scopes)
  nameComputedMembers()
  aliasFacts(facts, mark, scopes)
  unaliasNativeCalls(facts, mark, scopes)
  setterWrites(facts, mark, scopes)
  unaliasFunctionConstructor(facts, mark, folder, scopes)
  feedLocalCalls(facts, mark, scopes, writtenRoots, (callee) =>
    methodCalled(callee, objectOf, scopes),
  )
  for (const b of feedPromiseChains(facts, mark, scopes)) resolved.add(b)
  for (const b of messageParams(facts, mark, scopes)) resolved.add(b)
  const libraries = hookMakers.flatMap((p) => scopes.thisFunctionAt(p.start) ?? [])
  for (const [b, via] of hookParameters(facts, mark, scopes, libraries)) requests.set(b, via)

  /**
   * `jQuery[T[28]](…)`, `el[T[3]] = url`, `e[T[2]]`: names read from a table of constants are
   * names, once the scopes know what the table holds.
   */
  function nameComputedMembers(): void {
    const named = (m: AnyNode & { type: 'MemberExpression' }): string | undefined =>
      propertyName(m) ?? (m.computed ? folder.foldString(m.property) : undefined)
    for (const i of namedLater) {
      const c = facts.calls[i] as CallFact
      const callee = calleeOf(c.node as AnyNode & { type: 'CallExpression' })
      if (callee.type !== 'MemberExpression' || callee.object.type === 'Super') continue
      if (c.name === '?') c.name = named(callee) ?? '?'
      if (c.object.includes('?')) c.object = pathOf(callee.object, 0, named)
    }
    for (const n of assignedLater) {
      const left = n.left as AnyNode & { type: 'MemberExpression' }
      const target = named(left)
      if (target === undefined || left.object.type === 'Super') continue
      const object = pathOf(left.object, 0, named)
      const fact = { node: n, target, object, operator: n.operator, value: n.right, layer }
      facts.assigns.push({ ...fact, site: siteOf(n) })
    }
    // `var k = '' + part; window[k](…)`, `doc[\`${a}${b}\`]`: a name holding a text built at
    // run time that no constant gives, used on the page's global object or its document
    for (const n of keyedByName)
      if (
        (globalObject(n.object as AnyNode) || documentObject(n.object as AnyNode)) &&
        builtText(layer.initOf(n.property) as AnyNode | undefined) &&
        folder.foldString(n.property) === undefined
      )
        facts.builtGlobalReads++
    for (const n of readLater) {
      const name = named(n)
      if (
        name === undefined &&
        BUILT_KEYS.has(n.property.type) &&
        globalObject(n.object as AnyNode)
      )
        facts.builtGlobalReads++
      if (name === undefined || !MEMBERS_OF_INTEREST.has(name) || n.object.type === 'Super')
        continue
      facts.members.push({
        name,
        object: pathOf(n.object, 0, named),
        site: siteOf(n),
        node: n,
        layer,
      })
    }
  }

  /** `window`, or a name given `window` (`(function (g) {…})(window)`) */
  function globalObject(n: AnyNode): boolean {
    if (n.type !== 'Identifier') return false
    if (GLOBAL_OBJECTS.has(n.name)) return true
    const init = layer.initOf(n) as AnyNode | undefined
    return init?.type === 'Identifier' && GLOBAL_OBJECTS.has(init.name)
  }

  /** `document`, or a name given it (`(function (g, d) {…})(window, document)`) */
  function documentObject(n: AnyNode): boolean {
    if (n.type !== 'Identifier') return false
    const init = n.name === 'document' ? n : (layer.initOf(n) as AnyNode | undefined)
    return init?.type === 'Identifier' && init.name === 'document'
  }

  /** A concatenation, a template with parts, or a call: text put together at run time. */
  function builtText(n: AnyNode | undefined): boolean {
    if (!n) return false
    if (n.type === 'TemplateLiteral') return n.expressions.length > 0
    return (n.type === 'BinaryExpression' && n.operator === '+') || n.type === 'CallExpression'
  }

  // `${HOST}/c?d=${data}`: the text up to the first part that is not constant
  function templatePrefix(t: AnyNode & { type: 'TemplateLiteral' }): string | undefined {
    let text = t.quasis[0]?.value.cooked ?? undefined
    for (let i = 0; text !== undefined && i < t.expressions.length; i++) {
      const part = folder.foldString(t.expressions[i] as Node)
      if (part === undefined) return text
      text += part + (t.quasis[i + 1]?.value.cooked ?? '')
    }
    return text
  }

  function leadingString(node: Node, depth = 0): string | undefined {
    let cur = node as AnyNode
    let parent: AnyNode | undefined
    for (let i = 0; i < 10_000; i++) {
      const whole = folder.foldString(cur)
      if (whole !== undefined) return whole
      const scheme = parent && schemeOf(cur)
      if (scheme !== undefined && parent?.type === 'BinaryExpression') {
        // `proto + 'host.tld/gate.php'`: the scheme alone is chosen at run time
        const rest = folder.foldString(parent.right)
        return rest === undefined ? undefined : withScheme(scheme, rest)
      }
      if (cur.type === 'BinaryExpression' && cur.operator === '+') {
        parent = cur
        cur = cur.left as AnyNode
      } else if (cur.type === 'TemplateLiteral') return templatePrefix(cur)
      else if (cur.type === 'CallExpression' && policyCall(cur)) cur = cur.arguments[0] as AnyNode
      else if (cur.type === 'MemberExpression' && depth < 4) return memberText(cur, depth)
      else if (cur.type === 'ConditionalExpression' && depth < 4)
        return eitherArm(
          leadingString(cur.consequent, depth + 1),
          leadingString(cur.alternate, depth + 1),
        )
      else if (cur.type === 'Identifier' && depth < 4) {
        // `var to = ready ? BASE : ''`: a name that holds one of two texts
        const init = layer.initOf(cur) as AnyNode | undefined
        if (init?.type === 'ConditionalExpression') cur = init
        // a name given one text, never another: `const url = BASE + '?d=' + data`
        else if (init && builtText(init)) return leadingString(init, depth + 1)
        else return givenText(cur, depth)
      } else return undefined
    }
    return undefined
  }

  /**
   * A Trusted Types policy's `createScriptURL(url)`, `createHTML(markup)`, `createScript(code)`:
   * what the policy's rule makes of the text, whose address is the text's (a policy may vet it,
   * never move it elsewhere).
   */
  function policyCall(c: AnyNode & { type: 'CallExpression' }): boolean {
    const callee = c.callee as AnyNode
    return (
      callee.type === 'MemberExpression' &&
      c.arguments.length >= 1 &&
      c.arguments[0]?.type !== 'SpreadElement' &&
      TRUSTED_TYPES_CALLS.has(propertyName(callee) ?? '')
    )
  }

  /**
   * A name or member that holds only a URL scheme: `location.protocol`, or a variable set to
   * `'https://'` and perhaps switched to `'http://'` later. Gives the scheme's form.
   */
  function schemeOf(n: AnyNode): string | undefined {
    if (n.type === 'MemberExpression' && propertyName(n) === 'protocol') return 'https:'
    if (n.type !== 'Identifier') return undefined
    const texts = layer.valuesOf(n).map((v) => folder.foldString(v))
    if (texts.length === 0 || !texts.every((t) => t !== undefined && SCHEME_ONLY.test(t)))
      return undefined
    return texts[0]
  }

  /**
   * A name given a few values, each starting with the same text: a helper's parameter
   * (`function send(url) {…}` called with `BASE + '/c?' + data`), a variable set in two places.
   * A name given nothing the folder reads, or texts that differ, starts with nothing known.
   */
  function givenText(id: AnyNode & { type: 'Identifier' }, depth: number): string | undefined {
    // a helper's parameter, fed by its callers: a variable's own values are not followed here
    if (!scopes.resolve(id)?.param) return undefined
    const values = layer.valuesOf(id)
    if (values.length === 0 || values.length > GIVEN_TEXTS) return undefined
    let text: string | undefined
    for (const v of values) {
      if (v === id) return undefined
      const t = leadingString(v, depth + 1)
      if (t === undefined || t === '' || (text !== undefined && t !== text)) return undefined
      text = t
    }
    return text
  }

  /**
   * `msg.to` where every value `msg` is given is an object written with a `to` (`send({ to: BASE +
   * path, … })`): the text all those start with. Anything else starts with nothing known.
   */
  function memberText(
    m: AnyNode & { type: 'MemberExpression' },
    depth: number,
  ): string | undefined {
    const obj = m.object as AnyNode
    const key = m.computed ? undefined : propertyName(m)
    if (key === undefined || obj.type !== 'Identifier') return undefined
    // a property written elsewhere, or one a spread may supply, holds what nobody wrote here (a
    // parameter counts as changed from the start: its writes are looked for by name)
    const b = scopes.resolve(obj)
    if (!b || (b.mutated && !b.param)) return undefined
    if (facts.assigns.some((a) => a.target === key && a.object === obj.name)) return undefined
    const values = layer.valuesOf(obj)
    if (values.length === 0 || values.length > GIVEN_TEXTS) return undefined
    let text: string | undefined
    for (const v of values as AnyNode[]) {
      if (v.type !== 'ObjectExpression' || v.properties.some((p) => p.type !== 'Property'))
        return undefined
      const prop = v.properties.find(
        (p) => p.type === 'Property' && !p.computed && keyName(p.key as AnyNode) === key,
      ) as (AnyNode & { type: 'Property' }) | undefined
      const t = prop ? leadingString(prop.value, depth + 1) : undefined
      if (t === undefined || t === '' || (text !== undefined && t !== text)) return undefined
      text = t
    }
    return text
  }

  /** `c ? URL : ''`: the text a request may start with, when only one arm has any */
  function eitherArm(a: string | undefined, b: string | undefined): string | undefined {
    if (a === undefined || a === '') return b
    if (b === undefined || b === '') return a
    return a === b ? a : undefined
  }

  for (const p of plusNodes) {
    if (innerPlus.has(p)) continue
    // `'v' + VERSION + '] ' + msg`: the longest head that folds is text the script holds, and the
    // text the evaluator writes as one literal
    let head = p
    while (folder.foldString(head) === undefined) {
      const left = head.left as AnyNode
      if (left.type !== 'BinaryExpression' || left.operator !== '+') break
      head = left
    }
    foldable.push(head)
  }
  for (const node of foldable) {
    const value = folder.foldString(node)
    if (value === undefined || value.length === 0) continue
    facts.strings.push({ value, site: siteOf(node), decoded: folder.decodedBy(node) })
  }
  if (sawDebugger) collectDebuggerTraps(ast, facts, siteOf)
  const own = { strings: facts.strings.slice(firstString), calls: facts.calls.slice(firstCall) }
  const walked = factCounts(facts)
  const subs = decodedLayers(own.strings, own.calls, layer, budget, (s) => facts.strings.push(s))
  // An unpacked packer wrapper is replaced by its payload: its own machinery is no evidence.
  const packers = subs.flatMap((sub) => (sub.packer ? [sub.packer] : []))
  if (packers.length > 0) {
    dropWithin(facts, mark, walked, packers)
    for (const sub of subs) if (sub.packer) facts.packed.push({ node: sub.packer, site: sub.outer })
  }
  for (const sub of subs) collectLayer(sub, facts, budget)
  for (const sub of subs) facts.layers.push(sub.source)
}

/** how many values a name may be given and still be read as the text they all start with */
const GIVEN_TEXTS = 8
const SCHEME_ONLY = /^(?:https?:)?(?:\/\/)?$/i
/** `host.tld/…` right after the scheme: a host, not a relative path. */
const HOST_FIRST = /^(?:\/\/)?[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}(?:[:/?#]|$)/i

/** A scheme chosen at run time and the constant text after it, as one URL (or nothing). */
function withScheme(scheme: string, rest: string): string | undefined {
  if (!HOST_FIRST.test(rest)) return undefined
  const host = rest.replace(/^\/\//, '')
  return `${/^http:/i.test(scheme) ? 'http:' : 'https:'}//${host}`
}

const EQUALITY = new Set(['==', '===', '!=', '!=='])

/** An operand that could hold text: not `typeof x`, a number, a boolean or null. */
function textual(n: AnyNode): boolean {
  if (n.type === 'Literal') return typeof n.value === 'string'
  return n.type !== 'UnaryExpression'
}

/** `[]` or `{}`: added to something, only to turn it into text (no benign minifier does). */
function emptyLiteral(n: AnyNode): boolean {
  return (
    (n.type === 'ArrayExpression' && n.elements.length === 0) ||
    (n.type === 'ObjectExpression' && n.properties.length === 0)
  )
}

type Identifier = Node & { type: 'Identifier'; name: string }

/**
 * `var st = window.X = window.X || {}; st.f[k] = v`: a name that holds a property of the global
 * object writes into the page's global object, where another function or another script of the
 * page reads it back (`window.X.f`). What is written through such a name is also given to the
 * global object's name, as writes through `window.X.…` are.
 */
function globalAliasWrites(roots: readonly Node[], scopes: Scopes): void {
  const done = new Set<Binding>()
  for (const r of roots) {
    const b = (r as AnyNode).type === 'Identifier' ? scopes.resolve(r as Identifier) : undefined
    if (!b || done.has(b) || GLOBAL_OBJECTS.has((r as Identifier).name)) continue
    done.add(b)
    const held = b.values.find((v) => globalMemberOf(v as AnyNode) !== undefined)
    const root = held && globalMemberOf(held as AnyNode)
    const global = root && scopes.resolve(root)
    if (!global || global === b) continue
    for (const v of b.values) if (v !== held && !global.values.includes(v)) global.values.push(v)
  }
}

/** The global object's name under `window.X`, `self.X.y`, or an assignment to one of them. */
function globalMemberOf(n: AnyNode): Identifier | undefined {
  const m = n.type === 'AssignmentExpression' ? (n.left as AnyNode) : n
  if (m.type !== 'MemberExpression') return undefined
  const root = rootOf(m) as AnyNode
  return root.type === 'Identifier' && GLOBAL_OBJECTS.has(root.name) ? root : undefined
}

/**
 * A property of an object pattern that takes one member by its name into a name of its own
 * (`{ sendBeacon: s }`, `{ fetch }`): that name and the member it holds, as `init.key` placed
 * where the property is written. Defaults, nested patterns and computed keys are not followed.
 */
function destructuredMember(
  p: AnyNode,
  init: AnyNode,
): { name: string; init: AnyNode } | undefined {
  if (p.type !== 'Property' || p.computed || p.value.type !== 'Identifier') return undefined
  if (init.type !== 'Identifier' && init.type !== 'MemberExpression') return undefined
  const key = p.key as AnyNode
  const name = key.type === 'Identifier' ? key.name : key.type === 'Literal' ? key.value : undefined
  if (typeof name !== 'string') return undefined
  const member = {
    type: 'MemberExpression',
    object: init,
    property: { type: 'Identifier', name, start: key.start, end: key.end },
    computed: false,
    optional: false,
    start: p.start,
    end: p.end,
  }
  return { name: p.value.name, init: member as unknown as AnyNode }
}
