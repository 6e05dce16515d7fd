// What the chamber serves from memory: the page's own scripts (real jQuery, an AMD loader,
// platform globals) and the stand-in answers for everything a sample asks for.
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { BrowserUnavailableError } from '../../core/errors.ts'
import { OPCHECKOUT, PROTOTYPE } from './magento1.ts'
import { ASSET_URLS, MAGENTO2_CART, ORIGIN, rebase } from './pages.ts'

export interface Served {
  status: number
  contentType: string
  body: string | Buffer
}

let jquery: string | undefined

/** The real jQuery a shop would load, read once from the installed package. */
export function jquerySource(): string {
  if (jquery !== undefined) return jquery
  try {
    const main = createRequire(import.meta.url).resolve('jquery')
    jquery = readFileSync(join(dirname(main), 'jquery.min.js'), 'utf8')
  } catch {
    throw new BrowserUnavailableError(
      'the detonation chamber needs the jquery package (npm install jquery)',
    )
  }
  return jquery
}

/** jQuery 4 dropped helpers that skimmers written for jQuery 1–3 still call; shops load migrate. */
const JQUERY_COMPAT = `(function ($) {
  if (!$) return;
  var add = function (name, fn) { if (!(name in $)) $[name] = fn; };
  add('trim', function (s) { return s == null ? '' : String(s).trim(); });
  add('isArray', Array.isArray);
  add('isFunction', function (o) { return typeof o === 'function'; });
  add('isNumeric', function (o) { var t = typeof o; return (t === 'number' || t === 'string') && !isNaN(o - parseFloat(o)); });
  add('isWindow', function (o) { return o != null && o === o.window; });
  add('type', function (o) {
    if (o == null) return String(o);
    return typeof o === 'object' || typeof o === 'function' ? Object.prototype.toString.call(o).slice(8, -1).toLowerCase() : typeof o;
  });
  add('now', function () { return Date.now(); });
  add('parseJSON', function (s) { return JSON.parse(s); });
  add('camelCase', function (s) { return String(s).replace(/-([a-z])/g, function (_, c) { return c.toUpperCase(); }); });
  add('unique', $.uniqueSort);
  add('nodeName', function (el, n) { return !!el && !!el.nodeName && el.nodeName.toLowerCase() === String(n).toLowerCase(); });
  if (!$.fn.andSelf) $.fn.andSelf = $.fn.addBack;
  if (!$.fn.size) $.fn.size = function () { return this.length; };
})(window.jQuery);
`

/**
 * A minimal AMD loader as on a Magento 2 page: 'jquery' is the real one, the checkout's quote
 * model (Magento_Checkout/js/model/quote) answers with the page's own address, email and
 * payment method as plain data, a guest is the customer, UI components (uiComponent) a module
 * returns are made as the checkout layout makes them, validators registered with the payment
 * step's additional-validators run when the order is placed, modules the sample defines are
 * kept, and every other module is a stub that answers any property or call.
 */
