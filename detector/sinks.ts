import type { AnyNode, Node } from 'acorn'
import type { AnalyzeContext } from './context.ts'
import type {
  AssignFact,
  CallFact,
  Destination,
  Layer,
  ScriptFacts,
  Sink,
  SinkKind,
  Site,
} from './facts.ts'
import { calleeOf } from './aliases.ts'
import { returnsOf } from './flows.ts'
import { keyName, propertyName, propertyValue } from './deobfuscate/fold.ts'
import { GLOBAL_OBJECTS, hostOf, registrable } from './paths.ts'

const METHOD = /^(get|post|put|patch)$/i
/** a window whose `name` is handed on when it is navigated: the page's own, or a frame's */
const NAMED_WINDOW = /^(window|self|globalThis)$|\.contentWindow$/
const GLOBAL_WINDOWS: ReadonlySet<string> = new Set([
  '',
  'window',
  'self',
  'globalThis',
  'document',
])
const GLOBAL_LOCATIONS: ReadonlySet<string> = new Set(
  ['', 'window.', 'self.', 'globalThis.', 'document.'].map((o) => `${o}location`),
)
/** `CSS.paintWorklet`, `ctx.audioWorklet`, `CSS.layoutWorklet`: a Worklet by its property name */
const WORKLET = /(^|\.)\w*Worklet$/

/** Find every outbound channel in the script: beacons, fetch, XHR, WebSocket, forms, script src. */
/** jQuery by name or as a global's member: `$`, `jQuery`, `w.jQuery` (a window given to a wrapper) */
export const JQUERY_PATH = /(^|\.)(\$|jQuery)$/

