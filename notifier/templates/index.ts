// Remediation steps chosen by the detected platform; generic when unknown.
import { generic } from './generic.ts'
import { magento } from './magento.ts'
import { opencart } from './opencart.ts'
import { prestashop } from './prestashop.ts'
import { shopify } from './shopify.ts'
import type { RemediationTemplate } from './types.ts'
import { woocommerce } from './woocommerce.ts'

export type { RemediationTemplate } from './types.ts'

const byPlatform = new Map<string, RemediationTemplate>(
  [magento, woocommerce, shopify, prestashop, opencart].map((t) => [t.platform, t]),
)
// names the crawler or an analyst may use for the same platform
byPlatform.set('adobe-commerce', magento)
byPlatform.set('wordpress', woocommerce)

/** The platform's steps, in `lang` where they are translated, else in English. */
export function remediationFor(
  platform: string | null | undefined,
  lang: string = 'en',
): RemediationTemplate {
  const t = byPlatform.get((platform ?? '').trim().toLowerCase()) ?? generic
  const translated = t.translations?.[lang]
  return translated ? { ...t, ...translated } : t
}

/** Every platform a template exists for (generic included). */
export const PLATFORMS: string[] = [
  'magento',
  'woocommerce',
  'shopify',
  'prestashop',
  'opencart',
  'generic',
]
