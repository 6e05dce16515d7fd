// Abuse contacts of the registrar (RDAP domain object) and of the hosting network (RDAP ip object).
import type { Contact } from './types.ts'
import { httpGet, type HttpOptions } from './http.ts'

interface RdapEntity {
  roles?: string[]
  vcardArray?: [string, [string, unknown, string, unknown][]]
  entities?: RdapEntity[]
  handle?: string
}

function vcardEmails(e: RdapEntity): string[] {
  const props = e.vcardArray?.[1] ?? []
  return props.flatMap((p) => (p[0] === 'email' && typeof p[3] === 'string' ? [p[3]] : []))
}

/** Emails of entities with the abuse role, looking inside entities that have `within` role. */
function abuseEmails(entities: RdapEntity[] | undefined, within: string | null): string[] {
  const out: string[] = []
  for (const e of entities ?? []) {
    const roles = e.roles ?? []
    const inScope = within === null || roles.includes(within)
    if (inScope && roles.includes('abuse')) out.push(...vcardEmails(e))
    if (inScope) out.push(...abuseEmails(e.entities, null))
  }
  return out
}

async function rdapJson(
  url: string,
  http: HttpOptions,
): Promise<{ entities?: RdapEntity[] } | null> {
  const page = await httpGet(url, { ...http, accept: 'application/rdap+json, application/json' })
  if (!page || page.status !== 200) return null
  try {
    return JSON.parse(page.body) as { entities?: RdapEntity[] }
  } catch {
    return null
  }
}

export async function rdapContacts(
  base: string,
  domain: string,
  ip: string | null,
  http: HttpOptions,
): Promise<Contact[]> {
  const root = base.replace(/\/+$/, '')
  const found: Contact[] = []
  const add = (emails: string[], source: Contact['source'], detail: string) => {
    for (const address of emails)
      found.push({ address, source, detail, languages: [], skipped: null })
  }
  const domainUrl = `${root}/domain/${encodeURIComponent(domain)}`
  const dom = await rdapJson(domainUrl, http)
  if (dom) add(abuseEmails(dom.entities, 'registrar'), 'rdap-registrar', domainUrl)
  if (ip) {
    const ipUrl = `${root}/ip/${encodeURIComponent(ip)}`
    const net = await rdapJson(ipUrl, http)
    if (net) add(abuseEmails(net.entities, null), 'rdap-network', ipUrl)
  }
  return found
}
