// The guard's one decision: which address a host:port may be reached at, checked once and pinned.
import net from 'node:net'
import { BlockedTargetError } from '../../core/errors.ts'
import { classifyAddress } from '../guard.ts'
import { lookupRule, type ResolveRule } from '../resolve.ts'
import type { Lookup } from './lookup.ts'

export interface GuardPolicy {
  /** curl-style pins: trusted as given, the operator's way around the guard for tests */
  resolve: ResolveRule[]
  lookup: Lookup
  /** tests only: a checked public address is dialled at this loopback one instead */
  reachVia?: Record<string, string> | undefined
}

export interface Pinned {
  /** the address that was checked; the connection goes there and nowhere else */
  address: string
  /** where to dial (the checked address unless a test maps it) */
  dial: string
  port: number
  host: string
}

/** Canonical host as a browser would send it: numeric IPv4 forms folded, brackets and trailing dots off. */
export function canonicalHost(raw: string): string {
  let host = raw
  try {
    host = new URL(`http://${net.isIPv6(raw) ? `[${raw}]` : raw}/`).hostname
  } catch {
    // not a URL host: checked as it stands, and refused below when it resolves to nothing public
  }
  return host
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.+$/, '')
    .toLowerCase()
}

const refuse = (target: string, why: string) => new BlockedTargetError(`refused ${target}: ${why}`)

/** Resolves `host` once, refuses any non-public answer, and returns the one address to connect to. */
export async function pinTarget(
  rawHost: string,
  port: number,
  policy: GuardPolicy,
): Promise<Pinned> {
  const host = canonicalHost(rawHost)
  const target = `${host}:${port}`
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw refuse(target, 'not a valid port')
  const pinned = lookupRule(policy.resolve, host, port)
  if (pinned !== undefined) return { address: pinned, dial: pinned, port, host }
  if (host === '') throw refuse(target, 'no host')
  // RFC 6761: these names are loopback whatever a resolver says.
  if (host === 'localhost' || host.endsWith('.localhost')) throw refuse(target, 'a loopback name')
  const answers = net.isIP(host) !== 0 ? [host] : await policy.lookup(host)
  if (answers.length === 0) throw refuse(target, `${host} does not resolve`)
  // Every answer must be public: a mixed answer is a rebinding attempt waiting for a retry.
  for (const address of answers) {
    const reason = classifyAddress(address)
    if (reason !== null) {
      const what = address === host ? `${address} is` : `${host} resolves to ${address},`
      throw refuse(target, `${what} ${reason}`)
    }
  }
  const address = answers[0] as string
  return { address, dial: policy.reachVia?.[address] ?? address, port, host }
}
