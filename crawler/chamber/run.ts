// One detonation: a fresh context, the sample on each synthetic checkout in turn (then on an
// order-confirmation page when it wrote to storage), a hard deadline, and the observation built from whatever was seen, also when it was cut off.
import type { Browser, BrowserContext, CDPSession, Page } from 'playwright'
import { sha256 } from '../../core/hash.ts'
import type { Observation, ObservedRequest } from '../../core/types.ts'
import { applyUserAgent, contextOptions, windowsUserAgent } from '../evasion.ts'
import { markSplitCard, matchExfilEncoded, type ExfilMatch } from '../exfil-match.ts'
import { matchedText } from '../request-text.ts'
import { CONTEXT_HYGIENE, guardContext } from '../hygiene.ts'
import { OBSERVE_INIT_SCRIPT } from '../init-script.ts'
import { trackCode, type CodeTracker } from './code.ts'
import { decodeEntities } from '../../detector/deobfuscate/decode.ts'
import { leave, runVariant, type Run } from './drive.ts'
import { answerLocally, MAX_BODY, type RawRequest, type ResponseMap } from './network.ts'
import { ASSET_URLS, originFor, rebase, successAt, variantsAt } from './pages.ts'
import { collectReports, type HintedRequest, type ReportLog } from './reports.ts'

/** The heap a chamber page may use; a sample that wants more is stopped. */
export const HEAP_LIMIT_MB = 256
/** Kept back from the budget for closing the context and gathering what was seen. */
const RESERVE_MS = 2500
const CLOSE_MS = 1000
const COLLECT_MS = 500
const PROBE_MS = 300

export interface DetonateInput {
  source: string
  url: string | null
  /** the source is HTML: it goes into the page as markup */
  html?: boolean
  /** the page the script was seen on: the checkouts are served at its origin */
  pageUrl?: string | null
  timeBudgetMs: number
  responses: ResponseMap
  chamberVersion: string
}

/** The browser was gone before the detonation could open its page: nothing ran, try again. */
export class BrowserGoneEarly extends Error {
  override name = 'BrowserGoneEarly'
}

type Outcome =
  { kind: 'done' } | { kind: 'crashed' } | { kind: 'late' } | { kind: 'failed'; error: unknown }

/** Where the sample is served: its own URL (https), unless that is one of our pages or scripts. */
function sampleUrlFor(url: string | null, sha: string, origin: string): string {
  const local = `${origin}/media/js/${sha.slice(0, 16)}.min.js`
  if (url === null || !/^https?:\/\//i.test(url)) return local
  try {
    // over https, as the https checkout would load it (an http script there would be blocked)
    const u = new URL(url)
    if (u.protocol === 'http:') {
      u.protocol = 'https:'
      u.port = ''
    }
    const href = u.href.split('#')[0] ?? url
    const ours = [
      ...Object.values(ASSET_URLS).map((u) => rebase(u, origin)),
      ...[...variantsAt(origin), successAt(origin)].flatMap((v) => [v.url, ...v.formActions]),
    ].map((u) => u.split('#')[0])
    return ours.includes(href) ? local : href
  } catch {
    return local
  }
}

/** The card looked for in the URL, the body and the headers the page set; a compressed body says so. */
function matched(r: RawRequest | HintedRequest): ExfilMatch & { encodings: string[] } {
  const m = matchExfilEncoded(r.url, matchedText(r.body, 'headers' in r ? r.headers : undefined))
  const compressed = 'compressed' in r ? r.compressed : undefined
  if (!compressed || !(m.carriesCard || m.carriesPersonal)) return m
  return { ...m, encodings: [compressed, ...m.encodings] }
}

function judge(raws: RawRequest[], hinted: HintedRequest[]): ObservedRequest[] {
  const all = [...raws, ...hinted].map((r) => ({
    ...matched(r),
    url: r.url,
    method: r.method,
    type: r.type,
    body: r.body === null ? null : r.body.slice(0, MAX_BODY),
    fullBody: r.body,
  }))
  const before = all.map((r) => r.carriesCard)
  // Split pieces are looked for in the whole body, like the card itself.
  const split = markSplitCard(all.map((r) => ({ ...r, body: r.fullBody })))
  return all.map(({ fullBody: _, ...r }, i) => {
    const card = split[i]?.carriesCard ?? r.carriesCard
    const encodings = card && !before[i] ? [...r.encodings, 'split' as const] : r.encodings
    return { ...r, carriesCard: card, encodings }
  })
}

async function bounded<T>(work: Promise<T>, ms: number): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<null>((r) => {
    timer = setTimeout(() => r(null), ms)
  })
  try {
    return await Promise.race([work.catch(() => null), late])
  } finally {
    clearTimeout(timer)
  }
}

