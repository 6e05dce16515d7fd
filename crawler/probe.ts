// Which platform checkout paths exist on a shop, asked without rendering anything.
// Network.loadNetworkResource goes through the browser's own network stack (host rules,
// the context's cookies) yet raises no Network events: the probes stay out of the capture.
import type { CDPSession } from 'playwright'

const PROBE_MS = 3000
const SAMPLE_BYTES = 64 * 1024

interface Loaded {
  resource: { success: boolean; httpStatusCode?: number; stream?: string }
}

async function sampleOf(cdp: CDPSession, stream: string): Promise<string> {
  let text = ''
  try {
    while (text.length < SAMPLE_BYTES) {
      const chunk = (await cdp.send('IO.read', { handle: stream, size: SAMPLE_BYTES })) as {
        data: string
        eof: boolean
        base64Encoded?: boolean
      }
      text += chunk.base64Encoded ? Buffer.from(chunk.data, 'base64').toString('utf8') : chunk.data
      if (chunk.eof) break
    }
  } finally {
    await cdp.send('IO.close', { handle: stream }).catch(() => undefined)
  }
  return text
}

/** The first part of the page at `url` when it answers 2xx, else null. */
async function probe(cdp: CDPSession, frameId: string, url: string): Promise<string | null> {
  const loaded = (await cdp.send('Network.loadNetworkResource', {
    frameId,
    url,
    options: { disableCache: false, includeCredentials: true },
  })) as Loaded
  const { success, httpStatusCode = 0, stream } = loaded.resource
  if (!success || httpStatusCode >= 400 || stream === undefined) return null
  return sampleOf(cdp, stream)
}

const bounded = <T>(work: Promise<T>, ms: number): Promise<T | null> =>
  Promise.race([
    work.catch(() => null),
    new Promise<null>((r) => setTimeout(() => r(null), ms).unref()),
  ])

/**
 * Of `urls` (same site as the page), those that answer, in order, pages with a form first and
 * each distinct page once: a slash variant or a redirect to the same page is not loaded twice.
 */
export async function existingPaths(
  cdp: CDPSession,
  urls: string[],
  remaining: () => number,
): Promise<string[]> {
  const { frameTree } = (await cdp.send('Page.getFrameTree')) as {
    frameTree: { frame: { id: string } }
  }
  const frameId = frameTree.frame.id
  const ms = Math.max(1, Math.min(PROBE_MS, remaining()))
  const samples = await Promise.all(
    urls.map((u) => bounded(probe(cdp, frameId, u.split('#')[0] ?? u), ms)),
  )
  const seen = new Set<string>()
  const found: Array<{ url: string; form: boolean }> = []
  urls.forEach((url, i) => {
    const sample = samples[i]
    if (sample === null || sample === undefined) return
    // The same page under two paths is loaded once; a #step of it is a different walk.
    const key = `${new URL(url).hash}\n${sample}`
    if (seen.has(key)) return
    seen.add(key)
    found.push({ url, form: /<(form|input)\b/i.test(sample) })
  })
  return [...found.filter((f) => f.form), ...found.filter((f) => !f.form)].map((f) => f.url)
}
