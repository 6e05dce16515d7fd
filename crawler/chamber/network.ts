// Every request of a detonation is answered here, from memory, and recorded: navigations,
// subresources, beacons, form posts, iframes and WebSockets. Nothing is passed on.
import type { BrowserContext, CDPSession, Request, Route } from 'playwright'
import type { ObservedRequest } from '../../core/types.ts'
import { ORIGIN, pageHtml, variantsAt, type Variant } from './pages.ts'
import { pageAssets, standIn, type Served } from './assets.ts'
import { inflateBody, requestText, type Compression } from '../request-text.ts'

export const MAX_REQUESTS = 2000
/** A page's requests past this many are refused outright, so a flood cannot starve the run. */
const MAX_ANSWERED = 5000
export const MAX_BODY = 4096
/** How much of a body the exfil matcher reads (the record keeps MAX_BODY). */
export const MAX_MATCHED_BODY = 256 * 1024

export type ResponseMap = Record<
  string,
  { status?: number; contentType: string; body: string | Buffer }
>

/** A request as seen at the route, before it is judged for card data. */
export interface RawRequest {
  url: string
  method: string
  type: ObservedRequest['type']
  body: string | null
  /** how the body was compressed, when it was and the text is the decompressed one */
  compressed?: Compression
  /** request headers the page can set or steer (custom ones, a full Referer), as `name: value` lines */
  headers?: string
}

export interface Network {
  /** Call before Network.enable on the page's session: tells CSS url() loads from images. */
  watch(cdp: CDPSession): void
  /** The next main-frame load of the variant's URL gets its page, with the sample in it. */
  expectPage(variant: Variant): void
  /** Requests recorded so far, in order (our own page loads and form posts left out). */
  requests(): RawRequest[]
  /** True while a request is being answered or a socket frame is unread. */
  busy(): boolean
  /** Stops waiting for requests that never ended (the page moved on without them). */
  forget(): void
}

const stripHash = (u: string) => u.split('#')[0] ?? u
const withoutQuery = (u: string) => stripHash(u).split('?')[0] ?? u

function served(responses: ResponseMap): Map<string, Served> {
  const out = new Map<string, Served>()
  for (const [url, r] of Object.entries(responses)) {
    out.set(stripHash(url), { status: r.status ?? 200, contentType: r.contentType, body: r.body })
  }
  return out
}

/** Worker requests have no frame; they count as subresources. */
function inMainFrame(req: Request): boolean {
  try {
    return req.frame().parentFrame() === null
  } catch {
    return false
  }
}

function corsHeaders(req: Request): Record<string, string> {
  const origin = req.headers()['origin']
  if (origin === undefined || origin === 'null') return { 'access-control-allow-origin': '*' }
  return { 'access-control-allow-origin': origin, 'access-control-allow-credentials': 'true' }
}

const MARKER = '/* the HTML sample follows this script */\n'

