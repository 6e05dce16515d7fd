// What a decision changes for partners: the shared indicator's state and TLP, the webhooks owed.
import { uuidV5, indicatorOf, type Indicator } from '../export/indicators.ts'
import { indicatorObjects, TLP2_MARKINGS, type StixObject } from '../export/stix.ts'
import type { DecisionRecord, SharedIndicator, Store, Tlp } from '../../store/index.ts'
import { mayReceive } from './tlp.ts'

export interface Sharing {
  /** the label of a confirm whose analyst chose none */
  defaultTlp: Tlp
  /** called once deliveries were recorded: sends them now rather than at the next round */
  deliveriesQueued(): void
}

/** A shared indicator's STIX objects as this version says: its TLP, revoked or not. */
export function sharedObjects(i: Indicator, share: SharedIndicator): StixObject[] {
  return indicatorObjects(i, {
    markingRefs: [TLP2_MARKINGS[share.tlp]],
    modified: share.modified,
    revoked: share.revoked,
  })
}

/** The indicator behind a share (its confirm decision and the script's sightings). */
export async function shareIndicator(
  store: Store,
  share: SharedIndicator,
): Promise<Indicator | null> {
  const decision = await store.review.getDecision(share.decisionId)
  return decision ? indicatorOf(store, decision) : null
}

/** The webhook body for one version of a shared indicator. */
export function webhookBody(share: SharedIndicator, objects: StixObject[]): string {
  return JSON.stringify({
    event: share.revoked ? 'revoked' : 'confirmed',
    sha256: share.sha256,
    version: share.version,
    tlp: share.tlp,
    bundle: {
      type: 'bundle',
      id: `bundle--${uuidV5(`webhook:${share.sha256}:${share.version}`)}`,
      objects,
    },
  })
}

/** Records a webhook of this version for every active partner whose ceiling allows it. */
export async function queueWebhooks(
  store: Store,
  sharing: Sharing,
  share: SharedIndicator,
): Promise<number> {
  const indicator = await shareIndicator(store, share)
  if (!indicator) return 0
  const body = webhookBody(share, sharedObjects(indicator, share))
  let queued = 0
  for (const p of await store.review.listPartners()) {
    if (p.revokedAt || !p.webhookUrl || !mayReceive(p.tlp, share.tlp)) continue
    const event = share.revoked ? 'revoked' : 'confirmed'
    const d = {
      partnerId: p.id,
      sha256: share.sha256,
      event,
      version: share.version,
      body,
    } as const
    if (await store.review.enqueueDelivery(d)) queued++
  }
  if (queued > 0) sharing.deliveriesQueued()
  return queued
}

/** After a new decision: a confirm shares the script, a false positive revokes a shared one. */
export async function shareDecision(
  store: Store,
  sharing: Sharing,
  decision: DecisionRecord,
  tlp: Tlp | undefined,
): Promise<SharedIndicator | null> {
  if (!decision.sha256) return null
  const share =
    decision.kind === 'confirm'
      ? await store.review.shareConfirmed({
          sha256: decision.sha256,
          decisionId: decision.id,
          tlp: tlp ?? sharing.defaultTlp,
        })
      : decision.kind === 'false-positive'
        ? await store.review.shareRevoked(decision.sha256)
        : null
  if (share) await queueWebhooks(store, sharing, share)
  return share
}

/** After a confirm was reversed: revoked for partners, unless another confirm still holds. */
export async function shareReversal(store: Store, sharing: Sharing, decision: DecisionRecord) {
  const sha256 = decision.kind === 'confirm' ? decision.sha256 : null
  const active = await store.review.activeDecisions()
  if (!sha256 || active.some((d) => d.kind === 'confirm' && d.sha256 === sha256)) return null
  const share = await store.review.shareRevoked(sha256)
  if (share) await queueWebhooks(store, sharing, share)
  return share
}

/** An analyst relabels a shared indicator; partners newly allowed get it by webhook. */
export async function relabel(store: Store, sharing: Sharing, to: { sha256: string; tlp: Tlp }) {
  const share = await store.review.setShareTlp(to.sha256.toLowerCase(), to.tlp)
  if (share && !share.revoked) await queueWebhooks(store, sharing, share)
  return share
}