export function findSinks(facts: ScriptFacts, ctx: AnalyzeContext): Sink[] {
  const sinks: Sink[] = []
  const has = (re: RegExp): boolean =>
    facts.calls.some((c) => re.test(c.name) && (c.isNew || c.name === 'createElement'))
  const usesXhr = has(/^XMLHttpRequest$/)
  // `x.open('POST', url)` then `x.send(body)`: the request protocol, whatever made `x` (another
  // frame's XMLHttpRequest, a constructor held under another name)
  const opened = new Set(
    facts.calls
      .filter((c) => c.name === 'open' && c.object !== '' && c.args.length >= 2 && isMethod(c))
      .map(receiverOf),
  )
  const openedHere = (c: CallFact): boolean => {
    const r = receiverOf(c)
    return r !== undefined && opened.has(r)
  }
  const usesWs = has(/^WebSocket$/)
  const usesWt = has(/^WebTransport$/)
  const usesRtc = facts.calls.some(
    (c) => (c.isNew && /RTCPeerConnection$/.test(c.name)) || c.name === 'createDataChannel',
  )
  // an Image or Audio object fetches its src as soon as it is set (`new Audio(url)` at once)
  const makesElement = facts.calls.some((c) => c.name === 'createElement') || has(/^(Image|Audio)$/)
  // a <link> fetches its href as soon as it is in the page (stylesheet, prefetch, preconnect)
  const makesLink = facts.calls.some(
    (c) =>
      c.name === 'createElement' &&
      c.args[0] !== undefined &&
      c.layer.folder.foldString(c.args[0])?.toLowerCase() === 'link',
  )
  const fetchesBy = (attr: string | undefined): boolean =>
    attr === 'src' ||
    attr === 'srcset' ||
    attr === 'poster' ||
    attr === 'action' ||
    (attr === 'href' && makesLink)
  const add = (
    kind: SinkKind,
    c: { site: Site; layer: Layer },
    url: Node | undefined,
    data: Node[],
    address?: string,
  ): void => {
    const urlText = address ?? (url ? c.layer.leadingString(url) : undefined)
    const whole = url ? c.layer.folder.foldString(url) : undefined
    sinks.push({
      kind,
      url,
      urlText,
      data,
      destination:
        url && !address && hostFromFields(urlText, url, c.layer)
          ? 'external'
          : destination(urlText, ctx),
      constant: data.length === 0 && whole !== undefined,
      site: c.site,
      layer: c.layer,
    })
  }
  for (const c of facts.calls) callSink(c)
  // `import(url)` fetches a module from the address, as a script element's src does
  for (const i of facts.imports) add('element-src', i, i.url, [])
  for (const a of facts.assigns) assignSink(a)
  // `window.open(url, name)`: the new window's name is handed to the page it opens
  for (const c of facts.calls)
    if (
      c.name === 'open' &&
      (c.object === '' || GLOBAL_OBJECTS.has(c.object)) &&
      c.args[1] &&
      !isMethod(c) &&
      // `'_blank'`, `'help'`: a name written out is a target, not data
      c.layer.folder.foldString(c.args[1]) === undefined
    )
      add('message', c, c.args[0], c.args.slice(1, 2))
  // `el.insertAdjacentHTML('beforeend', markup)`: markup written beside an element
  for (const c of facts.calls)
    if (c.name === 'insertAdjacentHTML' && c.object !== '' && c.args[1]) addMarkup(c, c.args[1])
  // a form the script points somewhere carries what the script wrote into the controls it made
  const pointed = sinks.filter((k) => k.kind === 'form' && k.url && k.data.length === 0)
  if (pointed.length > 0) {
    const written = controlValues(facts)
    for (const k of pointed) k.data = written.filter((w) => w.layer === k.layer).map((w) => w.node)
  }
  return sinks

  // Each kind of source is judged in a function of its own: a script with a call the batch has
  // not met before recompiles only that function, not the whole of findSinks.
  function callSink(c: CallFact): void {
    // called bare or on the global object: `fetch(…)`, `window.fetch(…)`, `globalThis.fetch(…)`
    const plain = c.object === '' || GLOBAL_OBJECTS.has(c.object)
    if (c.name === 'fetch' && plain) add('fetch', c, c.args[0], c.args.slice(1, 2))
    else if (c.name === 'sendBeacon') add('beacon', c, c.args[0], c.args.slice(1, 2))
    else if (c.name === 'open' && c.args.length >= 2 && isMethod(c)) add('xhr', c, c.args[1], [])
    else if (
      c.name === 'send' &&
      c.args.length === 1 &&
      !plain &&
      (usesXhr || usesWs || usesRtc || openedHere(c))
    )
      add(usesXhr || openedHere(c) ? 'xhr' : sendKind(), c, undefined, c.args)
    else if (c.name === 'WebSocket' && c.isNew) add('websocket', c, c.args[0], [])
    else if (c.name === 'WebTransport' && c.isNew) add('webtransport', c, c.args[0], [])
    // what a script holding a WebTransport writes to a stream writer goes out on it (datagrams,
    // streams): `writer.write(bytes)`, never `document.write`
    else if (
      c.name === 'write' &&
      usesWt &&
      c.args.length === 1 &&
      !plain &&
      !DOCUMENTS.test(c.object)
    )
      add('webtransport', c, undefined, c.args)
    else if (c.name === 'EventSource' && c.isNew) add('eventsource', c, c.args[0], [])
    else if (c.name === 'Audio' && c.isNew && c.args[0]) add('image', c, c.args[0], [])
    // a worklet's module (`CSS.paintWorklet.addModule(url)`) is a script fetched from the address
    else if (c.name === 'addModule' && WORKLET.test(c.object) && c.args[0])
      add('element-src', c, c.args[0], [])
    // `new FontFace(family, 'url(…)')`: the font is fetched from that address, as an image is
    else if (c.name === 'FontFace' && c.isNew && c.args[1]) {
      const address = cssAddress(c.layer, c.args[1])
      if (address !== undefined) add('image', c, c.args[1], [], address)
    } else if (c.isNew && /RTCPeerConnection$/.test(c.name) && c.args[0])
      add('webrtc', c, undefined, c.args.slice(0, 1))
    else if (c.name === 'postMessage' && !plain && c.args.length >= 2) {
      // only to a named origin: '*' and computed origins are how pages talk to their own frames
      const origin = c.args[1] as Node
      if (hostOf(c.layer.leadingString(origin) ?? '') !== undefined)
        add('message', c, origin, c.args.slice(0, 1))
    } else if (/^(\$|jQuery)$/.test(c.name) && plain && c.args.length >= 2) addJqueryElement(c)
    // Prototype's and MooTools' element factory: `new Element('script', { src: url })`
    else if (c.isNew && c.name === 'Element' && c.args.length >= 2) addJqueryElement(c)
    else if (/^(attr|prop)$/.test(c.name) && c.args.length >= 2) addMadeElementAttr(c)
    // Prototype (Magento 1's library): `new Ajax.Request(url, opts)`, `new Ajax.Updater(el, url, opts)`
    else if (c.isNew && /^(Request|Updater)$/.test(c.name) && /(^|\.)Ajax$/.test(c.object)) {
      const at = c.name === 'Updater' ? 1 : 0
      add('xhr', c, c.args[at], c.args.slice(at + 1, at + 2))
    } else if (/^(ajax|post|get|getJSON|getScript)$/.test(c.name) && JQUERY_PATH.test(c.object))
      addJquery(c)
    // `Object.assign(new Image(), { src: url })`: the element's source written through a copy
    else if (c.name === 'assign' && c.object === 'Object' && c.args.length >= 2) addAssigned(c)
    // an HTTP client's `post(url, data)` (axios, ky, superagent, AngularJS's $http): a request
    // whenever the address is a written-out absolute URL, whatever holds the client
    else if (
      /^(post|put|patch)$/.test(c.name) &&
      !plain &&
      c.args.length >= 2 &&
      hostOf(c.layer.leadingString(c.args[0] as Node) ?? '') !== undefined
    )
      add('xhr', c, c.args[0], c.args.slice(1, 2))
    else if (
      c.name === 'submit' &&
      !plain &&
      facts.calls.some(
        (x) =>
          x.name === 'createElement' &&
          x.args[0] &&
          c.layer.folder.foldString(x.args[0])?.toLowerCase() === 'form',
      )
    )
      add('form', c, undefined, [])
    else if (
      c.name === 'setAttribute' &&
      makesElement &&
      c.args[0] &&
      fetchesBy(c.layer.folder.foldString(c.args[0]))
    )
      add('element-src', c, c.args[1], [])
    // a link's `ping` addresses are posted to when the link is followed (hyperlink auditing)
    else if (
      c.name === 'setAttribute' &&
      c.args[0] &&
      c.layer.folder.foldString(c.args[0]) === 'ping' &&
      madeLink(memberOwner(c.node), c.layer)
    )
      add('element-src', c, c.args[1], [])
    else if (
      c.name === 'setAttribute' &&
      c.args[1] &&
      c.args[0] &&
      c.layer.folder.foldString(c.args[0])?.toLowerCase() === 'srcdoc'
    )
      addFrameDocument(c, c.args[1])
  }

  function assignSink(a: AssignFact): void {
    if (
      /^(src|srcset|poster)$/.test(a.target) &&
      a.object !== '' &&
      (makesElement || a.object.startsWith('new Image'))
    )
      add(
        a.object.startsWith('new Image') ||
          /img|image|pixel/i.test(a.object) ||
          elementTag(a) === 'img' ||
          mediaElement(a)
          ? 'image'
          : 'element-src',
        a,
        a.value,
        [],
      )
    else if (a.target === 'ping' && a.object !== '' && madeLink(memberOwner(a.node), a.layer))
      add('element-src', a, a.value, [])
    else if (a.target === 'name' && a.value && NAMED_WINDOW.test(a.object)) addWindowName(a)
    else if (a.target === 'href' && makesLink && a.object !== '') add('element-src', a, a.value, [])
    else if (a.target === 'action' && a.object !== '') add('form', a, a.value, [])
    else if (a.target === 'srcdoc' && a.value) addFrameDocument(a, a.value)
    else if (MARKUP_PROPS.has(a.target) && a.object !== '' && a.value) addMarkup(a, a.value)
  }
  /**
   * `frame.contentWindow.name = data`, then `frame.src = url`; `window.name = data`, then
   * `location.href = url`: a window keeps its name when it is navigated, so the page it is sent
   * to reads what the name holds. Data handed to another origin with nothing in any URL.
   */
  function addWindowName(a: AssignFact): void {
    const frame = /^(.+)\.contentWindow$/.exec(a.object)?.[1]
    const global = frame === undefined
    const locations = global ? GLOBAL_LOCATIONS : new Set([`${a.object}.location`])
    const windows = global ? GLOBAL_WINDOWS : new Set([a.object])
    // every navigation of that window in the layer: which one runs after the write is not known
    for (const x of facts.assigns)
      if (
        x.layer === a.layer &&
        ((x.target === 'href' && locations.has(x.object)) ||
          (x.target === 'location' && windows.has(x.object)) ||
          (x.target === 'src' && x.object === frame))
      )
        add('message', a, x.value, [a.value])
    for (const c of facts.calls)
      if (
        c.layer === a.layer &&
        c.args[0] !== undefined &&
        ((/^(assign|replace)$/.test(c.name) && locations.has(c.object)) ||
          (c.name === 'setAttribute' &&
            c.object === frame &&
            c.layer.folder.foldString(c.args[0]) === 'src' &&
            c.args[1] !== undefined))
      )
        add('message', a, c.name === 'setAttribute' ? c.args[1] : c.args[0], [a.value])
  }

  /**
   * Markup written into the page (`innerHTML`, `outerHTML`, `insertAdjacentHTML`): an element
   * in it that fetches (an image, a frame, a stylesheet) requests its address as it is parsed.
   * Scripts written so never run, and are not looked for.
   */
  function addMarkup(c: { site: Site; layer: Layer }, markup: Node): void {
    for (const text of markupTexts(c.layer, markup, 0)) {
      const m = MARKUP_FETCH.exec(text)
      if (!m) continue
      const kind = (m[1] as string).toLowerCase() === 'img' ? 'image' : 'element-src'
      const address = m[3] as string
      const open = address.indexOf(UNKNOWN_PART)
      // a fixed address carries nothing the script put together (an icon, a badge)
      if (open === -1) return
      // one put together at run time (`'<img src="' + url + '">'`) is known up to that part
      if (open === 0) add(kind, c, undefined, [markup])
      else add(kind, c, markup, [markup], address.slice(0, open))
      return
    }
  }

  /**
   * `frame.srcdoc = markup`: the frame loads that document, and what its elements name is
   * requested (a form it submits, an image, a script). The markup is the data; the address is
   * the first one an element of it names.
   */
  function addFrameDocument(c: { site: Site; layer: Layer }, markup: Node): void {
    for (const text of markupTexts(c.layer, markup, 0)) {
      const m = MARKUP_ADDRESS.exec(text)
      if (!m) continue
      const kind = (m[1] as string).toLowerCase() === 'action' ? 'form' : 'element-src'
      add(kind, c, markup, [markup], m[2])
      return
    }
  }
  function sendKind(): SinkKind {
    if (usesXhr) return 'xhr'
    return usesWs ? 'websocket' : 'webrtc'
  }

  /** `$('<iframe>', { src: url })`, `new Element('script', { src: url })`: an element made with its attributes. */
  function addJqueryElement(c: CallFact): void {
    const tag = c.layer.folder.foldString(c.args[0] as Node)
    const attrs = c.args[1] as AnyNode
    const bare = c.isNew ? tag?.trim().toLowerCase() : undefined
    const name = tagOf(tag) ?? (bare && FETCHING_TAGS.has(bare) ? bare : undefined)
    if (!name || attrs.type !== 'ObjectExpression') return
    for (const p of attrs.properties) {
      if (p.type !== 'Property') continue
      const k = p.key as AnyNode
      const key = k.type === 'Identifier' ? k.name : k.type === 'Literal' ? String(k.value) : ''
      if (!/^(src|href|action)$/.test(key)) continue
      const kind = name === 'img' ? 'image' : name === 'form' ? 'form' : 'element-src'
      add(kind, c, p.value, [])
    }
  }

  /** `$('<img>').attr('src', url)`: a URL given to an element jQuery just made from markup. */
  function addMadeElementAttr(c: CallFact): void {
    const key = c.layer.folder.foldString(c.args[0] as Node)
    if (!key || !/^(src|href|action)$/i.test(key)) return
    const made = madeElement((calleeOf(c.node) as AnyNode & { object?: AnyNode }).object, c.layer)
    const name = made?.arguments[0] && madeTag(made.arguments[0] as AnyNode, c.layer)
    if (!name) return
    add(name === 'img' ? 'image' : name === 'form' ? 'form' : 'element-src', c, c.args[1], [])
  }

  function isMethod(c: CallFact): boolean {
    const m = c.args[0] ? c.layer.folder.foldString(c.args[0]) : undefined
    return m !== undefined && METHOD.test(m)
  }

  function addAssigned(c: CallFact): void {
    const tag = madeTag(
      initialValue(c.args[0] as AnyNode, c.layer) ?? (c.args[0] as AnyNode),
      c.layer,
    )
    if (tag === undefined) return
    for (const arg of c.args.slice(1)) {
      const props =
        (arg as AnyNode).type === 'ObjectExpression'
          ? (arg as AnyNode & { type: 'ObjectExpression' }).properties
          : []
      for (const p of props) {
        if (p.type !== 'Property' || p.computed) continue
        const key = keyName(p.key as AnyNode)
        if (fetchesBy(key) || (key === 'href' && tag === 'link'))
          add(tag === 'img' ? 'image' : 'element-src', c, p.value as Node, [])
      }
    }
  }

  function addJquery(c: CallFact): void {
    // the settings object, written in place or held by a name (`var opts = {…}; $.ajax(opts)`)
    const given = c.args[0] as AnyNode | undefined
    const held = c.name === 'ajax' ? initialValue(given, c.layer) : undefined
    // only when the literal says where: settings whose url is written in later stay the name
    const first =
      held?.type === 'ObjectExpression' && propertyValue(held, 'url') !== undefined ? held : given
    if (c.name === 'ajax' && first?.type === 'ObjectExpression') {
      const prop = (key: string): Node | undefined => {
        for (const p of first.properties) {
          if (p.type !== 'Property') continue
          const k = p.key as AnyNode
          if (
            (k.type === 'Identifier' && k.name === key) ||
            (k.type === 'Literal' && k.value === key)
          )
            return p.value
        }
        return undefined
      }
      const data = prop('data')
      add('jquery-ajax', c, prop('url'), data ? [data] : [])
    } else add('jquery-ajax', c, first, c.args.slice(1, 2))
  }
}

