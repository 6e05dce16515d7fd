// Does a domain accept mail? MX records (RFC 5321 §5.1: an A record stands in when there are none;
// RFC 7505: a null MX says no), through a resolver that can be pointed at any DNS server.
import { promises as dns } from 'node:dns'

export type MailCheck = (domain: string) => Promise<string | null>

export function resolverFor(servers: string[] | undefined): dns.Resolver {
  const resolver = new dns.Resolver({ timeout: 3_000, tries: 2 })
  if (servers && servers.length > 0) resolver.setServers(servers)
  return resolver
}

const code = (err: unknown) => (err as { code?: string }).code ?? 'error'

/** null when the domain takes mail, else why not; answers are cached per checker. */
export function mailCheck(resolver: dns.Resolver): MailCheck {
  const cache = new Map<string, Promise<string | null>>()
  const check = async (domain: string): Promise<string | null> => {
    try {
      const mx = await resolver.resolveMx(domain)
      if (mx.some((r) => r.exchange !== '' && r.exchange !== '.')) return null
      if (mx.length > 0) return `${domain} publishes a null MX: it accepts no mail`
    } catch (err) {
      if (code(err) !== 'ENODATA') return `no mail server for ${domain} (${code(err)})`
    }
    try {
      return (await resolver.resolve4(domain)).length > 0 ? null : `no MX or A record for ${domain}`
    } catch (err) {
      return `no MX or A record for ${domain} (${code(err)})`
    }
  }
  return (domain) => {
    const key = domain.toLowerCase()
    let hit = cache.get(key)
    if (!hit) cache.set(key, (hit = check(key)))
    return hit
  }
}

/** Guessed role mailboxes (RFC 2142) are only used for a domain with a real MX record. */
export async function hasMx(resolver: dns.Resolver, domain: string): Promise<boolean> {
  try {
    const mx = await resolver.resolveMx(domain)
    return mx.some((r) => r.exchange !== '' && r.exchange !== '.')
  } catch {
    return false
  }
}
