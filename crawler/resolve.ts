// curl-style `--resolve host:port:addr` rules, shared by the guard and Chromium's resolver.
import net from 'node:net'
import { BadInputError } from '../core/errors.ts'

export interface ResolveRule {
  host: string
  port: number
  address: string
}

const HOST_RE = /^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/i

/** Parses 'shop.test:8080:127.0.0.1' (IPv6 as '[::1]'), like curl --resolve. */
export function parseResolveRule(spec: string): ResolveRule {
  const example = "expected host:port:address, e.g. 'shop.test:8080:127.0.0.1'"
  const first = spec.indexOf(':')
  const second = first < 0 ? -1 : spec.indexOf(':', first + 1)
  if (first < 0 || second < 0) throw new BadInputError(`bad --resolve '${spec}': ${example}`)
  const host = spec.slice(0, first).trim().toLowerCase()
  const portText = spec.slice(first + 1, second).trim()
  const address = spec
    .slice(second + 1)
    .trim()
    .replace(/^\[(.*)\]$/, '$1')
  if (!HOST_RE.test(host))
    throw new BadInputError(`bad --resolve '${spec}': '${host}' is not a host name; ${example}`)
  const port = Number(portText)
  if (!/^\d+$/.test(portText) || port < 1 || port > 65535) {
    throw new BadInputError(
      `bad --resolve '${spec}': port '${portText}' must be 1-65535; ${example}`,
    )
  }
  if (net.isIP(address) === 0) {
    throw new BadInputError(
      `bad --resolve '${spec}': '${address}' is not an IP address; ${example}`,
    )
  }
  return { host, port, address }
}

function hostMatches(pattern: string, host: string): boolean {
  if (pattern.startsWith('*.')) return host.endsWith(pattern.slice(1))
  return pattern === host
}

/** The address a rule pins host:port to, or undefined when no rule applies. */
export function lookupRule(rules: ResolveRule[], host: string, port: number): string | undefined {
  const h = host.toLowerCase()
  return rules.find((r) => r.port === port && hostMatches(r.host, h))?.address
}

/** Chromium matches `MAP host:port` against host and port, so the port in the URL is kept. */
export function hostResolverRulesArg(rules: ResolveRule[]): string | undefined {
  if (rules.length === 0) return undefined
  const maps = rules.map((r) => {
    const addr = net.isIPv6(r.address) ? `[${r.address}]` : r.address
    return `MAP ${r.host}:${r.port} ${addr}`
  })
  return `--host-resolver-rules=${maps.join(', ')}`
}
