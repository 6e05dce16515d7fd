/** Where a contact was found, best first. */
export type ContactSource =
  'security.txt' | 'site' | 'rfc2142' | 'rdap-registrar' | 'rdap-network' | 'cert'

export interface Contact {
  /** an email address, or the URL/text found when it is not one */
  address: string
  source: ContactSource
  /** where exactly: the URL it was read from, the RDAP object */
  detail: string | null
  /** languages the contact prefers (security.txt Preferred-Languages, the site's lang) */
  languages: string[]
  /** why it cannot be used; null for a usable contact */
  skipped: string | null
}