/** Answers every request of `context` locally: `sample.url` serves the sample, `responses` their bodies. */
export async function answerLocally(
  context: BrowserContext,
  sample: { url: string; source: string; html?: boolean },
  responses: ResponseMap,
  origin = ORIGIN,
): Promise<Network> {
  const assets = pageAssets(origin)
  const bodies = served(responses)
  const sampleServed: Served = {
    status: 200,
    contentType: 'application/javascript',
    // an HTML sample is markup in the page; its script URL only marks where it starts
    body: sample.html === true ? MARKER : sample.source,
  }
  const requests: RawRequest[] = []
  const styleInitiated = new Map<string, number>()
  let expected: Variant | null = null
  let infrastructure = new Set<string>()
  // Every page's own form actions: a post still in flight when the next page loads is ours too.
  const formActions = new Set(variantsAt(origin).flatMap((v) => v.formActions))
  let answered = 0
  let inflight = 0
  // Requests the page started and that have not ended: a beacon fired just before the buyer
  // moves on has not reached the route yet.
  const started = new Set<string>()

  // CSS url() loads are images or fonts the style engine started: the parser or 'other', never a
  // script (an Image object or an inserted <img> has the script's stack as its initiator).
  function watch(cdp: CDPSession): void {
    cdp.on('Network.requestWillBeSent', (e) => {
      const { requestId, request, initiator, type } = e as {
        requestId: string
        request: { url: string }
        initiator: { type: string }
        type?: string
      }
      if (!request.url.startsWith('data:')) started.add(requestId)
      if (initiator.type !== 'script' && (type === 'Image' || type === 'Font')) {
        styleInitiated.set(request.url, (styleInitiated.get(request.url) ?? 0) + 1)
      }
    })
    const ended = (e: unknown) => started.delete((e as { requestId: string }).requestId)
    cdp.on('Network.loadingFinished', ended)
    cdp.on('Network.loadingFailed', ended)
  }

  const typeOf = (req: Request): RawRequest['type'] => {
    switch (req.resourceType()) {
      case 'image':
        return 'image'
      case 'stylesheet':
      case 'font':
        return 'css'
      case 'fetch':
        return 'fetch'
      case 'xhr':
        return 'xhr'
      case 'ping':
        return 'beacon'
      case 'script':
        return 'script'
      case 'document':
        if (req.method() === 'POST') return 'form'
        return inMainFrame(req) ? 'document' : 'iframe'
      default:
        return 'other'
    }
  }

  function record(req: Request): void {
    const url = req.url()
    if (infrastructure.delete(url)) return
    if (req.method() === 'POST' && formActions.has(stripHash(url))) return
    if (requests.length >= MAX_REQUESTS || url.startsWith('data:')) return
    requests.push({
      url,
      method: req.method(),
      type: typeOf(req),
      ...requestText(req, MAX_MATCHED_BODY),
    })
  }

  function answerFor(req: Request): Served {
    const url = stripHash(req.url())
    const main = req.isNavigationRequest() && inMainFrame(req)
    if (main && expected !== null && url === stripHash(expected.url)) {
      const html = pageHtml(expected, sample.url, sample.html === true ? sample.source : undefined)
      expected = null
      return { status: 200, contentType: 'text/html; charset=utf-8', body: html }
    }
    const own = url === stripHash(sample.url) ? sampleServed : (assets.get(url) ?? bodies.get(url))
    if (own !== undefined) return own
    const loose = bodies.get(withoutQuery(url))
    if (loose !== undefined) return loose
    // Leaving the page (location change, form post, reload) is answered with "no content": it stays.
    if (main) return { status: 204, contentType: 'text/plain', body: '' }
    return standIn(req.resourceType())
  }

  async function handle(route: Route): Promise<void> {
    const req = route.request()
    // Our own page and scripts are always answered; the sample's requests have an allowance.
    const ours = infrastructure.has(stripHash(req.url()))
    if (!ours && ++answered > MAX_ANSWERED)
      return route.abort('blockedbyclient').catch(() => undefined)
    inflight++
    try {
      record(req)
      const r = answerFor(req)
      await route.fulfill({
        status: r.status,
        contentType: r.contentType,
        body: r.body,
        headers: {
          ...corsHeaders(req),
          'content-type': r.contentType,
          'cache-control': 'no-store',
        },
      })
    } catch {
      // The page went away while we answered: nothing to do.
    } finally {
      inflight--
    }
  }

  await context.route('**/*', handle)
  await context.routeWebSocket(/.*/, (ws) => {
    const url = ws.url()
    if (requests.length < MAX_REQUESTS)
      requests.push({ url, method: 'GET', type: 'websocket', body: null })
    ws.onMessage((message) => {
      const inflated = typeof message === 'string' ? null : inflateBody(message, MAX_MATCHED_BODY)
      const body =
        inflated?.text ?? (typeof message === 'string' ? message : message.toString('utf8'))
      if (requests.length < MAX_REQUESTS)
        requests.push({
          url,
          method: 'SEND',
          type: 'websocket',
          body: body.slice(0, MAX_MATCHED_BODY),
          ...(inflated ? { compressed: inflated.compressed } : {}),
        })
    })
  })

  return {
    watch,
    expectPage(variant) {
      expected = variant
      const scripts = [...assets.keys()].filter((u) => variant.html.includes(u))
      infrastructure = new Set([variant.url, sample.url, ...scripts].map(stripHash))
      answered = 0
    },
    // CDP's initiators arrive on another session than the route: images are told apart at the end.
    requests: () => {
      const left = new Map(styleInitiated)
      return requests.map((r) => {
        const css = r.type === 'image' ? (left.get(r.url) ?? 0) : 0
        if (css === 0) return r
        left.set(r.url, css - 1)
        return { ...r, type: 'css' }
      })
    },
    busy: () => inflight > 0 || started.size > 0,
    forget: () => started.clear(),
  }
}
