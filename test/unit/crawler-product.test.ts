import { describe, expect, it } from 'vitest'
import { findContinueButtons, findProductLink } from '../../crawler/checkout.ts'

const page = (body: string) => `<!doctype html><html><head></head><body>${body}</body></html>`
const HOME = 'https://shop.example/'

describe('findProductLink', () => {
  it('takes a JSON-LD Product url first', () => {
    const html = page(`
      <a href="/about/">About</a>
      <script type="application/ld+json">{"@graph": [{"@type": "Product", "url": "/p/lamp"}]}</script>`)
    expect(findProductLink(html, HOME)?.href).toBe('https://shop.example/p/lamp')
  })

  it('knows platform product links and product paths, never cart or checkout', () => {
    const magento = page(`
      <a href="/checkout/cart/">Cart</a>
      <a class="product-item-link" href="/fleece-jacket.html">Fleece Jacket</a>`)
    expect(findProductLink(magento, HOME)?.href).toBe('https://shop.example/fleece-jacket.html')
    const opencart = page('<a href="/index.php?route=product/product&product_id=40">iPhone</a>')
    expect(findProductLink(opencart, HOME)?.href).toContain('route=product/product')
    const none = page('<a href="/cart/">Cart</a><a href="/checkout/">Checkout</a>')
    expect(findProductLink(none, HOME)).toBeNull()
  })

  it('skips pages already visited and other sites', () => {
    const html = page(`
      <a href="https://elsewhere.example/products/x">X</a>
      <a href="/products/mug">Mug</a>`)
    expect(findProductLink(html, HOME, ['https://shop.example/products/mug'])).toBeNull()
  })
})

describe('findContinueButtons', () => {
  it('lists every section’s continue control in document order, in several languages', () => {
    const html = page(`
      <button>Continue</button><button>Weiter</button><a href="#">Suivant</a>
      <button>Continue shopping</button><button>Place order</button>`)
    expect(findContinueButtons(html).map((t) => t.label.split(' ')[0])).toEqual([
      'Continue',
      'Weiter',
      'Suivant',
    ])
  })
})