/** Tag and pixel functions called bare: gtag.js, analytics.js, Meta, TikTok, Pinterest, Snap, X, Reddit */
const TAG_FUNCTIONS = /^(gtag|ga|fbq|ttq|pintrk|snaptr|twq|rdt|_satellite)$/
/** Command queues tag libraries read (`dataLayer.push`, Matomo's `_paq`, HubSpot's `_hsq`, Bing's `uetq`) */
const TAG_QUEUES = /(^|\.)(dataLayer|_gaq|_paq|_hsq|uetq|_learnq|_kmq|_qevents|_tfa)$/
/** Tracker objects and the methods that report an event or a person */
const TRACKERS = /(^|\.)(analytics|mixpanel|amplitude|heap|posthog|ttq|woopra|klaviyo)$/
const TRACKING = /^(track|identify|capture|logEvent|trackCustom|push|register|set_config)$/

/** A call that hands its arguments to an analytics or tag library, which sends them on. */
function analyticsCall(c: CallFact): boolean {
  if (c.isNew || c.args.length === 0) return false
  if ((c.object === '' || GLOBAL_OBJECTS.has(c.object)) && TAG_FUNCTIONS.test(c.name)) return true
  if (c.name === 'push' && TAG_QUEUES.test(c.object)) return true
  return TRACKING.test(c.name) && TRACKERS.test(c.object)
}

