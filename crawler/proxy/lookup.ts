// Name lookup for the network guard: the system resolver, or the DNS servers the operator names.
import dns from 'node:dns/promises'

export type Lookup = (host: string) => Promise<string[]>

/** Every A and AAAA answer for `host`; empty when the name does not resolve. */
export function makeLookup(servers: string[] | undefined): Lookup {
  if (servers === undefined || servers.length === 0) {
    return async (host) => {
      try {
        const found = await dns.lookup(host, { all: true, verbatim: true })
        return found.map((a) => a.address)
      } catch {
        return []
      }
    }
  }
  const resolver = new dns.Resolver({ timeout: 2000, tries: 2 })
  resolver.setServers(servers)
  return async (host) => {
    const [v4, v6] = await Promise.all([
      resolver.resolve4(host).catch(() => [] as string[]),
      resolver.resolve6(host).catch(() => [] as string[]),
    ])
    return [...v4, ...v6]
  }
}
