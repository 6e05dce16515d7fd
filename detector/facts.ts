import type { Node } from 'acorn'
import type { DecodeKind, Folder } from './deobfuscate/fold.ts'

/** Where evidence sits: outer-file line (1-based) and column (0-based) plus a snippet. */
export interface Site {
  line: number
  column: number
  snippet: string
  /** 0 for the file itself, n for code decoded n times */
  layer: number
}

export type Taint =
  | 'json'
  | 'b64'
  | 'uri'
  | 'formdata'
  | 'value'
  | 'harvest'
  | 'card'
  | 'decoded'
  | 'location'
  | 'storage'
  /** a URL or body of the page's own request, taken by a replaced network method */
  | 'request'
  /** the settings of a request the page makes through jQuery, seen by one of jQuery's hooks */
  | 'jquery-request'
  /** the body of a response the script fetched */
  | 'response'
  /** text with a CSS `url(…)`: written into a style, the browser requests it */
  | 'css-url'
  /** an attribute selector on a field's value (`[value$="4"]`): CSS that matches what is typed */
  | 'value-selector'
  /** read off an object of the page's own code under a card field's name (`ad.cc_number`) */
  | 'card-member'

/** Per-layer context: folding and taint are only meaningful within one parsed layer. */
export interface Layer {
  depth: number
  /** the layer's parsed tree */
  ast: Node
  folder: Folder
  taint(node: Node): Set<Taint>
  /** longest constant prefix of a string expression (URLs built by concatenation) */
  leadingString(node: Node): string | undefined
  /** what a name was first given, when it is never given anything else (`var img = $('<img>')`) */
  initOf(id: Node): Node | undefined
  /** everything a name is ever given, a parameter what its callers pass (flow-insensitive) */
  valuesOf(id: Node): readonly Node[]
  /** the function of the layer a name is bound to (`function doc(d) {…}`, `var f = () => …`) */
  functionOf(id: Node): Node | undefined
  /** where a node of this layer is, for a finding */
  siteOf(node: Node): Site
}

export interface StringFact {
  value: string
  site: Site
  decoded: DecodeKind[]
}

export interface CallFact {
  node: Node
  /** last callee name: `querySelectorAll`, `fetch`, `Image` */
  name: string
  /** dotted path of the callee's object without window./self.: `document`, `navigator`, `` */
  object: string
  isNew: boolean
  args: Node[]
  site: Site
  layer: Layer
}

export interface AssignFact {
  node: Node
  /** assigned property or identifier name: `src`, `innerHTML`, `cookie` */
  target: string
  object: string
  operator: string
  value: Node
  /** the object written when the write is a call (a setter called on it), not an assignment */
  receiver?: Node
  site: Site
  layer: Layer
}

export interface MemberFact {
  name: string
  object: string
  site: Site
  node: Node
  layer: Layer
}

export type SinkKind =
  | 'image'
  | 'fetch'
  | 'xhr'
  | 'beacon'
  | 'websocket'
  | 'webtransport'
  | 'form'
  | 'element-src'
  | 'jquery-ajax'
  /** `new EventSource(url)`: a GET request whose URL can carry anything */
  | 'eventsource'
  /** `postMessage(data, origin)` to a window of another origin */
  | 'message'
  /** WebRTC: peer-connection settings (ICE server names and credentials) and data channels */
  | 'webrtc'
  /**
   * An analytics or tag library's call (`gtag('event', …)`, `dataLayer.push(…)`, `fbq(…)`):
   * the library sends what it is given to the property or pixel the call names
   */
  | 'analytics'

export type Destination = 'same-origin' | 'own-host' | 'external' | 'unknown'

export interface Sink {
  kind: SinkKind
  url: Node | undefined
  urlText: string | undefined
  data: Node[]
  destination: Destination
  /** true when nothing but a constant URL flows into the sink (a plain resource load) */
  constant: boolean
  site: Site
  layer: Layer
}

/** Everything the rules look at, gathered in one walk per layer. */
export interface ScriptFacts {
  source: string
  sha256: string
  /** text of each decoded layer that parsed as code */
  layers: string[]
  /** the outermost layer walked: its folder knows what the file's own expressions hold */
  root?: Layer
  strings: StringFact[]
  regexes: { pattern: string; site: Site; node: Node; layer: Layer }[]
  calls: CallFact[]
  /** `import(url)`: a module fetched from a computed address (not a call: no callee) */
  imports: { node: Node; url: Node; site: Site; layer: Layer }[]
  assigns: AssignFact[]
  members: MemberFact[]
  /** `form.elements` nodes through which one named control is read (`.elements.email`) */
  namedControls: Set<Node>
  /** `document.forms`, `form.elements` nodes whose only use is their count or kind (`.length`) */
  countedCollections: Set<Node>
  /** code that runs only where the page has no console (`else console = {…}`) */
  consoleFallbacks: { node: Node; layer: Layer }[]
  /** `debugger` statements inside loops or timer callbacks */
  debuggerTraps: Site[]
  /** `outerWidth - innerWidth`-style devtools size checks */
  sizeChecks: Site[]
  /** `a == b`, `a !== b` between two values that could be text (not typeof, not a number) */
  comparisons: { node: Node; layer: Layer }[]
  sinks: Sink[]
  /** calls whose result is used as a computed property name: `obj[f(0x1f, 'k')]` */
  keyCalls: Node[]
  /** constant text handed to a function of the file as a template tag: `d\`…\`` */
  taggedTexts: { node: Node; layer: Layer }[]
  /** p,a,c,k,e,d packer calls that were unpacked statically (their payload is a layer) */
  packed: { node: Node; site: Site }[]
  /** `x + []`, `{} + x`: a string made by coercing an empty literal (JSFuck's alphabet) */
  coercions: Site[]
  /** texts the file wrote as escapes of plain ASCII (`'\x77\x72…'`), before any rewrite */
  hidden: Set<string>
  /** `g[build('Im', 'age')]` on the global object: names it builds and nothing could read */
  builtGlobalReads: number
  /**
   * getters that only return what a function of the file makes of constants (`get h() { return
   * dec([104, 116]) }`): a string table read as properties
   */
  decodingGetters: number
  /**
   * calls of `Function` reached as a function's `.constructor` (`(0).constructor.constructor(code)`)
   * whose code is not written as a literal: symbol-only encodings compile their payload so
   */
  indirectRunners: number
  /** one-line operator wrappers (`function (x, y) { return x * y }`) within a few KB */
  operatorWrappers: number
  /** functions that check card numbers: the Luhn checksum or the length (luhn.ts) */
  luhn: Site[]
}

/** Facts of a script before its layers are collected. */
export function emptyFacts(source: string, hash: string): ScriptFacts {
  return {
    source,
    sha256: hash,
    layers: [],
    strings: [],
    regexes: [],
    calls: [],
    imports: [],
    assigns: [],
    members: [],
    namedControls: new Set(),
    countedCollections: new Set(),
    consoleFallbacks: [],
    debuggerTraps: [],
    sizeChecks: [],
    comparisons: [],
    sinks: [],
    keyCalls: [],
    taggedTexts: [],
    packed: [],
    coercions: [],
    hidden: new Set(),
    builtGlobalReads: 0,
    decodingGetters: 0,
    indirectRunners: 0,
    operatorWrappers: 0,
    luhn: [],
  }
}
