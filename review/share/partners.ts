// Partners: operators add them (token and webhook secret shown once), list and revoke them.
import { refine } from 'zod/mini'
import { BadInputError } from '../../core/errors.ts'
import type { PartnerRecord, Store, Tlp } from '../../store/index.ts'
import { blankAsAbsent, object, parseOrThrow, text } from '../input.ts'
import { newSecret, sha256Hex } from '../password.ts'
import { tlpField } from './tlp.ts'

const isWebUrl = (v: string) => {
  try {
    return ['http:', 'https:'].includes(new URL(v).protocol)
  } catch {
    return false
  }
}

const newPartner = object({
  name: text(1, 200, 'a partner needs a name'),
  tlp: tlpField(),
  webhookUrl: blankAsAbsent(
    text(1, 2000).check(refine(isWebUrl, 'a webhook URL starts with http:// or https://')),
  ),
})

export interface CreatedPartner {
  partner: PublicPartner
  /** the TAXII bearer token: only its hash is kept */
  token: string
  /** the key webhook bodies are signed with, when the partner has a webhook */
  webhookSecret: string | null
}

export interface PublicPartner {
  id: number
  name: string
  tlp: Tlp
  webhookUrl: string | null
  createdAt: string
  revokedAt: string | null
}

/** A partner as lists show it: never its secret. */
export const publicPartner = (p: PartnerRecord): PublicPartner => ({
  id: p.id,
  name: p.name,
  tlp: p.tlp,
  webhookUrl: p.webhookUrl,
  createdAt: p.createdAt,
  revokedAt: p.revokedAt,
})

export async function addPartner(store: Store, input: unknown): Promise<CreatedPartner> {
  const p = parseOrThrow(newPartner, input)
  const token = newSecret()
  const webhookSecret = p.webhookUrl ? newSecret() : null
  const partner = await store.review.addPartner({
    name: p.name,
    tlp: p.tlp,
    tokenHash: sha256Hex(token),
    webhookUrl: p.webhookUrl ?? null,
    webhookSecret,
  })
  if (!partner) throw new BadInputError(`there is a partner named ${p.name} already`)
  return { partner: publicPartner(partner), token, webhookSecret }
}

export const listPartners = async (store: Store): Promise<PublicPartner[]> =>
  (await store.review.listPartners()).map(publicPartner)
