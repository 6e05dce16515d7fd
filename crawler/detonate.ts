// The detonation chamber: one script, run alone on synthetic checkouts served from memory, with
// the honeypot card typed in and every request answered locally. One warm Chromium per chamber,
// relaunched when it dies; a fresh context per detonation. It observes; the detector judges.
import { chromium, type Browser } from 'playwright'
import { BrowserUnavailableError, SkimwatchError } from '../core/errors.ts'
import { sha256 } from '../core/hash.ts'
import type { Observation } from '../core/types.ts'
import { chromiumArgs, findChromium } from './launch.ts'
import { OBSERVE_INIT_SCRIPT } from './init-script.ts'
import { assetSources, jquerySource } from './chamber/assets.ts'
import { STEPS } from './chamber/drive.ts'
import type { ResponseMap } from './chamber/network.ts'
import { SUCCESS, VARIANTS } from './chamber/pages.ts'
import { isolatedExecutable, type Isolation } from './chamber/isolate.ts'
import { BrowserGoneEarly, detonateOn, HEAP_LIMIT_MB, type DetonateInput } from './chamber/run.ts'

/**
 * Changes whenever what a sample sees or what is recorded changes: part of the observation
 * cache key. The hash follows the page, assets and steps; the leading number is raised by
 * hand when the recording itself changes (2: code handed over as text is kept unrun too;
 * 3: an HTML sample goes into the page as markup; 4: checkouts at the page's own origin,
 * requests waited for before moving on, base64 written backwards read as the card; 5: compressed
 * bodies inflated, page-set headers read, http senders let through, focus kept on a typed card).
 */
export const CHAMBER_VERSION = `5.${sha256(
  [
    OBSERVE_INIT_SCRIPT,
    ...[...VARIANTS, SUCCESS].map((v) => `${v.url}\n${v.html}`),
    ...assetSources(),
    JSON.stringify(STEPS),
  ].join('\n'),
).slice(0, 12)}`

// six checkouts and the order confirmation, each played through a minute of page time
export const DEFAULT_TIME_BUDGET_MS = 35_000
const LAUNCH_MS = 30_000
/** Past the budget, a detonation whose browser stopped answering is given up on. */
const HARD_STOP_MS = 3000

export interface ChamberOptions {
  executablePath?: string
  /** wall time for one detonation, all pages included */
  timeBudgetMs?: number
  /** bodies to serve for exact URLs (a payload-carrying image, a second stage), else stand-ins */
  responses?: ResponseMap
}

export interface DetonateOptions {
  /** where the script was served from; a local address when unknown */
  url?: string | null
  /** the source is an HTML fragment (a CMS block): put in the page as markup */
  html?: boolean
  /**
   * the page the script was seen on: the synthetic checkouts are served at its origin, so a
   * payload keyed to the shop's host name unlocks as it did there
   */
  pageUrl?: string | null
}

export interface Chamber {
  /** Safe to call concurrently; resolves within the time budget plus a few seconds, never throws for the sample. */
  detonate(source: string, opts?: DetonateOptions): Promise<Observation>
  close(): Promise<void>
  /** What keeps the browser off the network besides answering every request locally. */
  readonly isolation: Isolation
}

/** Chromium flags that leave no way out: every name fails to resolve, every socket goes to a dead proxy. */
export const NO_NETWORK_ARGS = [
  '--host-resolver-rules=MAP * ~NOTFOUND',
  '--proxy-server=http://no-network.invalid:9',
  // Without this, loopback addresses skip the proxy.
  '--proxy-bypass-list=<-loopback>',
  // WebRTC may send UDP only through that proxy, so no STUN or TURN packet leaves either.
  '--webrtc-ip-handling-policy=disable_non_proxied_udp',
  '--disable-quic',
  '--disable-domain-reliability',
]

/** A sample that allocates until it dies takes one small renderer with it, not the machine. */
const HEAP_ARGS = [`--js-flags=--max-old-space-size=${HEAP_LIMIT_MB}`]

