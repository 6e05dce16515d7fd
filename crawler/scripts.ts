// Captures every script V8 compiles in the page's default worlds, via the CDP Debugger domain.
import type { CDPSession } from 'playwright'
import { sha256 } from '../core/hash.ts'
import type { CapturedScript, ScriptKind } from '../core/types.ts'
import { INIT_SCRIPT_URL } from './init-script.ts'

export const MAX_SCRIPT_BYTES = 5 * 1024 * 1024
const MAX_SCRIPTS = 2000
// Playwright's serviceWorkers: 'block' init script runs in the main world without a URL.
const PLAYWRIGHT_SW_BLOCK = 'Service Worker registration blocked by Playwright'
const INTERNAL_URL = /^(__playwright|__puppeteer|chrome-extension:|chrome:|devtools:|extensions::)/

interface CallFrame {
  scriptId: string
}
export interface StackTrace {
  callFrames: CallFrame[]
  parent?: StackTrace
}

interface ScriptParsed {
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
  /** sha256 of the first page script on the stack, skipping our own init script. */
  attribute(stack: StackTrace | undefined): Promise<string | null>
  /** Captured scripts, deduplicated by sha256; `injectorOf` names who requested a script URL. */
  finish(injectorOf: (url: string) => Promise<string | null> | null): Promise<CapturedScript[]>
}

const stripHash = (u: string) => u.split('#')[0] ?? u

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
        if (found) return found
      }
    }
    return null
  }

  async function kindOf(p: Pending, injectorOf: (url: string) => Promise<string | null> | null) {
    const { url, stackTrace } = p.event
    const creator = stackTrace ? await attribute(stackTrace) : null
    if (url === '') return { kind: 'eval' as ScriptKind, url: null, parent: creator }
    if (stripHash(url) === stripHash(p.frameUrl)) {
      const kind: ScriptKind = creator === null ? 'inline' : 'injected'
      return { kind, url: null, parent: creator }
    }
    const injector = await (injectorOf(url) ?? Promise.resolve(null))
    const kind: ScriptKind = injector === null ? 'external' : 'injected'
    return { kind, url, parent: injector }
  }

  async function finish(injectorOf: (url: string) => Promise<string | null> | null) {
    const out = new Map<string, CapturedScript>()
    for (const p of byId.values()) {
      const hash = await p.sha
      if (hash === null || out.has(hash)) continue
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

  return { attribute, finish }
}