/** Does the page's main thread still answer? A busy loop keeps even `1` from evaluating. */
async function responsive(cdp: CDPSession): Promise<boolean> {
  return (await bounded(cdp.send('Runtime.evaluate', { expression: '1' }), PROBE_MS)) !== null
}

interface Opened {
  context: BrowserContext
  page: Page
  cdp: CDPSession
  run: Run
  log: ReportLog
  code: CodeTracker
}

async function openPage(
  context: BrowserContext,
  browser: Browser,
  input: DetonateInput,
  sampleUrl: string,
  origin: string,
): Promise<Opened> {
  const started = Date.now()
  guardContext(context)
  // The clock goes first, so the init script's timer hooks wrap Playwright's fake timers.
  await context.clock.install({ time: started })
  await context.clock.pauseAt(started + 1000)
  await context.addInitScript({ content: OBSERVE_INIT_SCRIPT })
  const network = await answerLocally(
    context,
    { url: sampleUrl, source: input.source, html: input.html === true },
    input.responses,
    origin,
  )
  const page = await context.newPage()
  const cdp = await context.newCDPSession(page)
  const ours = Object.values(ASSET_URLS).map((u) => rebase(u, origin))
  const code = trackCode(cdp, sampleUrl, new Set(ours))
  const log = collectReports(cdp, code)
  network.watch(cdp)
  cdp.on('Page.frameNavigated', (e) => {
    const { frame } = e as { frame: { url: string; parentId?: string } }
    if (frame.parentId === undefined) code.pageAt(frame.url)
  })
  const { frameTree } = await cdp.send('Page.getFrameTree')
  cdp.on('Runtime.executionContextCreated', (e) => {
    const aux = (e as { context: { auxData?: { isDefault?: boolean; frameId?: string } } }).context
      .auxData
    if (aux?.isDefault === true && aux.frameId === frameTree.frame.id) code.newDocument()
  })
  await Promise.all([
    applyUserAgent(cdp, browser.version()),
    cdp.send('Page.enable'),
    cdp.send('Runtime.enable'),
    cdp.send('Network.enable'),
    cdp.send('Debugger.enable'),
    cdp.send('Debugger.setAsyncCallStackDepth', { maxDepth: 8 }),
  ])
  const deadline = started + input.timeBudgetMs - RESERVE_MS
  const run: Run = {
    page,
    cdp,
    network,
    activity: () => code.activity() + log.activity(),
    step: 'opening the page',
    pages: [],
    remaining: () => Math.max(1, deadline - Date.now()),
    stopped: false,
  }
  return { context, page, cdp, run, log, code }
}

/** A fresh context with the page set up; a browser found dead on the way is BrowserGoneEarly. */
async function open(
  browser: Browser,
  input: DetonateInput,
  sampleUrl: string,
  origin: string,
): Promise<Opened> {
  const gone = (err: unknown) => {
    const message = err instanceof Error ? err.message : String(err)
    return !browser.isConnected() || /has been closed/.test(message)
  }
  const context = await browser
    .newContext({ ...contextOptions(windowsUserAgent(browser.version())), ...CONTEXT_HYGIENE })
    .catch((err: unknown) => {
      throw gone(err) ? new BrowserGoneEarly() : err
    })
  try {
    return await openPage(context, browser, input, sampleUrl, origin)
  } catch (err) {
    await bounded(context.close(), CLOSE_MS)
    throw gone(err) ? new BrowserGoneEarly() : err
  }
}

