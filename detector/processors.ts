// Payment processors' own origins, as data (processors.json): where card data may go.
import {
  array,
  minLength,
  object,
  optional,
  regex,
  string,
  url,
  type infer as Infer,
} from 'zod/mini'
import './zod-messages.ts'
import data from './processors.json' with { type: 'json' }
import { hostOf, registrable } from './paths.ts'
import { REAL_DOMAINS, lookalikeOf } from './rules/brands.ts'

const HOST = /^[a-z0-9-]+(\.[a-z0-9-]+)+$/

function buildEntry() {
  return object({
    name: string().check(minLength(1)),
    names: array(string().check(regex(/^[a-z0-9-]{5,}$/, 'a lowercase word of 5+ letters'))),
    hosts: array(string().check(regex(HOST, 'a lowercase host like js.stripe.com'))).check(
      minLength(1),
    ),
    otherDomains: optional(array(string().check(regex(HOST)))),
    source: url(),
    note: optional(string()),
  })
}

export type Processor = Infer<ReturnType<typeof buildEntry>>

/**
 * Every processor in processors.json. The file ships with the code and is validated by the
 * tests (test/unit/detector-processors.test.ts), not at each start: that parse was a tenth of
 * the CLI's start-up, and building the schema is left to the tests too.
 */
export const PROCESSORS: readonly Processor[] = data.processors

/** The shape of the file's list, which the shipped file is checked against. */
export const processorListSchema = () => array(buildEntry())

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
