// Recognises the shop platform from what a visit saw: HTML, cookies and asset URLs. Pure.
import type { PlatformInfo } from '../core/types.ts'

export interface PlatformEvidence {
  /** HTML of the pages visited */
  html: string[]
  /** cookie names set during the visit */
  cookies: string[]
  /** URLs of scripts, styles and other resources the pages loaded */
  urls: string[]
}

interface Probe {
  name: string
  /** any of these in the HTML or a resource URL means the platform */
  marks: RegExp[]
  cookies?: RegExp
  /** first capture group is the version */
  versions: RegExp[]
  /** a major version implied by a layout, when no number is shown */
  implied?: Array<[RegExp, string]>
}

// Ordered: WooCommerce runs on WordPress, so it is tried before a bare WordPress.
const PROBES: Probe[] = [
  {
    name: 'magento',
    marks: [
      /\/static\/(version\d+\/)?frontend\//,
      /\/skin\/frontend\//,
      /Mage\.Cookies|mage\/cookies|"Magento_\w+/,
    ],
    cookies: /^(form_key|mage-cache-storage|mage-cache-sessid|frontend)$/,
    versions: [
      /<meta[^>]+name=["']generator["'][^>]+content=["']Magento\s*([\d.]+)/i,
      /Magento\/([\d.]+)/,
    ],
    implied: [
      [/\/static\/(version\d+\/)?frontend\//, '2'],
      [/\/skin\/frontend\//, '1'],
    ],
  },
  {
    name: 'woocommerce',
    marks: [
      /wp-content\/plugins\/woocommerce\//,
      /<meta[^>]+content=["']WooCommerce/i,
      /woocommerce-(page|cart|checkout)/,
    ],
    cookies: /^(woocommerce_items_in_cart|woocommerce_cart_hash|wp_woocommerce_session_\w*)$/,
    versions: [
      /<meta[^>]+name=["']generator["'][^>]+content=["']WooCommerce\s+([\d.]+)/i,
      /plugins\/woocommerce\/[^"'\s]*\?ver=([\d.]+)/,
    ],
  },
  {
    name: 'shopify',
    marks: [/cdn\.shopify\.com/, /Shopify\.theme\s*=/, /\/checkouts\/[a-z0-9]+/, /myshopify\.com/],
    cookies: /^(_shopify_y|_shopify_s|cart_sig|_secure_session_id)$/,
    versions: [],
  },
  {
    name: 'prestashop',
    marks: [
      /var\s+prestashop\s*=/,
      /<meta[^>]+content=["']PrestaShop/i,
      /\/themes\/[\w-]+\/assets\/js\/theme\.js/,
      /\/modules\/ps_\w+\//,
    ],
    cookies: /^PrestaShop-[0-9a-f]+$/,
    versions: [
      /<meta[^>]+name=["']generator["'][^>]+content=["']PrestaShop\s*([\d.]+)/i,
      /"version"\s*:\s*"(\d+\.\d+\.\d+(?:\.\d+)?)"[^}]*prestashop|prestashop[^}]*"version"\s*:\s*"([\d.]+)"/i,
    ],
  },
  {
    name: 'opencart',
    marks: [
      /catalog\/view\/theme\//,
      /index\.php\?route=(common|product|checkout)\//,
      /<meta[^>]+content=["']OpenCart/i,
    ],
    cookies: /^OCSESSID$/,
    versions: [/<meta[^>]+name=["']generator["'][^>]+content=["']OpenCart\s*([\d.]+)/i],
  },
  {
    name: 'bigcommerce',
    marks: [
      /cdn\d*\.bigcommerce\.com/,
      /stencil-utils|data-stencil|stencilBootstrap/,
      /\/cart\.php\b/,
    ],
    cookies: /^(SHOP_SESSION_TOKEN|fornax_anonymousId)$/,
    versions: [],
  },
  {
    name: 'wordpress',
    marks: [/wp-content\/(themes|plugins)\//, /wp-includes\//],
    versions: [/<meta[^>]+name=["']generator["'][^>]+content=["']WordPress\s*([\d.]+)/i],
  },
]

function versionOf(probe: Probe, texts: string[]): string | null {
  for (const re of probe.versions) {
    for (const t of texts) {
      const m = re.exec(t)
      const v = m?.slice(1).find((g) => g !== undefined)
      if (v) return v
    }
  }
  for (const [re, v] of probe.implied ?? []) if (texts.some((t) => re.test(t))) return v
  return null
}

/** The first platform whose marks appear, with a version where one is visible. */
export function fingerprint(e: PlatformEvidence): PlatformInfo | null {
  const texts = [...e.html, e.urls.join('\n')]
  for (const probe of PROBES) {
    const byMark = probe.marks.some((re) => texts.some((t) => re.test(t)))
    const byCookie = probe.cookies !== undefined && e.cookies.some((c) => probe.cookies?.test(c))
    if (byMark || byCookie) return { name: probe.name, version: versionOf(probe, texts) }
  }
  return null
}
