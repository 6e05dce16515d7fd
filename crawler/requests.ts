// Records every request and WebSocket frame a page sends, tied to the script that sent it.
import type { CDPSession, Page, Request } from 'playwright'
import type { CapturedRequest, RequestType } from '../core/types.ts'
import { markSplitCard, matchExfil } from './exfil-match.ts'
import { matchedText, requestText } from './request-text.ts'
import type { StackTrace } from './scripts.ts'

export const MAX_REQUESTS = 2000
export const MAX_BODY = 4096
/** How much of a body (inflated, when compressed) the exfil matcher reads; the record keeps MAX_BODY. */
const MATCHED_BODY = 4 * MAX_BODY

interface Initiator {
  type: string
  stack?: StackTrace
}

interface Raw {
  url: string
  method: string
  type: RequestType
  body: string | null
  /** what the matcher reads after the URL when more than `body`: an inflated body, headers */
  text?: string | null
  /** attribution known when recorded (WebSocket frames, DOM links) */
  stack?: StackTrace | undefined
}

export interface RequestCollector {
  /** Records that the script on `stack` called a sink (Image src, fetch, …) with `url`. */
  noteSource(url: string, stack: StackTrace | undefined): void
  /** The script on `stack` sent a frame on the WebSocket to `url`. */
  noteWsSend(url: string, stack: StackTrace | undefined): void
  /** A dns-prefetch / preconnect link to `url` went into the DOM: data can leave in its host name. */
  noteLink(url: string, rel: string, stack: StackTrace | undefined): void
  finish(
    siteHost: string,
    attribute: (s: StackTrace | undefined) => Promise<string | null>,
  ): Promise<CapturedRequest[]>
  /** The initiator stack of the first request for `url`, for telling injected scripts apart. */
  initiatorOf(url: string): Initiator | null
}

function typeOf(req: Request): RequestType {
  switch (req.resourceType()) {
    case 'image':
      return 'image'
    case 'fetch':
      return 'fetch'
    case 'xhr':
      return 'xhr'
    case 'ping':
      return 'beacon'
    case 'script':
      return 'script'
    case 'websocket':
      return 'websocket'
    case 'document':
      return req.method() === 'POST' ? 'form' : 'document'
    default:
      return 'other'
  }
}

const bareHost = (h: string) => h.toLowerCase().replace(/^www\./, '')

/** First party: the site's own host or one of its subdomains. */
export function isThirdParty(siteHost: string, url: string): boolean {
  let host: string
  try {
    host = bareHost(new URL(url).hostname)
  } catch {
    return false
  }
  const site = bareHost(siteHost)
  return host !== site && !host.endsWith(`.${site}`)
}

const truncate = (s: string | null) => (s === null ? null : s.slice(0, MAX_BODY))

export function collectRequests(page: Page, cdp: CDPSession): RequestCollector {
  const raws: Raw[] = []
  const initiators = new Map<string, Initiator[]>()
  const wsInitiators = new Map<string, Initiator>()
  const firstInitiator = new Map<string, Initiator>()
  const sources = new Map<string, Array<StackTrace | undefined>>()
  const wsSenders = new Map<string, Array<StackTrace | undefined>>()
  const queue = (m: Map<string, Array<StackTrace | undefined>>, k: string, s?: StackTrace) => {
    const list = m.get(k) ?? []
    if (list.length < MAX_REQUESTS) list.push(s)
    m.set(k, list)
  }
  const push = (r: Raw) => {
    if (raws.length < MAX_REQUESTS) raws.push(r)
  }

  cdp.on('Network.requestWillBeSent', (e) => {
    const { request, initiator } = e as {
      request: { url: string; method: string }
      initiator: Initiator
    }
    const key = `${request.method} ${request.url}`
    const list = initiators.get(key) ?? []
    list.push(initiator)
    initiators.set(key, list)
    if (!firstInitiator.has(request.url)) firstInitiator.set(request.url, initiator)
  })
  cdp.on('Network.webSocketCreated', (e) => {
    const { url, initiator } = e as { url: string; initiator?: Initiator }
    if (initiator) wsInitiators.set(url, initiator)
  })

  page.on('request', (req) => {
    const url = req.url()
    if (url.startsWith('data:') || url.startsWith('blob:')) return
    const { body, headers } = requestText(req, MATCHED_BODY)
    push({
      url,
      method: req.method(),
      type: typeOf(req),
      body: truncate(body),
      text: matchedText(body, headers),
    })
  })
  page.on('websocket', (ws) => {
    const url = ws.url()
    push({ url, method: 'GET', type: 'websocket', body: null })
    ws.on('framesent', ({ payload }) => {
      const body = typeof payload === 'string' ? payload : payload.toString('utf8')
      push({ url, method: 'SEND', type: 'websocket', body: truncate(body) })
    })
  })

  async function finish(
    siteHost: string,
    attribute: (s: StackTrace | undefined) => Promise<string | null>,
  ) {
    const out: CapturedRequest[] = []
    for (const r of raws) {
      const initiator =
        r.type === 'websocket'
          ? (wsInitiators.get(r.url) ?? null)
          : (initiators.get(`${r.method} ${r.url}`)?.shift() ?? null)
      // The nth frame on a socket is the nth send report for it: both lists are in page order.
      const sender = r.method === 'SEND' ? wsSenders.get(r.url)?.shift() : undefined
      const noted = r.type === 'websocket' ? undefined : sources.get(r.url)?.shift()
      const stack = r.stack ?? sender ?? initiator?.stack ?? noted
      let script = stack ? await attribute(stack) : null
      // The CDP stack may hold only our wrapper or a library frame; the sink report names the caller.
      if (script === null && noted) script = await attribute(noted)
      out.push({
        ...matchExfil(r.url, r.text === undefined ? r.body : r.text),
        url: r.url,
        method: r.method,
        type: r.type,
        body: r.body,
        thirdParty: isThirdParty(siteHost, r.url),
        script,
      })
    }
    return markSplitCard(out)
  }

  return {
    finish,
    noteSource: (url, stack) => queue(sources, url, stack),
    noteWsSend: (url, stack) => queue(wsSenders, url, stack),
    noteLink: (url, rel, stack) =>
      push({ url, method: rel.toUpperCase(), type: 'other', body: null, stack }),
    initiatorOf: (url) => firstInitiator.get(url) ?? null,
  }
}
