// Signed webhooks to partners: each owed delivery is posted, retried with backoff, recorded.
import { createHmac } from 'node:crypto'
import type { Delivery, Store } from '../../store/index.ts'

export const SIGNATURE_HEADER = 'x-skimwatch-signature'
export const TIMESTAMP_HEADER = 'x-skimwatch-timestamp'
export const DELIVERY_HEADER = 'x-skimwatch-delivery'

/** HMAC-SHA256 under the partner's secret of `<timestamp>.<body>`, as `sha256=<hex>`. */
export function signature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`
}

export interface SenderOptions {
  store: Store
  /** seconds before the first retry; doubled on every further failure */
  retrySeconds?: number
  /** attempts before a delivery is given up ("dead") */
  maxAttempts?: number
  /** how long one POST may take */
  timeoutMs?: number
  /** how often owed deliveries are looked for; 0: only when kicked */
  pollMs?: number
}

export interface WebhookSender {
  /** sends what is owed now, in the background */
  kick(): void
  /** sends what is owed now and resolves once done; returns how many were delivered */
  drain(): Promise<number>
  close(): Promise<void>
}

async function post(d: Delivery, timeoutMs: number): Promise<void> {
  const timestamp = String(Math.floor(Date.now() / 1000))
  const res = await fetch(d.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      [SIGNATURE_HEADER]: signature(d.secret, timestamp, d.body),
      [TIMESTAMP_HEADER]: timestamp,
      [DELIVERY_HEADER]: String(d.id),
    },
    body: d.body,
    redirect: 'error',
    signal: AbortSignal.timeout(timeoutMs),
  })
  await res.body?.cancel()
  if (res.status < 200 || res.status >= 300) throw new Error(`answered HTTP ${res.status}`)
}

export function webhookSender(opts: SenderOptions): WebhookSender {
  const retrySeconds = opts.retrySeconds ?? 30
  const maxAttempts = opts.maxAttempts ?? 8
  const timeoutMs = opts.timeoutMs ?? 10_000
  const review = opts.store.review
  let running: Promise<number> | null = null
  let again = false

  const round = async (): Promise<number> => {
    let delivered = 0
    for (;;) {
      // the lease outlasts one POST, so a live sender never has its row taken from it
      const due = await review.claimDeliveries(20, Math.ceil(timeoutMs / 1000) + 5)
      if (due.length === 0) return delivered
      for (const d of due) {
        try {
          await post(d, timeoutMs)
          await review.markDelivered(d.id)
          delivered++
        } catch (err) {
          const error = err instanceof Error ? err.message : String(err)
          await review.markDeliveryFailed({
            id: d.id,
            error,
            retrySeconds: retrySeconds * 2 ** (d.attempts - 1),
            dead: d.attempts >= maxAttempts,
          })
        }
      }
    }
  }

  // one loop at a time; a kick while it runs makes it go round once more
  const drain = (): Promise<number> => {
    if (running) {
      again = true
      return running
    }
    running = (async () => {
      let total = 0
      do {
        again = false
        total += await round()
      } while (again)
      return total
    })().finally(() => {
      running = null
    })
    return running
  }

  const kick = () => {
    drain().catch(() => {
      // a store outage: the next poll or kick tries again
    })
  }
  const timer = opts.pollMs ? setInterval(kick, opts.pollMs) : null
  timer?.unref()

  return {
    kick,
    drain,
    async close() {
      if (timer) clearInterval(timer)
      await running?.catch(() => 0)
    },
  }
}