const REQUIRE = `(function () {
  var defined = {};
  var field = function (id) { var el = document.getElementById(id); return el ? el.value : ''; };
  // a knockout observable as the quote model holds them: called for its value, subscribable
  var observable = function (read) {
    var o = function () { return read(); };
    o.subscribe = function () { return { dispose: function () {} }; };
    return o;
  };
  var address = function () {
    return {
      firstname: field('shipping-firstname'), lastname: field('shipping-lastname'),
      street: [field('shipping-street0')], city: field('shipping-city'),
      postcode: field('shipping-postcode'), telephone: field('shipping-telephone'), countryId: 'US'
    };
  };
  var quote = {
    billingAddress: observable(address),
    shippingAddress: observable(address),
    paymentMethod: observable(function () {
      var m = document.querySelector('input[name="payment[method]"]:checked');
      return m ? { method: m.value } : null;
    }),
    totals: observable(function () { return { grand_total: 84.5, base_currency_code: 'USD' }; }),
    getQuoteId: function () { return window.checkoutConfig.quoteData.entity_id; },
    isVirtual: function () { return false; }
  };
  Object.defineProperty(quote, 'guestEmail', { get: function () { return field('customer-email'); }, enumerable: true });
  // members of the model not written out here answer as any other stub does
  defined['Magento_Checkout/js/model/quote'] = new Proxy(quote, {
    get: function (t, k) { return k in t ? t[k] : stub[k]; }
  });
  // Magento's UI components: a module's Component.extend({ initialize }) is made once, as the
  // checkout layout makes every component it names, with _super() reaching the base component
  var component = function (proto) {
    var Made = function () {
      var self = this;
      self._super = function () { return self; };
      if (typeof proto.initialize === 'function') proto.initialize.apply(self, arguments);
    };
    Made.prototype = Object.create(proto || {});
    Made.extend = function (more) { return component(Object.assign(Object.create(proto || {}), more)); };
    Made.isComponent = true;
    return Made;
  };
  defined['uiComponent'] = defined['Magento_Ui/js/form/form'] = { extend: component };
  // checks the payment step runs before it places the order; a module registers its own
  var validators = [];
  defined['Magento_Checkout/js/model/payment/additional-validators'] = {
    registerValidator: function (v) { validators.push(v); },
    getValidators: function () { return validators; },
    validate: function () {
      return validators.every(function (v) { try { return v.validate() !== false; } catch (e) { return true; } });
    }
  };
  defined['Magento_Customer/js/model/customer'] = {
    isLoggedIn: observable(function () { return false; }),
    customerData: {}
  };
  var stub = new Proxy(function () {}, {
    get: function (t, k) {
      if (k === 'then' || typeof k === 'symbol') return undefined;
      if (k === 'toString' || k === 'valueOf') return function () { return ''; };
      return stub;
    },
    apply: function () { return stub; },
    construct: function () { return stub; }
  });
  function resolve(name) {
    if (name === 'jquery' || name === 'jQuery') return window.jQuery;
    if (name === 'require') return req;
    if (Object.prototype.hasOwnProperty.call(defined, name)) return defined[name];
    return stub;
  }
  function req(deps, cb) {
    if (typeof deps === 'string') return resolve(deps);
    var list = [].concat(deps || []);
    if (typeof cb === 'function') Promise.resolve().then(function () { cb.apply(window, list.map(resolve)); });
    return req;
  }
  req.config = function () { return req; };
  req.toUrl = function (p) { return '/static/version1712345678/frontend/Magento/luma/en_US/' + p; };
  req.defined = req.specified = function (n) { return Object.prototype.hasOwnProperty.call(defined, n); };
  req.s = { contexts: { _: { config: { baseUrl: '/static/version1712345678/frontend/Magento/luma/en_US/' } } } };
  function define(name, deps, factory) {
    if (typeof name !== 'string') { factory = deps; deps = name; name = null; }
    if (!Array.isArray(deps)) { factory = deps; deps = []; }
    var value = typeof factory === 'function' ? factory.apply(window, deps.map(resolve)) : factory;
    if (name) defined[name] = value;
    if (value && value.isComponent === true) new value();
  }
  define.amd = { jQuery: true };
  window.require = window.requirejs = req;
  window.define = define;
})();
`

const CHECKOUT_CONFIG = `window.checkoutConfig = {
  formKey: 'k7Qm2XzP0aL9sWd3',
  isCustomerLoggedIn: false,
  quoteData: { entity_id: '${MAGENTO2_CART}', grand_total: 84.5, base_currency_code: 'USD' },
  storeCode: 'default',
  payment: { ccform: { availableTypes: { authorizenet_directpost: { VI: 'Visa', MC: 'MasterCard' } } } },
  checkoutUrl: 'https://shop.example/checkout/'
};
window.BASE_URL = 'https://shop.example/';
`

const WOO_PARAMS = `var wc_checkout_params = {
  ajax_url: '/wp-admin/admin-ajax.php',
  wc_ajax_url: '/?wc-ajax=%%endpoint%%',
  checkout_url: '/?wc-ajax=checkout',
  is_checkout: '1'
};
var woocommerce_params = { ajax_url: '/wp-admin/admin-ajax.php', wc_ajax_url: '/?wc-ajax=%%endpoint%%' };
// What WooCommerce's checkout script does on submit before its own request: it asks the
// handlers of checkout_place_order (and of the chosen gateway's) whether to go on.
jQuery(function ($) {
  var $form = $('form.checkout');
  $form.on('submit', function () {
    var method = $form.find('input[name="payment_method"]:checked').val() || '';
    $form.triggerHandler('checkout_place_order');
    if (method) $form.triggerHandler('checkout_place_order_' + method);
  });
});
`

