// The capture quota: a full store stops new crawls with a clear error, before the browser is used.
import type { Config } from '../core/config.ts'
import { QuotaExceededError } from '../core/errors.ts'
import type { Store } from '../store/index.ts'

const MB = 1024 * 1024

export async function assertCaptureRoom(store: Store, config: Config): Promise<void> {
  if (config.captureQuotaMb === undefined) return
  const used = await store.storageBytes()
  if (used < config.captureQuotaMb * MB) return
  throw new QuotaExceededError(
    `the store holds ${(used / MB).toFixed(1)} MB, at its capture quota of ${config.captureQuotaMb} MB ` +
      '(SKIMWATCH_CAPTURE_QUOTA_MB): raise the quota or remove old scans before crawling more',
  )
}
