import { isIpHost, registrable } from '../paths.ts'

// Brands skimmers impersonate, keyed by the word that appears in fake hosts, with their real domains.
// Payment processors are data of their own: see detector/processors.json.
export const BRANDS: Record<string, string[]> = {
  'google-analytics': ['google-analytics.com'],
  googletagmanager: ['googletagmanager.com'],
  googleapis: ['googleapis.com'],
  gstatic: ['gstatic.com'],
  google: [
    'google.com',
    // Google Public DNS over HTTPS
    'dns.google',
    'googleapis.com',
    'gstatic.com',
    'googletagmanager.com',
    'google-analytics.com',
    'googleusercontent.com',
    'googlesyndication.com',
    'googleadservices.com',
    'doubleclick.net',
  ],
  jquery: ['jquery.com'],
  jsdelivr: ['jsdelivr.net'],
  // cloudflare-dns.com: the 1.1.1.1 resolver's DNS-over-HTTPS endpoint
  cloudflare: ['cloudflare.com', 'cloudflareinsights.com', 'cloudflare.net', 'cloudflare-dns.com'],
  cdnjs: ['cdnjs.com', 'cloudflare.com'],
  unpkg: ['unpkg.com'],
  magento: ['magento.com', 'magentocommerce.com'],
  shopify: ['shopify.com', 'myshopify.com', 'shopifycdn.com', 'shopifycloud.com', 'shopifysvc.com'],
  woocommerce: ['woocommerce.com'],
  facebook: ['facebook.com', 'facebook.net', 'fbcdn.net'],
  bootstrap: ['getbootstrap.com', 'bootstrapcdn.com'],
  hotjar: ['hotjar.com', 'hotjar.io'],
  visa: ['visa.com'],
  mastercard: ['mastercard.com'],
}

/** Every real registrable domain of every brand above. */
export const REAL_DOMAINS = new Set(Object.values(BRANDS).flat())

/** Undo common letter/digit swaps (g00gle, jqu3ry, paypa1). */
export function unleet(s: string): string {
  return s
    .replace(/0/g, 'o')
    .replace(/1/g, 'l')
    .replace(/3/g, 'e')
    .replace(/4/g, 'a')
    .replace(/5/g, 's')
    .replace(/7/g, 't')
}

export function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    const cur = [i]
    let best = i
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      const v = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost)
      cur.push(v)
      best = Math.min(best, v)
    }
    if (best > max) return max + 1
    prev = cur
  }
  return prev[b.length] ?? max + 1
}

/**
 * Why `host` imitates one of `brands` (word → real domains), or undefined. Hosts under any of
 * `real` are genuine; the rest imitate a brand when they carry its word or a near-miss of one
 * of its domains (cdn-cloudfiare, strlpe).
 */
export function lookalikeOf(
  host: string,
  brands: Record<string, string[]>,
  real: ReadonlySet<string>,
): string | undefined {
  if (isIpHost(host)) return undefined
  const reg = registrable(host)
  if (real.has(reg)) return undefined
  const plain = unleet(host.replace(/\.(test|local|localhost)$/, ''))
  for (const [brand, domains] of Object.entries(brands)) {
    if (plain.includes(brand)) return `uses the name "${brand}" but is not ${domains[0] ?? brand}`
  }
  // Compare the registered name and its dash-separated words with the brands' own domain
  // names: a typosquat is a name someone registered, never a label a real site chose for a host.
  const sld = unleet(reg.split('.')[0] ?? '')
  const regWords = unleet(reg.replace(/\.[^.]+$/, '')).split(/[.-]/)
  const words = new Set([sld, ...regWords.filter((w) => w.length >= 5)])
  for (const domain of new Set(Object.values(brands).flat())) {
    const realSld = domain.split('.')[0] ?? ''
    if (realSld.length < 5) continue
    const max = realSld.length >= 8 ? 2 : 1
    for (const w of words) {
      if (w !== realSld && editDistance(w, realSld, max) <= max) return `is a typo of ${domain}`
    }
  }
  return undefined
}
