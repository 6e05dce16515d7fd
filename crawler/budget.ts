// Per-page limits (bytes, requests, DOM size, redirects) and the visit's time budget, watched live.
import type { CDPSession, Page } from 'playwright'

export interface Budgets {
  /** bytes received for one page (encoded, as on the wire), its subresources included */
  bytes: number
  /** requests one page may start */
  requests: number
  /** elements in one page's DOM, counted after load */
  domNodes: number
  /** HTTP redirects in one navigation chain */
  redirects: number
}

const MB = 1024 * 1024

/** Roomy for a real shop page (a heavy Magento home page is ~5 MB and ~200 requests). */
export const DEFAULT_BUDGETS: Budgets = {
  bytes: 20 * MB,
  requests: 300,
  domNodes: 50_000,
  // Chromium gives up at 20 itself; a real shop needs three or four (http → https → www → locale).
  redirects: 10,
}

export class BudgetExceeded extends Error {
  override name = 'BudgetExceeded'
}

export interface BudgetMonitor {
  /** Rejects with BudgetExceeded the moment a budget breaks; never resolves. */
  readonly broken: Promise<never>
  /** Why the visit stopped, or null while every budget holds. */
  reason(): string | null
  /** The time budget's reason, for steps that ran out of time on their own. */
  timeReason(): string
  /** Counts the DOM's elements now, bounded; breaks the DOM budget when there are too many. */
  checkDom(): Promise<void>
  stop(): void
}

interface RequestWillBeSent {
  requestId: string
  loaderId: string
  frameId?: string
  type?: string
  request: { url: string }
  redirectResponse?: unknown
}
interface DataReceived {
  requestId: string
  dataLength: number
  encodedDataLength: number
}
interface LoadingFinished {
  requestId: string
  encodedDataLength: number
}

const DOM_CHECK_MS = 1000
const size = (n: number) => (n >= MB ? `${Number((n / MB).toFixed(1))} MB` : `${n} bytes`)

/** Call before Network.enable so no request is missed. */
export function watchBudgets(
  page: Page,
  cdp: CDPSession,
  opts: { timeoutMs: number; budgets?: Partial<Budgets> | undefined },
): BudgetMonitor {
  const limits: Budgets = { ...DEFAULT_BUDGETS, ...opts.budgets }
  let reason: string | null = null
  let fail: (err: BudgetExceeded) => void = () => undefined
  const broken = new Promise<never>((_, reject) => {
    fail = reject
  })
  broken.catch(() => undefined)

  let mainFrame: string | undefined
  let loading = page.url()
  let requests = 0
  let redirects = 0
  let bytes = 0
  const counted = new Map<string, number>()

  function stopLoading() {
    // Offline first: whatever the page still starts fails at once instead of piling up.
    void cdp
      .send('Network.emulateNetworkConditions', {
        offline: true,
        latency: 0,
        downloadThroughput: -1,
        uploadThroughput: -1,
      })
      .catch(() => undefined)
    void cdp.send('Page.stopLoading').catch(() => undefined)
  }

  function trip(why: string) {
    if (reason !== null) return
    reason = why
    clearTimeout(timer)
    stopLoading()
    fail(new BudgetExceeded(why))
  }

  const timeReason = () => `time budget of ${opts.timeoutMs} ms exceeded while loading ${loading}`
  const timer = setTimeout(() => trip(timeReason()), opts.timeoutMs)

  cdp.on('Network.requestWillBeSent', (raw) => {
    const e = raw as RequestWillBeSent
    if (e.request.url.startsWith('data:')) return
    const isDocument = e.type === 'Document' && e.requestId === e.loaderId
    mainFrame ??= isDocument ? e.frameId : undefined
    if (isDocument && e.frameId === mainFrame) {
      loading = e.request.url
      if (e.redirectResponse === undefined) {
        // A new page: its own requests, bytes and redirects.
        requests = 0
        bytes = 0
        redirects = 0
      } else if (++redirects > limits.redirects) {
        return trip(
          `redirected more than ${limits.redirects} times (redirect budget) at ${e.request.url}`,
        )
      }
    }
    if (++requests > limits.requests)
      trip(`more than ${limits.requests} requests (request budget) on ${loading}`)
  })

  const addBytes = (requestId: string, n: number) => {
    counted.set(requestId, (counted.get(requestId) ?? 0) + n)
    bytes += n
    if (bytes > limits.bytes)
      trip(`page larger than ${size(limits.bytes)} (response bytes budget) at ${loading}`)
  }
  cdp.on('Network.dataReceived', (raw) => {
    const e = raw as DataReceived
    // Chromium often reports the encoded length only at the end; the decoded one bounds it meanwhile.
    addBytes(e.requestId, e.encodedDataLength > 0 ? e.encodedDataLength : e.dataLength)
  })
  cdp.on('Network.loadingFinished', (raw) => {
    const e = raw as LoadingFinished
    const seen = counted.get(e.requestId) ?? 0
    counted.delete(e.requestId)
    if (e.encodedDataLength > seen) addBytes(e.requestId, e.encodedDataLength - seen)
  })

  /** Counts elements in an isolated world: native, fast, and page scripts cannot fake the answer. */
  async function countElements(): Promise<number> {
    if (mainFrame === undefined) return 0
    const world = (await cdp.send('Page.createIsolatedWorld', {
      frameId: mainFrame,
      worldName: 'skimwatch-budget',
    })) as { executionContextId: number }
    const { result } = (await cdp.send('Runtime.evaluate', {
      expression: 'document.getElementsByTagName("*").length',
      contextId: world.executionContextId,
      returnByValue: true,
    })) as { result: { value?: unknown } }
    return typeof result.value === 'number' ? result.value : 0
  }

  async function checkDom(): Promise<void> {
    if (reason !== null) return
    let timeout: NodeJS.Timeout | undefined
    const count = await Promise.race([
      countElements().catch(() => 0),
      new Promise<number>((r) => {
        timeout = setTimeout(() => r(0), DOM_CHECK_MS)
      }),
    ])
    clearTimeout(timeout)
    if (count > limits.domNodes)
      trip(`DOM larger than ${limits.domNodes} nodes (${count} elements) on ${page.url()}`)
  }
  page.on('load', () => void checkDom())
  // V8 pauses a page at its heap limit (and would raise the limit if resumed): it is crashed instead.
  cdp.on('Debugger.paused', (raw) => {
    if ((raw as { reason?: string }).reason !== 'OOM') {
      void cdp.send('Debugger.resume').catch(() => undefined)
      return
    }
    trip(`the page ran out of memory (heap limit) on ${page.url()}; its renderer was stopped`)
    void cdp.send('Page.crash').catch(() => undefined)
  })
  page.on('crash', () => trip(`the page's renderer crashed on ${page.url()}`))

  return {
    broken,
    reason: () => reason,
    timeReason,
    checkDom,
    stop: () => clearTimeout(timer),
  }
}