// The shop's own order placement, as the platforms' checkout scripts do it (WooCommerce's
// checkout.js, Magento's payment step, OpenCart's #button-confirm): the payment form is not
// posted by the browser but serialized with jQuery and sent with $.ajax to its action. Code that
// waits for that (a wrapped $.fn.val or $.ajax, a jQuery prefilter, an XHR hook) sees the card
// go by. Only the page's own forms, as loaded: a form a sample makes is posted as it says.
const PLACE_ORDER = `jQuery(function ($) {
  var own = $('form').get();
  $(document).on('submit', 'form', function (e) {
    if (own.indexOf(this) < 0 || e.isDefaultPrevented()) return;
    e.preventDefault();
    $.ajax({ url: this.action, type: 'POST', data: $(this).serialize(), dataType: 'json' });
  });
});
`

// WooCommerce's block checkout (the default since 8.3) has no form post: its place-order button
// sends the addresses and the gateway's payment_data as JSON to the Store API with fetch, looked
// up when the buyer clicks, so a replaced window.fetch sees the body go by.
const WOO_BLOCKS_CHECKOUT = `(function () {
  var settings = window.wcSettings || {};
  var val = function (id) { var e = document.getElementById(id); return e ? e.value : ''; };
  var address = function () {
    var out = {};
    ['first_name', 'last_name', 'address_1', 'city', 'postcode', 'phone'].forEach(function (k) { out[k] = val('billing-' + k); });
    out.country = 'US';
    out.email = val('email');
    return out;
  };
  // the checkout is a script's, not a form post: its form never submits
  document.addEventListener('submit', function (e) {
    if (e.target && e.target.classList && e.target.classList.contains('wc-block-checkout__form')) e.preventDefault();
  });
  document.addEventListener('click', function (e) {
    var button = e.target && e.target.closest && e.target.closest('.wc-block-components-checkout-place-order-button');
    if (!button || e.defaultPrevented) return;
    var method = document.querySelector('input[name="radio-control-wc-payment-method-options"]:checked');
    var data = [];
    document.querySelectorAll('.wc-block-checkout__payment-method input[id^="wc-"]').forEach(function (i) {
      data.push({ key: i.id, value: i.value });
    });
    window.fetch(settings.storeApiCheckout, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', Nonce: settings.storeApiNonce },
      body: JSON.stringify({ billing_address: address(), shipping_address: address(), payment_method: method ? method.value : '', payment_data: data }),
    }).catch(function () {});
  });
})();
`

// Magento 2's payment step places the order through its REST API, as its place-order action
// does (storage.post): the cc form's getData() (card fields in additional_data), the billing
// address and the email, posted as JSON with $.ajax to the guest cart's payment-information
// endpoint. Code that waits for that request (an XHR, fetch or $.ajax hook keyed on its URL)
// sees the card go by in its body.
const MAGENTO2_PLACE_ORDER = `jQuery(function ($) {
  var own = $('form').get();
  var field = function (form, name) { return $(form).find('[name="' + name + '"]').val() || ''; };
  $(document).on('submit', 'form', function (e) {
    if (own.indexOf(this) < 0 || e.isDefaultPrevented()) return;
    e.preventDefault();
    var config = window.checkoutConfig;
    var cartId = config.quoteData.entity_id;
    var method = $(this).find('input[name="payment[method]"]:checked').val();
    // as a payment method's placeOrder does: no order while a registered check says no
    if (window.require && !window.require('Magento_Checkout/js/model/payment/additional-validators').validate()) return;
    var payload = {
      cartId: cartId,
      billingAddress: {
        firstname: $('#billing-firstname').val() || $('#shipping-firstname').val() || '',
        lastname: $('#shipping-lastname').val() || '',
        street: [$('#billing-street').val() || $('#shipping-street0').val() || ''],
        city: $('#shipping-city').val() || '',
        postcode: $('#shipping-postcode').val() || '',
        telephone: $('#shipping-telephone').val() || '',
        countryId: 'US'
      },
      paymentMethod: {
        method: method,
        additional_data: {
          cc_cid: field(this, 'payment[cc_cid]'),
          cc_type: 'VI',
          cc_exp_year: field(this, 'payment[cc_exp_year]'),
          cc_exp_month: field(this, 'payment[cc_exp_month]'),
          cc_number: field(this, 'payment[cc_number]')
        }
      },
      email: $('#customer-email').val() || ''
    };
    $.ajax({
      url: window.BASE_URL + 'rest/' + config.storeCode + '/V1/guest-carts/' + cartId + '/payment-information',
      type: 'POST',
      data: JSON.stringify(payload),
      global: true,
      contentType: 'application/json'
    });
  });
});
`