function stopped(source: string, reason: string): Observation {
  return {
    sha256: sha256(source),
    chamberVersion: CHAMBER_VERSION,
    status: 'error',
    reason,
    pages: [],
    reads: [],
    listeners: [],
    requests: [],
    injected: [],
    compiled: [],
    storage: [],
    probes: [],
  }
}

/** Starts the chamber's browser now, so a missing Chromium or jQuery is reported up front. */
export async function createChamber(opts: ChamberOptions = {}): Promise<Chamber> {
  jquerySource()
  const isolated = isolatedExecutable(findChromium(opts.executablePath))
  const { path: executablePath, isolation } = isolated
  const args = [
    ...chromiumArgs({ allowPrivate: false, resolve: [], timeoutMs: 0 }),
    ...NO_NETWORK_ARGS,
    ...HEAP_ARGS,
    // An http:// sender on the https checkout is blocked before any route sees it, as on a real
    // https shop; on an http shop it works. Every request is answered here anyway, so it is let
    // through and recorded: the attempt is what is judged.
    '--allow-running-insecure-content',
  ]
  const launch = () =>
    chromium
      .launch({ executablePath, headless: true, args, timeout: LAUNCH_MS })
      .catch((err: unknown) => {
        const first = err instanceof Error ? (err.message.split('\n')[0] ?? '') : String(err)
        throw new BrowserUnavailableError(
          `cannot start the detonation chamber's Chromium (${executablePath}): ${first}`,
        )
      })
  const timeBudgetMs = opts.timeBudgetMs ?? DEFAULT_TIME_BUDGET_MS
  const responses = opts.responses ?? {}
  let current: Promise<Browser> = Promise.resolve(
    await launch().catch((err: unknown) => {
      isolated.cleanup()
      throw err
    }),
  )
  let closed = false

  async function liveBrowser(): Promise<Browser> {
    const seen = current
    const browser = await seen.catch(() => null)
    if (browser?.isConnected()) return browser
    if (current === seen) current = launch()
    return current
  }

  function failed(source: string, browser: Browser, err: unknown): Observation {
    const message = err instanceof Error ? (err.message.split('\n')[0] ?? '') : String(err)
    return stopped(
      source,
      browser.isConnected()
        ? `the chamber failed: ${message}`
        : 'the browser died during the detonation; it is relaunched for the next one',
    )
  }

  async function attempt(input: DetonateInput): Promise<Observation> {
    const browser = await liveBrowser()
    try {
      return await detonateOn(browser, input)
    } catch (err) {
      if (!(err instanceof BrowserGoneEarly)) return failed(input.source, browser, err)
      // It died since the last detonation yet still looked connected: once more on a new one.
      await browser.close().catch(() => undefined)
      const next = await liveBrowser()
      return detonateOn(next, input).catch((e: unknown) => failed(input.source, next, e))
    }
  }

  async function detonate(source: string, o: DetonateOptions = {}): Promise<Observation> {
    if (closed) throw new SkimwatchError('the detonation chamber is closed')
    const input: DetonateInput = {
      source,
      url: o.url ?? null,
      html: o.html === true,
      pageUrl: o.pageUrl ?? null,
      timeBudgetMs,
      responses,
      chamberVersion: CHAMBER_VERSION,
    }
    let timer: NodeJS.Timeout | undefined
    const hung = new Promise<Observation>((resolve) => {
      timer = setTimeout(() => {
        // The browser itself stopped answering: drop it, the next detonation starts a new one.
        void current.then((b) => b.close()).catch(() => undefined)
        resolve(
          stopped(source, `the browser stopped answering for ${timeBudgetMs} ms; it was restarted`),
        )
      }, timeBudgetMs + HARD_STOP_MS)
    })
    try {
      return await Promise.race([attempt(input), hung])
    } finally {
      clearTimeout(timer)
    }
  }

  async function close(): Promise<void> {
    closed = true
    const browser = await current.catch(() => null)
    await browser?.close().catch(() => undefined)
    isolated.cleanup()
  }

  return { detonate, close, isolation }
}
