// Who gets the notice. For now the RFC 2142 role mailboxes; security.txt and RDAP come later.
import net from 'node:net'

const HOSTNAME =
  /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/

/** The shop's domain without a leading www., lowercased; null when it cannot take mail. */
export function mailDomain(domain: string): string | null {
  const host = domain
    .trim()
    .toLowerCase()
    .replace(/\.$/, '')
    .replace(/^www\./, '')
  if (net.isIP(host) !== 0 || !HOSTNAME.test(host)) return null
  return host
}

/** security@ and webmaster@ the shop's domain (RFC 2142); empty for IP addresses and bare names. */
export function recipientsFor(domain: string): string[] {
  const host = mailDomain(domain)
  return host ? [`security@${host}`, `webmaster@${host}`] : []
}