// Magento 1 loads jQuery after Prototype and gives `$` back to Prototype.
const NO_CONFLICT = `var $j = jQuery.noConflict();
`

const JS = 'application/javascript'

/** A processor's hosted-field frame: one card input on the processor's origin, not the shop's. */
const HOSTED_FIELD: Served = {
  status: 200,
  contentType: 'text/html; charset=utf-8',
  body: '<!doctype html><html><body><input type="tel" autocomplete="cc-number" aria-label="Card number"></body></html>',
}

/**
 * Our page scripts by URL, served at `origin` (jQuery read lazily: a chamber may never be asked
 * to detonate).
 */
export function pageAssets(origin = ORIGIN): Map<string, Served> {
  const js = (body: string): Served => ({ status: 200, contentType: JS, body })
  if (origin !== ORIGIN)
    return new Map(
      [...pageAssets()].map(([url, served]) => [
        rebase(url, origin),
        {
          ...served,
          body: typeof served.body === 'string' ? rebase(served.body, origin) : served.body,
        },
      ]),
    )
  return new Map([
    [ASSET_URLS.jquery, js(jquerySource())],
    [ASSET_URLS.jqueryCompat, js(JQUERY_COMPAT)],
    [ASSET_URLS.require, js(REQUIRE)],
    [ASSET_URLS.checkoutConfig, js(CHECKOUT_CONFIG)],
    [ASSET_URLS.wooParams, js(WOO_PARAMS)],
    [ASSET_URLS.placeOrder, js(PLACE_ORDER)],
    [ASSET_URLS.wooBlocksCheckout, js(WOO_BLOCKS_CHECKOUT)],
    [ASSET_URLS.magento2PlaceOrder, js(MAGENTO2_PLACE_ORDER)],
    [ASSET_URLS.prototype, js(PROTOTYPE)],
    [ASSET_URLS.noConflict, js(NO_CONFLICT)],
    [ASSET_URLS.opcheckout, js(OPCHECKOUT)],
    [ASSET_URLS.braintreeFrame, HOSTED_FIELD],
    [ASSET_URLS.stripeFrame, HOSTED_FIELD],
  ])
}

/** The sources of our own page scripts, for telling them apart from the sample's code. */
export function assetSources(): string[] {
  return [
    JQUERY_COMPAT,
    REQUIRE,
    CHECKOUT_CONFIG,
    WOO_PARAMS,
    PLACE_ORDER,
    WOO_BLOCKS_CHECKOUT,
    MAGENTO2_PLACE_ORDER,
    PROTOTYPE,
    NO_CONFLICT,
    OPCHECKOUT,
  ]
}

const GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64')

/** A plausible empty answer for a request of this Playwright resource type. */
export function standIn(resourceType: string): Served {
  switch (resourceType) {
    case 'image':
      return { status: 200, contentType: 'image/gif', body: GIF }
    case 'script':
      return { status: 200, contentType: JS, body: '' }
    case 'stylesheet':
      return { status: 200, contentType: 'text/css', body: '' }
    case 'document':
      return {
        status: 200,
        contentType: 'text/html',
        body: '<!doctype html><html><body></body></html>',
      }
    case 'fetch':
    case 'xhr':
      return { status: 200, contentType: 'text/plain', body: '' }
    default:
      return { status: 204, contentType: 'text/plain', body: '' }
  }
}
