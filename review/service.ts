// What pages and the JSON API both do: read models with decisions attached, and the actions.
import { enum as oneOf, iso, refine, toLowerCase, trim } from 'zod/mini'
import { BadInputError } from '../core/errors.ts'
import { layersOf } from '../detector/index.ts'
import type { DecisionRecord, FlaggedScript, Store, UserRecord } from '../store/index.ts'
import { groupCampaigns, type Campaign } from './campaigns.ts'
import { applyDecision, type Rejudged } from './decide.ts'
import { diffScripts, type ScriptDiff } from './diff.ts'
import { blankAsAbsent, object, parseOrThrow, regex, string, text } from './input.ts'
import { shareDecision, shareReversal, type Sharing } from './share/sharing.ts'
import { optionalTlp } from './share/tlp.ts'

export { parseOrThrow }

export type FlaggedRow = FlaggedScript & { decision: DecisionRecord | null }

export const decisionInput = object({
  kind: oneOf(['confirm', 'false-positive', 'allowlist']),
  sha256: blankAsAbsent(string().check(regex(/^[0-9a-f]{64}$/i, 'a sha256 is 64 hex digits'))),
  host: blankAsAbsent(
    string().check(
      trim(),
      toLowerCase(),
      regex(/^(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)+$/, 'a host like cdn.example.com or *.example.com'),
    ),
  ),
  reason: text(1, 1000, 'say why'),
  expires: blankAsAbsent(iso.date()),
  /** the TLP a confirm is shared under; the configured default when absent */
  tlp: optionalTlp(),
}).check(
  refine((d) => d.kind === 'allowlist' || Boolean(d.sha256), {
    message: 'this decision needs a sha256',
  }),
  refine((d) => d.kind !== 'allowlist' || Boolean(d.sha256 || d.host), {
    message: 'an allowlist entry needs a sha256 or a host',
  }),
  refine((d) => d.kind !== 'allowlist' || Boolean(d.expires), {
    message: 'an allowlist entry needs an expiry',
  }),
  refine((d) => !d.expires || d.expires >= new Date().toISOString().slice(0, 10), {
    message: 'the expiry is in the past',
  }),
)

const bySha = (decisions: DecisionRecord[], sha256: string) =>
  decisions.find((d) => d.sha256 === sha256) ?? null

export async function flaggedRows(store: Store): Promise<FlaggedRow[]> {
  const [scripts, decisions] = await Promise.all([
    store.review.flaggedScripts(),
    store.review.activeDecisions(),
  ])
  return scripts.map((s) => ({ ...s, decision: bySha(decisions, s.sha256) }))
}

/** Campaigns over the scripts no analyst has cleared. */
export async function campaigns(store: Store): Promise<Campaign[]> {
  const rows = await flaggedRows(store)
  return groupCampaigns(rows.filter((r) => !r.decision || r.decision.kind === 'confirm'))
}

export async function scriptPage(store: Store, sha256: string) {
  const view = await store.review.scriptView(sha256.toLowerCase())
  if (!view) return null
  const previous = await store.review.previousVersions(view.sha256)
  const diffs: ScriptDiff[] = previous.map((p) => ({
    domain: p.domain,
    url: p.url,
    previousSha256: p.sha256,
    ...diffScripts(p.source, view.source),
  }))
  // what the detector read under the surface (statically, never run), for the analyst to read too
  const layers = layersOf(view.source)
  return {
    ...view,
    decisions: await store.review.listDecisions({ sha256: view.sha256 }),
    share: await store.review.getShare(view.sha256),
    diffs,
    layers,
  }
}

export async function decide(
  store: Store,
  sharing: Sharing,
  user: UserRecord,
  input: unknown,
): Promise<{ decision: DecisionRecord; rejudged: Rejudged[] }> {
  const d = parseOrThrow(decisionInput, input)
  const decision = await store.review.addDecision({
    kind: d.kind,
    sha256: d.sha256?.toLowerCase() ?? null,
    host: d.sha256 ? null : (d.host ?? null),
    reason: d.reason,
    expires: d.expires ?? null,
    userId: user.id,
  })
  const rejudged = await applyDecision(store, decision)
  await shareDecision(store, sharing, decision, d.tlp)
  return { decision, rejudged }
}

export async function revoke(
  store: Store,
  sharing: Sharing,
  user: UserRecord,
  id: number,
): Promise<{ decision: DecisionRecord; rejudged: Rejudged[] }> {
  const decision = await store.review.getDecision(id)
  if (!decision) throw new BadInputError(`no decision ${id}`)
  if (!(await store.review.revokeDecision(id, user.id))) {
    throw new BadInputError(`decision ${id} was already reversed`)
  }
  const rejudged = await applyDecision(store, decision)
  await shareReversal(store, sharing, decision)
  return { decision, rejudged }
}

/** Holds a mail that awaits delivery, or releases a held one; returns the mail's site. */
export async function holdMail(
  store: Store,
  id: number,
  hold: boolean,
): Promise<{ siteId: number | null; changed: boolean }> {
  const mail = await store.getEmail(id)
  if (!mail) throw new BadInputError(`no mail ${id}`)
  const changed = hold
    ? await store.review.withdrawMails({ id })
    : await store.review.restoreMails({ id })
  return { siteId: mail.siteId, changed: changed === 1 }
}