/**
 * Calls to analytics and tag libraries, as sinks of their own: the library sends what it is
 * given to its vendor, for the property or pixel the call names, never to the shop. Kept apart
 * from the page's requests: every checkout reports its steps, so only the card rule asks, and
 * only whether card values go in.
 */
export function analyticsSinks(facts: ScriptFacts): Sink[] {
  return facts.calls.filter(analyticsCall).map((c) => ({
    kind: 'analytics',
    url: undefined,
    urlText: undefined,
    data: c.args,
    destination: 'external',
    constant: false,
    site: c.site,
    layer: c.layer,
  }))
}

/**
 * `'https://' + hex(fields) + '.zone.example'`: a host name made of what was typed goes to
 * whoever answers DNS for it, never to the page's own origin (`location.host` is no field).
 */
function hostFromFields(urlText: string | undefined, url: Node, layer: Layer): boolean {
  // a helper's parameter (`hint(origin)`): what its callers pass
  const made = urlText === undefined ? layer.valuesOf(url) : [url]
  return made.some((u) => {
    const text = u === url ? urlText : layer.leadingString(u)
    if (text === undefined || !/^([a-z][a-z0-9+.-]*:)?\/\/$/i.test(text)) return false
    const t = layer.taint(u)
    return t.has('value') || t.has('harvest') || t.has('card') || t.has('formdata')
  })
}

