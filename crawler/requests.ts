// Records every request and WebSocket frame a page sends, tied to the script that sent it.
import type { CDPSession, Page, Request } from 'playwright'
import type { CapturedRequest, RequestType } from '../core/types.ts'
import { matchExfil } from './exfil-match.ts'
import type { StackTrace } from './scripts.ts'

export const MAX_REQUESTS = 2000
export const MAX_BODY = 4096

interface Initiator {
  type: string
  stack?: StackTrace
}

interface Raw {
  url: string
  method: string
  type: RequestType
  body: string | null
}

export interface RequestCollector {
  /** Records that the script on `stack` set an image's src to `url`. */
  noteImageSource(url: string, stack: StackTrace | undefined): void
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
  const imageSources = new Map<string, Array<StackTrace | undefined>>()
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
    push({ url, method: req.method(), type: typeOf(req), body: truncate(req.postData()) })
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
      const stack =
        initiator?.stack ?? (r.type === 'image' ? imageSources.get(r.url)?.shift() : undefined)
      const script = stack ? await attribute(stack) : null
      out.push({
        ...matchExfil(r.url, r.body),
        url: r.url,
        method: r.method,
        type: r.type,
        body: r.body,
        thirdParty: isThirdParty(siteHost, r.url),
        script,
      })
    }
    return out
  }

  function noteImageSource(url: string, stack: StackTrace | undefined) {
    const list = imageSources.get(url) ?? []
    list.push(stack)
    imageSources.set(url, list)
  }

  return { finish, noteImageSource, initiatorOf: (url) => firstInitiator.get(url) ?? null }
}