/** Code the browser compiled straight from the markup: a script body, or a handler's body. */
function writtenIn(markup: string, code: string): boolean {
  const text = code.trim()
  if (text !== '' && markup.includes(text)) return true
  // a handler attribute compiles as `function onclick(event) {\n<body>\n}`
  const body = /^function\s+on\w*\s*\(event\)\s*\{([\s\S]*)\}$/.exec(text)?.[1]?.trim()
  return body !== undefined && body !== '' && (decodeEntities(markup) ?? markup).includes(body)
}

/** Detonates `input.source` on `browser`; never throws for what the sample does. */
export async function detonateOn(browser: Browser, input: DetonateInput): Promise<Observation> {
  const sha = sha256(input.source)
  const origin = originFor(input.pageUrl)
  const sampleUrl = sampleUrlFor(input.url, sha, origin)
  const { context, page, cdp, run, log, code } = await open(browser, input, sampleUrl, origin)

  const crashed = new Promise<Outcome>((r) => page.once('crash', () => r({ kind: 'crashed' })))
  const work = (async (): Promise<Outcome> => {
    const pageTime = { ms: 0 }
    for (const variant of variantsAt(origin)) await runVariant(run, variant, pageTime)
    // what was stashed at checkout may be sent only once the order is placed
    if (log.storage.length > 0) await runVariant(run, successAt(origin), pageTime)
    await leave(run)
    return { kind: 'done' }
  })().catch((error: unknown): Outcome => ({ kind: 'failed', error }))
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<Outcome>((r) => {
    timer = setTimeout(() => r({ kind: 'late' }), run.remaining())
  })
  const outcome = await Promise.race([work, crashed, late])
  clearTimeout(timer)
  run.stopped = true
  const step = run.step

  let status: Observation['status'] = 'ok'
  let reason: string | null = null
  if (outcome.kind === 'late') {
    status = 'budget'
    const stuck = !(await responsive(cdp))
    reason =
      `time budget of ${input.timeBudgetMs} ms exceeded while ${step}` +
      (stuck ? `: the page's main thread stopped answering (an endless loop or heavy work)` : '')
  } else if (outcome.kind === 'crashed') {
    status = 'error'
    reason = log.outOfMemory()
      ? `the page ran out of memory (${HEAP_LIMIT_MB} MB heap) while ${step}; it was crashed and stopped`
      : `the page crashed while ${step} (a renderer fault)`
  } else if (outcome.kind === 'failed') {
    status = 'error'
    const message = outcome.error instanceof Error ? outcome.error.message : String(outcome.error)
    reason = browser.isConnected()
      ? `${message.split('\n')[0] ?? message} (while ${step})`
      : `the browser died while ${step}; it is relaunched for the next detonation`
  }
  // Sources are read from a live page; a stuck or crashed one is closed first, so nothing waits.
  if (status !== 'ok') await bounded(context.close(), CLOSE_MS)
  const made = (await bounded(code.compiled(), COLLECT_MS)) ?? []
  // an HTML sample's own inline scripts and handlers were judged with the file: not run-time code
  const compiled =
    input.html === true ? made.filter((c) => !writtenIn(input.source, c.source)) : made
  if (status === 'ok') await bounded(context.close(), CLOSE_MS)

  return {
    sha256: sha,
    chamberVersion: input.chamberVersion,
    status,
    reason,
    // Copies: nothing that still arrives from the closing page may change a returned record.
    pages: [...run.pages],
    reads: [...log.reads],
    listeners: [...log.listeners],
    requests: judge(run.network.requests(), [...log.hinted]),
    injected: [...log.injected],
    compiled,
    storage: [...log.storage],
    probes: [...log.probes],
  }
}