const CSS_URL_OPEN = /^\s*url\(\s*['"]?/i

/** An element's address in markup: `action="https://…"`, `src=//host/…` */
const MARKUP_ADDRESS =
  /\b(src|action|href|data|formaction)\s*=\s*["']?\s*((?:https?:)?\/\/[a-z0-9-]+(?:\.[a-z0-9-]+)+[^"'\s>]*)/i
const MARKUP_VALUES = 8
const MARKUP_PROPS = new Set(['innerHTML', 'outerHTML'])
/** An element that fetches as markup is parsed, and its address: `<img src="https://…"` */
const MARKUP_FETCH =
  /<(img|iframe|frame|link|source|video|audio|input|embed|object)\b[^<>]{0,400}?\s(src|srcset|href|data|poster)\s*=\s*["']?\s*([^"'\s>]*)/i
/** where markupTexts left out a part it could not read */
const UNKNOWN_PART = '\u0000'

/**
 * The texts markup is built from, as far as they are known: a concatenation's folded parts
 * joined (what is not known left out), a name's values, a local function's returns.
 */
function markupTexts(layer: Layer, n: Node, depth: number): string[] {
  const x = n as AnyNode
  if (depth > 3) return []
  if (x.type === 'Identifier')
    return layer
      .valuesOf(x)
      .slice(0, MARKUP_VALUES)
      .flatMap((v) => (v === x ? [] : markupTexts(layer, v, depth + 1)))
  if (x.type === 'CallExpression' && x.callee.type === 'Identifier') {
    const fn = layer.functionOf(x.callee)
    return fn
      ? returnsOf(fn)
          .slice(0, MARKUP_VALUES)
          .flatMap((r) => markupTexts(layer, r, depth + 1))
      : []
  }
  if (x.type === 'BinaryExpression' && x.operator === '+') {
    const parts: string[] = []
    // what a part may hold when it holds several texts: each is searched on its own
    const apart: string[] = []
    const flat = (p: AnyNode): void => {
      if (
        p.type === 'BinaryExpression' &&
        p.operator === '+' &&
        layer.folder.foldString(p) === undefined
      ) {
        flat(p.left as AnyNode)
        flat(p.right as AnyNode)
        return
      }
      // a name or a call in the chain: what it holds, when that is one text
      const known = layer.folder.foldString(p)
      const inner = known === undefined ? markupTexts(layer, p, depth + 1) : [known]
      if (inner.length === 1) parts.push(inner[0] as string)
      else {
        parts.push(UNKNOWN_PART)
        apart.push(...inner)
      }
    }
    flat(x)
    return [parts.join(''), ...apart]
  }
  const whole = layer.folder.foldString(x) ?? layer.leadingString(x)
  return whole === undefined ? [] : [whole]
}

/** The address of a CSS source, `url(https://…) format(…)`: what a FontFace loads, not font bytes. */
function cssAddress(layer: Layer, n: Node): string | undefined {
  const text = layer.leadingString(n)
  return text !== undefined && CSS_URL_OPEN.test(text) ? text.replace(CSS_URL_OPEN, '') : undefined
}

/** The tag of markup that makes an element which fetches its URL: `<img/>`, `<iframe …>`. */
const tagOf = (markup: string | undefined): string | undefined =>
  /^\s*<\s*(img|iframe|script|link|form)\b/i.exec(markup ?? '')?.[1]?.toLowerCase()

/**
 * The call a jQuery-style chain starts from: `$('<img>').css(…)`, or a name that only ever holds
 * one (`var px = $('<img>'); …; px.attr('src', u)`).
 */
function madeElement(
  start: AnyNode | undefined,
  layer: Layer,
): (AnyNode & { type: 'CallExpression' }) | undefined {
  let made = start
  for (let hops = 0; made && hops < 4; hops++) {
    while (made?.type === 'CallExpression' && made.callee.type === 'MemberExpression')
      made = made.callee.object as AnyNode
    if (made?.type !== 'Identifier') break
    made = layer.initOf(made) as AnyNode | undefined
  }
  return made?.type === 'CallExpression' ? made : undefined
}

/**
 * The tag of the element an assignment writes to, when the script made it under a name given
 * nothing else: `var a; (a = document.createElement('img')).width = 1; a.src = u`, `var p = new
 * Image()`. What a minifier names the element says nothing of what it is.
 */
function elementTag(a: AssignFact): string | undefined {
  const made = madeBy(a)
  return made ? madeTag(made, a.layer) : undefined
}

/** An object literal with a property of that name, written as a name or a string. */
/** The call or `new` that made the element an assignment writes to, followed through names. */
export function madeBy(a: AssignFact): AnyNode | undefined {
  const node = a.node as AnyNode
  const left = node.type === 'AssignmentExpression' ? (node.left as AnyNode) : undefined
  const made = initialValue(
    (a.receiver ?? (left?.type === 'MemberExpression' ? left.object : undefined)) as
      AnyNode | undefined,
    a.layer,
  )
  return made && (made.type === 'CallExpression' || made.type === 'NewExpression')
    ? made
    : undefined
}

const CONTROL_TAGS = new Set(['input', 'textarea', 'select', 'option'])

/**
 * What the script writes into form controls it makes (`i = createElement('input'); i.value = v`,
 * `i.setAttribute('value', v)`): what a form holding them sends when it is submitted.
 */
function controlValues(facts: ScriptFacts): { node: Node; layer: Layer }[] {
  const control = (made: AnyNode | undefined, layer: Layer): boolean =>
    CONTROL_TAGS.has(createdTag(made, layer) ?? '')
  const out: { node: Node; layer: Layer }[] = []
  for (const a of facts.assigns)
    if (a.target === 'value' && a.value && control(madeBy(a), a.layer))
      out.push({ node: a.value, layer: a.layer })
  for (const c of facts.calls)
    if (
      c.name === 'setAttribute' &&
      c.args[1] &&
      c.args[0] &&
      c.layer.folder.foldString(c.args[0])?.toLowerCase() === 'value' &&
      control(initialValue(memberOwner(c.node), c.layer), c.layer)
    )
      out.push({ node: c.args[1], layer: c.layer })
  return out
}

const FETCHING_TAGS = new Set(['img', 'iframe', 'script', 'link', 'form'])
/** `document.write`, a frame's `contentDocument.write`: markup, not a stream writer. */
const DOCUMENTS = /(^|\.)(document|contentDocument|ownerDocument)$/

/**
 * What a method is called on, as one key per object: a name's single value (`var q = new R()`:
 * the same wherever `q` is read; a name with no single value, a parameter, has none), or the
 * spelled path of a member (`r.req`) within one layer.
 */
export function receiverOf(c: CallFact): Node | string | undefined {
  const callee = (c.node as AnyNode & { callee?: AnyNode }).callee
  if (callee?.type !== 'MemberExpression') return undefined
  const obj = callee.object as AnyNode
  if (obj.type === 'Identifier') return c.layer.initOf(obj)
  return `${c.layer.depth}:${c.object}`
}
/** Elements that fetch their source as an image does: a GET whose answer the page never reads. */
const MEDIA_TAGS = new Set(['audio', 'video', 'source', 'track'])

/** `t = document.createElement('track'); t.src = url`: a media element's source. */
function mediaElement(a: AssignFact): boolean {
  return MEDIA_TAGS.has(createdTag(madeBy(a), a.layer) ?? '')
}

/** The tag `x.createElement(tag)` makes, lower case; undefined for any other expression. */
function createdTag(made: AnyNode | undefined, layer: Layer): string | undefined {
  if (made?.type !== 'CallExpression' || made.callee.type !== 'MemberExpression') return undefined
  if (propertyName(made.callee) !== 'createElement' || !made.arguments[0]) return undefined
  return layer.folder.foldString(made.arguments[0])?.trim().toLowerCase()
}

/** What a call's method or an assignment's member is on: `a` of `a.setAttribute(…)`, `a.ping = …`. */
function memberOwner(node: Node): AnyNode | undefined {
  const n = node as AnyNode
  const target =
    n.type === 'CallExpression' ? n.callee : n.type === 'AssignmentExpression' ? n.left : undefined
  return target?.type === 'MemberExpression' ? (target.object as AnyNode) : undefined
}

/** What a name was first given, followed through names (`var l = a; var a = make()`). */
function initialValue(node: AnyNode | undefined, layer: Layer): AnyNode | undefined {
  let made = node
  for (let hops = 0; made?.type === 'Identifier' && hops < 4; hops++)
    made = layer.initOf(made) as AnyNode | undefined
  return made
}

/** A link the script makes (`createElement('a')`, `'area'`), followed through names. */
function madeLink(obj: AnyNode | undefined, layer: Layer): boolean {
  const tag = createdTag(initialValue(obj, layer), layer)
  return tag === 'a' || tag === 'area'
}

/** The element a jQuery wrapper is given: markup, `document.createElement(tag)`, `new Image()`. */
function madeTag(arg: AnyNode, layer: Layer): string | undefined {
  if (arg.type === 'NewExpression' && arg.callee.type === 'Identifier')
    return arg.callee.name === 'Image' ? 'img' : undefined
  if (arg.type === 'CallExpression' && arg.callee.type === 'MemberExpression') {
    const tag = createdTag(arg, layer)
    return tag && FETCHING_TAGS.has(tag) ? tag : undefined
  }
  return tagOf(layer.folder.foldString(arg))
}

/** Where a URL (or its constant prefix) points, relative to the page and to the script itself. */
export function destination(urlText: string | undefined, ctx: AnalyzeContext): Destination {
  if (urlText === undefined || urlText === '') return 'unknown'
  const host = hostOf(urlText)
  if (!host) {
    if (/^(\/[^/]|\.{0,2}\/?[\w-]+(\/|\.php|\?|$))/.test(urlText)) return 'same-origin'
    return 'unknown'
  }
  const page = ctx.pageUrl ? hostOf(ctx.pageUrl) : undefined
  if (page && registrable(page) === registrable(host)) return 'same-origin'
  const own = ctx.url ? hostOf(ctx.url) : undefined
  if (own && registrable(own) === registrable(host)) return 'own-host'
  return 'external'
}
