// Brands skimmers impersonate, keyed by the word that appears in fake hosts, with their real domains.
export const BRANDS: Record<string, string[]> = {
  'google-analytics': ['google-analytics.com'],
  googletagmanager: ['googletagmanager.com'],
  googleapis: ['googleapis.com'],
  gstatic: ['gstatic.com'],
  google: [
    'google.com',
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
  cloudflare: ['cloudflare.com', 'cloudflareinsights.com', 'cloudflare.net'],
  cdnjs: ['cdnjs.com', 'cloudflare.com'],
  unpkg: ['unpkg.com'],
  stripe: ['stripe.com', 'stripe.network', 'stripecdn.com'],
  paypal: ['paypal.com', 'paypalobjects.com', 'paypal-cdn.com'],
  braintree: ['braintreegateway.com', 'braintree-api.com', 'braintreepayments.com'],
  adyen: ['adyen.com', 'adyenpayments.com'],
  magento: ['magento.com', 'magentocommerce.com'],
  shopify: ['shopify.com', 'myshopify.com', 'shopifycdn.com', 'shopifycloud.com', 'shopifysvc.com'],
  woocommerce: ['woocommerce.com'],
  facebook: ['facebook.com', 'facebook.net', 'fbcdn.net'],
  bootstrap: ['getbootstrap.com', 'bootstrapcdn.com'],
  hotjar: ['hotjar.com', 'hotjar.io'],
  authorize: ['authorize.net'],
  klarna: ['klarna.com', 'klarnacdn.net'],
  visa: ['visa.com'],
  mastercard: ['mastercard.com'],
}

/** Every real registrable domain of every brand. */
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
