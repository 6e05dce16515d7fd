// Small bounded GETs for contact discovery: time, size and redirects limited, each hop checked.

export interface HttpPage {
  url: string
  status: number
  contentType: string
  body: string
}

export interface HttpOptions {
  /** throws when a URL may not be fetched (the crawler's network guard); every hop is checked */
  checkUrl?: ((url: string) => Promise<void>) | undefined
  timeoutMs?: number
  maxBytes?: number
  accept?: string
}

const MAX_REDIRECTS = 5

async function readLimited(res: Response, maxBytes: number): Promise<string> {
  if (!res.body) return ''
  const chunks: Uint8Array[] = []
  let size = 0
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength
    if (size > maxBytes) break
    chunks.push(chunk)
  }
  return Buffer.concat(chunks).toString('utf8')
}

/** The page at `url` after redirects, or null when it cannot be fetched. */
export async function httpGet(url: string, opts: HttpOptions = {}): Promise<HttpPage | null> {
  let current = url
  const signal = AbortSignal.timeout(opts.timeoutMs ?? 10_000)
  try {
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      await opts.checkUrl?.(current)
      const res = await fetch(current, {
        redirect: 'manual',
        signal,
        headers: { accept: opts.accept ?? '*/*', 'user-agent': 'skimwatch contact lookup' },
      })
      const location = res.headers.get('location')
      if (res.status >= 300 && res.status < 400 && location) {
        await res.body?.cancel()
        current = new URL(location, current).href
        continue
      }
      return {
        url: current,
        status: res.status,
        contentType: res.headers.get('content-type') ?? '',
        body: await readLimited(res, opts.maxBytes ?? 1_000_000),
      }
    }
  } catch {
    return null
  }
  return null
}
