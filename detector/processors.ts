// Payment processors' own origins, as data (processors.json): where card data may go.
import { z } from 'zod'
import data from './processors.json' with { type: 'json' }
import { hostOf, registrable } from './paths.ts'
import { REAL_DOMAINS, lookalikeOf } from './rules/brands.ts'

const HOST = /^[a-z0-9-]+(\.[a-z0-9-]+)+$/

const entry = z.object({
  name: z.string().min(1),
  names: z.array(z.string().regex(/^[a-z0-9-]{5,}$/, 'a lowercase word of 5+ letters')),
  hosts: z.array(z.string().regex(HOST, 'a lowercase host like js.stripe.com')).min(1),
  otherDomains: z.array(z.string().regex(HOST)).optional(),
  source: z.url(),
  note: z.string().optional(),
})

export type Processor = z.infer<typeof entry>

/** Every processor in processors.json (validated at load: a broken file fails loudly). */
export const PROCESSORS: readonly Processor[] = z.array(entry).parse(data.processors)

/** The host of a URL or of a bare host name, lowercased, without port or trailing dot. */
function normalHost(urlOrHost: string): string | undefined {
  const fromUrl = hostOf(urlOrHost)
  if (fromUrl) return fromUrl
  if (/[/?#@\s]/.test(urlOrHost.trim())) return undefined
  const h = urlOrHost.trim().toLowerCase().replace(/:\d+$/, '').replace(/\.$/, '')
  return h === '' ? undefined : h
}

const under = (host: string, base: string): boolean => host === base || host.endsWith(`.${base}`)

/** The processor whose own origin this URL or host is (exact host or a subdomain of a listed one). */
export function processorOf(urlOrHost: string): Processor | undefined {
  const host = normalHost(urlOrHost)
  if (!host) return undefined
  return PROCESSORS.find((p) => p.hosts.some((h) => under(host, h)))
}

/** Each processor's lookalike words with the registrable domains that are really its own. */
export const PROCESSOR_BRANDS: Record<string, string[]> = Object.fromEntries(
  PROCESSORS.flatMap((p) => {
    const domains = [...new Set([...p.hosts, ...(p.otherDomains ?? [])].map(registrable))]
    return p.names.map((n) => [n, domains])
  }),
)

/** Registrable domains of every processor: never lookalikes themselves. */
export const PROCESSOR_DOMAINS: ReadonlySet<string> = new Set(
  PROCESSORS.flatMap((p) => [...p.hosts, ...(p.otherDomains ?? [])].map(registrable)),
)

const GENUINE = new Set([...REAL_DOMAINS, ...PROCESSOR_DOMAINS])

/** Why a host imitates a payment processor (stripe-js.com, paypa1-cdn.net), or undefined. */
export function processorLookalike(host: string): string | undefined {
  const h = normalHost(host)
  if (!h || processorOf(h)) return undefined
  return lookalikeOf(h, PROCESSOR_BRANDS, GENUINE)
}

/** True when a host carries a processor's name, or a near-miss of it, on someone else's domain. */
export function isProcessorLookalike(host: string): boolean {
  return processorLookalike(host) !== undefined
}

/** The processor a sink's URL points at, when its constant prefix names a processor host. */
export function sinkProcessor(sink: { urlText?: string | undefined }): Processor | undefined {
  const host = sink.urlText ? hostOf(sink.urlText) : undefined
  return host ? processorOf(host) : undefined
}
