// Captures every script V8 compiles in the page's default worlds, via the CDP Debugger domain.
import type { CDPSession } from 'playwright'
import { sha256 } from '../core/hash.ts'
import type { CapturedScript, ScriptKind } from '../core/types.ts'
import { INIT_SCRIPT_URL } from './init-script.ts'

export const MAX_SCRIPT_BYTES = 5 * 1024 * 1024
const MAX_SCRIPTS = 2000
// Playwright's serviceWorkers: 'block' init script runs in the main world without a URL.
const PLAYWRIGHT_SW_BLOCK = 'Service Worker registration blocked by Playwright'
// Playwright's own helpers, evaluated in the main world by some actions, carry no URL or stack.
const PLAYWRIGHT_SOURCE =
  /^\s*(\(\(\) => \{\s*(\(\(\) => \{\s*)?const module = \{\}|\(\(utilityScript, \.\.\.args\) => utilityScript\.evaluate)/
export const INTERNAL_URL =
  /^(__playwright|__puppeteer|chrome-extension:|chrome:|devtools:|extensions::)/
// Code Playwright evaluates in the page, whole: clock ticks, binding calls, socket dispatch.
const PLAYWRIGHT_CALL = [
  /^\(\(\) => \{\s*globalThis\.__pwClock\.controller\.[a-zA-Z]+\((?:'[a-zA-Z]+'|[\d.]+)(?:, ?[\d.]+)*\)\s*\}\)\(\);?\s*$/,
  /^\(\(\) => \{\s*globalThis\['__playwright__binding__controller__'\]\.addBinding\("[\w$]+", (?:true|false)\)\s*\}\)\(\);?\s*$/,
  /^globalThis\.__pwClock\.controller\.[a-zA-Z]+\([\d.]*\)$/,
  /^arg => globalThis\['__playwright__binding__controller__'\]\.deliverBindingResult\(arg\)$/,
  /^globalThis\.__pwWebSocketDispatch\(\{"id":"[0-9a-f]+","type":"[a-zA-Z]+"[^\n]*\}\)$/,
]
export const isPlaywrightCall = (source: string) => PLAYWRIGHT_CALL.some((re) => re.test(source))

interface CallFrame {
  scriptId: string
}
export interface StackTrace {
  callFrames: CallFrame[]
  parent?: StackTrace
}

export interface ScriptParsed {
  scriptId: string
  url: string
  startLine: number
  startColumn: number
  executionContextAuxData?: { isDefault?: boolean; frameId?: string }
  stackTrace?: StackTrace
  scriptLanguage?: string
}

interface Pending {
  event: ScriptParsed
  pageUrl: string
  frameUrl: string
  sha: Promise<string | null>
}

export interface ScriptCollector {
  /** Code text a script turned into a script (`<script>` text, setTimeout string), with its stack. */
  noteCode(text: string, stack: StackTrace | undefined): void
  /** sha256 of the first page script on the stack, skipping our own init script. */
  attribute(stack: StackTrace | undefined): Promise<string | null>
  /** sha256 of every page script compiled so far, in order (late code shows as new ones). */
  compiled(): Promise<Set<string>>
  /** Captured scripts, deduplicated by sha256; `injectorOf` names who requested a script URL. */
  finish(injectorOf: (url: string) => Promise<string | null> | null): Promise<CapturedScript[]>
}

const stripHash = (u: string) => u.split('#')[0] ?? u

const escapeHtml = (t: string) =>
  t.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

/**
 * Event-handler attributes compile with the document's URL like inline scripts. Blink puts a
 * handler at the end of its start tag and an inline script at the start of its text.
 */
export function isHandler(html: string, at: ScriptParsed, source: string): boolean {
  if (html === '') return false
  const lines = html.split('\n')
  let offset = at.startColumn
  for (let i = 0; i < at.startLine && i < lines.length; i++) offset += (lines[i]?.length ?? 0) + 1
  const before = html.slice(Math.max(0, offset - 20_000), offset)
  if (/<script\b[^>]*>\s*$/i.test(before)) return false
  const head = source.slice(0, 200)
  for (const needle of [head, escapeHtml(head)]) {
    const at = before.lastIndexOf(needle)
    if (at >= 0 && /\son[a-z]+\s*=\s*["']?\s*$/i.test(before.slice(0, at))) return true
  }
  // Not in the served document at all: a handler attribute added later through the DOM.
  return !html.includes(head) && !html.includes(escapeHtml(head))
}

interface FrameNavigated {
  frame: { id: string; url: string; parentId?: string }
}

/** Call before Debugger.enable and Page.enable so no script or navigation is missed. */
export function collectScripts(cdp: CDPSession): ScriptCollector {
  const byId = new Map<string, Pending>()
  const sources = new Map<string, string>()
  const initIds = new Set<string>()
  // Tracked on this session so frame URLs are in order with scriptParsed events.
  const frameUrls = new Map<string, string>()
  let mainUrl = ''
  const documents = new Map<string, Promise<string>>()
  const codeParents = new Map<string, Promise<string | null>>()

  const docRequests = new Map<string, string>()
  cdp.on('Network.responseReceived', (raw) => {
    const { requestId, type, response } = raw as {
      requestId: string
      type: string
      response: { url: string }
    }
    if (type === 'Document') docRequests.set(requestId, stripHash(response.url))
  })
  cdp.on('Network.loadingFinished', (raw) => {
    const { requestId } = raw as { requestId: string }
    const url = docRequests.get(requestId)
    if (url === undefined || documents.has(url)) return
    // Fetched now: the body is gone once the page navigates on.
    const body = cdp
      .send('Network.getResponseBody', { requestId })
      .then((r) => (r.base64Encoded ? '' : r.body))
      .catch(() => '')
    documents.set(url, body)
  })

  cdp.on('Page.frameNavigated', (raw) => {
    const { frame } = raw as FrameNavigated
    frameUrls.set(frame.id, frame.url)
    if (frame.parentId === undefined) mainUrl = frame.url
  })

  cdp.on('Debugger.scriptParsed', (raw) => {
    const event = raw as ScriptParsed
    if (event.url === INIT_SCRIPT_URL) initIds.add(event.scriptId)
    if (event.executionContextAuxData?.isDefault === false) return
    if (INTERNAL_URL.test(event.url) || event.url === INIT_SCRIPT_URL) return
    if (event.scriptLanguage === 'WebAssembly' || byId.size >= MAX_SCRIPTS) return
    const sha = cdp
      .send('Debugger.getScriptSource', { scriptId: event.scriptId })
      .then(({ scriptSource }) => {
        if (scriptSource.trim() === '' || scriptSource.includes(PLAYWRIGHT_SW_BLOCK)) return null
        if (event.url === '' && isPlaywrightCall(scriptSource)) return null
        const hash = sha256(scriptSource)
        if (!sources.has(hash)) sources.set(hash, scriptSource.slice(0, MAX_SCRIPT_BYTES))
        return hash
      })
      .catch(() => null)
    const frameId = event.executionContextAuxData?.frameId ?? ''
    const frameUrl = frameUrls.get(frameId) ?? mainUrl
    byId.set(event.scriptId, { event, pageUrl: mainUrl || frameUrl, frameUrl, sha })
  })

  async function attribute(stack: StackTrace | undefined): Promise<string | null> {
    for (let s = stack; s !== undefined; s = s.parent) {
      for (const frame of s.callFrames) {
        if (initIds.has(frame.scriptId)) continue
        const found = await byId.get(frame.scriptId)?.sha
        // Playwright's clock runs page timers: its frames sit under the callbacks it calls.
        if (found && !PLAYWRIGHT_SOURCE.test(sources.get(found) ?? '')) return found
      }
    }
    return null
  }

  async function kindOf(p: Pending, injectorOf: (url: string) => Promise<string | null> | null) {
    const { url, stackTrace } = p.event
    const creator = stackTrace ? await attribute(stackTrace) : null
    const hash = await p.sha
    const noted = hash === null ? undefined : codeParents.get(hash)
    if (noted !== undefined) {
      const kind: ScriptKind = stackTrace ? 'injected' : 'eval'
      return { kind, url: null, parent: creator ?? (await noted) }
    }
    if (url === '') return { kind: 'eval' as ScriptKind, url: null, parent: creator }
    if (stripHash(url) === stripHash(p.frameUrl)) {
      if (creator !== null) return { kind: 'injected' as ScriptKind, url: null, parent: creator }
      const html = (await documents.get(stripHash(url))) ?? ''
      const kind: ScriptKind = isHandler(html, p.event, sources.get(hash ?? '') ?? '')
        ? 'handler'
        : 'inline'
      return { kind, url: null, parent: null }
    }
    const injector = await (injectorOf(url) ?? Promise.resolve(null))
    const kind: ScriptKind = injector === null ? 'external' : 'injected'
    return { kind, url, parent: injector }
  }

  async function finish(injectorOf: (url: string) => Promise<string | null> | null) {
    const out = new Map<string, CapturedScript>()
    const internal = new Set<string>()
    for (const [id, p] of byId) {
      const hash = await p.sha
      if (hash === null) continue
      const stack = p.event.stackTrace
      // Only the top frame: timer callbacks the clock calls have its frames further down.
      const fromInternal = internal.has(stack?.callFrames[0]?.scriptId ?? '')
      const helper = p.event.url === '' && !stack && PLAYWRIGHT_SOURCE.test(sources.get(hash) ?? '')
      if (fromInternal || helper) {
        internal.add(id)
        continue
      }
      if (out.has(hash)) continue
      const { kind, url, parent } = await kindOf(p, injectorOf)
      const script: CapturedScript = {
        sha256: hash,
        url,
        kind,
        source: sources.get(hash) ?? '',
        pageUrl: p.pageUrl,
      }
      if (parent !== null && parent !== hash) script.parentSha256 = parent
      out.set(hash, script)
    }
    return [...out.values()]
  }

  function noteCode(text: string, stack: StackTrace | undefined) {
    const hash = sha256(text)
    if (!codeParents.has(hash)) codeParents.set(hash, attribute(stack))
  }

  async function compiled(): Promise<Set<string>> {
    const all = await Promise.all([...byId.values()].map((p) => p.sha))
    const isPage = (h: string | null): h is string =>
      h !== null && !PLAYWRIGHT_SOURCE.test(sources.get(h) ?? '')
    return new Set(all.filter(isPage))
  }

  return { attribute, compiled, finish, noteCode }
}
