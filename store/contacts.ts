// contacts: who might fix a site, best first, each with where it was found.
import type { Db, Queryable } from './db.ts'

export interface StoredContact {
  address: string
  source: string
  detail: string | null
  languages: string[]
  /** why it cannot be used; null for a usable contact */
  skipped: string | null
}

/** Replaces the site's contacts with a fresh discovery. */
export async function saveContacts(
  db: Db,
  siteId: number,
  contacts: StoredContact[],
): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query('DELETE FROM contacts WHERE site_id = $1', [siteId])
    for (const [i, c] of contacts.entries()) {
      await tx.query(
        `INSERT INTO contacts (site_id, position, address, source, detail, languages, skipped)
         VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7)`,
        [siteId, i, c.address, c.source, c.detail, JSON.stringify(c.languages), c.skipped],
      )
    }
  })
}

export async function getContacts(db: Queryable, siteId: number): Promise<StoredContact[]> {
  return db.query<StoredContact>(
    `SELECT address, source, detail, languages, skipped FROM contacts
     WHERE site_id = $1 ORDER BY position`,
    [siteId],
  )
}
