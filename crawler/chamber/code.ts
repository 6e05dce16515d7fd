// Which code on a chamber page is ours and which is the sample's, and what the sample compiled.
// Everything parsed before the sample is ours (the page, jQuery, Playwright's clock and
// WebSocket stand-ins, our init script); after it, only code the sample made is new — except
// Playwright's same scripts again in frames the sample creates (known by their sha256) and its
// small per-call evaluations (known by their exact shape).
import type { CDPSession } from 'playwright'
import { sha256 } from '../../core/hash.ts'
import { INIT_SCRIPT_URL } from '../init-script.ts'
import { INTERNAL_URL, isPlaywrightCall } from '../scripts.ts'

const MAX_COMPILED = 300
const MAX_SOURCE = 1024 * 1024

export interface Frame {
  scriptId: string
  functionName?: string
}
export interface Stack {
  callFrames: Frame[]
  parent?: Stack
}

interface Parsed {
  scriptId: string
  url: string
  stackTrace?: Stack
  scriptLanguage?: string
  executionContextAuxData?: { isDefault?: boolean; frameId?: string }
}

export interface Compiled {
  how: string
  source: string
}

export interface CodeTracker {
  /** True once the sample has been compiled on the current page. */
  started(): boolean
  /** True when `stack` holds a frame of the sample or of code it made (an empty stack counts). */
  fromSample(stack: Stack | undefined): boolean
  /**
   * How the code text `text` was handed to the engine (script text, setTimeout…), from the
   * init script; `bySample` when the sample's own code handed it over.
   */
  noteCode(text: string, how: string, bySample: boolean): void
  /**
   * A new document in the main frame: the sample starts over. Called on its execution context,
   * which the renderer reports in order with its scripts (a navigation event may come later).
   */
  newDocument(): void
  /** The main frame's address now, for telling its handlers apart. */
  pageAt(url: string): void
  /** Code the sample made at run time, deduplicated by sha256. */
  compiled(): Promise<Compiled[]>
  /** Bumped whenever the sample compiles code not seen before, for "re-fill after late code". */
  activity(): number
}

const stripHash = (u: string) => u.split('#')[0] ?? u

function howOf(url: string, source: string, noted: string | undefined, pageUrl: string): string {
  if (noted !== undefined) return noted
  if (url === '') return source.startsWith('(function anonymous(') ? 'Function' : 'eval'
  if (stripHash(url) === stripHash(pageUrl)) return 'handler'
  if (/^(data|blob):/.test(url)) return 'script'
  return 'loaded'
}

/** Call before Debugger.enable so no script is missed. */
export function trackCode(
  cdp: CDPSession,
  sampleUrl: string,
  assetUrls: ReadonlySet<string>,
): CodeTracker {
  const ours = new Set<string>()
  const labels = new Map<string, string>()
  const made: Array<Promise<{ source: string; url: string; pageUrl: string } | null>> = []
  // Playwright's injected scripts, learned on each page before the sample runs.
  const playwright = new Set<string>()
  const learned: Array<Promise<void>> = []
  const sourceOf = (scriptId: string) =>
    cdp.send('Debugger.getScriptSource', { scriptId }).then((r) => r.scriptSource)
  let sampleOn = false
  let pageUrl = ''
  let bumps = 0
  const hashes = new Set<string>()
  // code the sample handed to the engine, kept even when its compilation is not seen (a timer
  // string run by the page clock, whose stack may read as ours)
  const handed = new Map<string, Compiled>()

  const isPlaywrightEval = (e: Parsed) => {
    const top = e.stackTrace?.callFrames[0]
    return top !== undefined && ours.has(top.scriptId) && top.functionName === 'evaluate'
  }

  cdp.on('Debugger.scriptParsed', (raw) => {
    const e = raw as Parsed
    if (e.url === sampleUrl && e.executionContextAuxData?.isDefault !== false) {
      sampleOn = true
      return
    }
    const isolated = e.executionContextAuxData?.isDefault === false
    const internal = e.url === INIT_SCRIPT_URL || INTERNAL_URL.test(e.url) || assetUrls.has(e.url)
    if (
      !sampleOn ||
      isolated ||
      internal ||
      (e.url === '' && !e.stackTrace) ||
      isPlaywrightEval(e)
    ) {
      ours.add(e.scriptId)
      if (!sampleOn && !isolated && e.url === '' && learned.length < 100) {
        const learn = (src: string) => void (isPlaywrightCall(src) || playwright.add(sha256(src)))
        learned.push(sourceOf(e.scriptId).then(learn, () => undefined))
      }
      return
    }
    if (e.scriptLanguage === 'WebAssembly' || made.length >= MAX_COMPILED) return
    const at = pageUrl
    made.push(
      sourceOf(e.scriptId)
        .then((scriptSource) => {
          const hash = sha256(scriptSource)
          if (isPlaywrightCall(scriptSource) || playwright.has(hash)) {
            ours.add(e.scriptId)
            return null
          }
          if (scriptSource.trim() === '') return null
          if (!hashes.has(hash)) bumps++
          hashes.add(hash)
          return { source: scriptSource.slice(0, MAX_SOURCE), url: e.url, pageUrl: at }
        })
        .catch(() => null),
    )
  })

  function fromSample(stack: Stack | undefined): boolean {
    if (!sampleOn) return false
    let frames = 0
    for (let s = stack; s !== undefined; s = s.parent) {
      for (const f of s.callFrames) {
        frames++
        if (!ours.has(f.scriptId)) return true
      }
    }
    // No stack at all: a mutation observer or an event with no script behind it but the sample's.
    return frames === 0
  }

  async function compiled(): Promise<Compiled[]> {
    const out = new Map<string, Compiled>()
    await Promise.all(learned)
    for (const item of await Promise.all(made)) {
      if (item === null) continue
      const hash = sha256(item.source)
      if (out.has(hash) || playwright.has(hash)) continue
      const how = howOf(item.url, item.source, labels.get(hash), item.pageUrl)
      out.set(hash, { how, source: item.source })
    }
    for (const [hash, item] of handed)
      if (!out.has(hash) && !playwright.has(hash) && out.size < MAX_COMPILED) out.set(hash, item)
    return [...out.values()]
  }

  return {
    started: () => sampleOn,
    fromSample,
    noteCode: (text, how, bySample) => {
      const hash = sha256(text)
      if (!labels.has(hash)) labels.set(hash, how)
      if (bySample && text.trim() !== '' && text.length <= MAX_SOURCE && handed.size < MAX_COMPILED)
        handed.set(hash, { how, source: text })
    },
    newDocument: () => {
      sampleOn = false
    },
    pageAt: (url) => {
      pageUrl = url
    },
    compiled,
    activity: () => bumps,
  }
}
