// store.js: the storefront (GET /): products, the cart, promo codes, accounts with the guest cart
// merged at sign-in, save for later, sharing (a link to this page with `?share=<id>` shows the
// shared cart and copies it into the visitor's), checkout, display currencies, and live updates
// across tabs.
"use strict";

const Store = {
  cart: null,
  checkout: null,
  stream: null,
  products: [],
  /** The display currencies on offer with a rate: code → {rate, minor_units}. */
  currencies: {},

  async start() {
    document.getElementById("sign-in").addEventListener("submit", (event) => {
      event.preventDefault();
      this.signIn(false);
    });
    document.getElementById("register-button").addEventListener("click", () => this.signIn(true));
    document.getElementById("sign-out-button").addEventListener("click", () => this.signOut());
    document.getElementById("promo").addEventListener("submit", (event) => {
      event.preventDefault();
      this.applyPromo();
    });
    document.getElementById("promo-remove").addEventListener("click", () =>
      this.change("promo-error", () => Api.request("DELETE", "/cart/promo")));
    document.getElementById("share-button").addEventListener("click", () => this.share());
    document.getElementById("shared-copy").addEventListener("click", () => this.copyShared());
    document.getElementById("checkout-button").addEventListener("click", () => this.startCheckout());
    document.getElementById("checkout-complete").addEventListener("click", () => this.endCheckout("complete"));
    document.getElementById("checkout-cancel").addEventListener("click", () => this.endCheckout("cancel"));
    document.getElementById("currency").addEventListener("change", (event) => this.showIn(event.target.value));
    // Another tab signing in or out changes who this tab shops as; one choosing a currency, what
    // this tab shows prices in.
    window.addEventListener("storage", (event) => {
      if (event.key === "hotcart.token") this.refreshAccount();
      if (event.key === "hotcart.currency") this.showIn(Api.currency);
    });
    await this.loadCurrencies();
    await this.refreshAccount();
    await attempt("products-error", () => this.loadProducts());
    await this.showShared();
  },

  // Display currencies: the offered ones with a rate (GET /currencies/); products, the cart,
  // checkouts and shared carts come from the API in the one chosen (`?currency=`).

  async loadCurrencies() {
    try {
      const listed = await Api.request("GET", "/currencies/");
      for (const entry of listed.filter((entry) => entry.offered && entry.rate !== null)) {
        this.currencies[entry.code] = entry;
      }
    } catch {
      this.currencies = {};
    }
    if (Api.currency && !this.currencies[Api.currency]) Api.currency = null;
    const codes = Object.keys(this.currencies);
    const select = document.getElementById("currency");
    select.replaceChildren(...codes.map((code) => element("option", code, { value: code })));
    document.getElementById("currency-picker").hidden = codes.length < 2;
  },

  async showIn(code) {
    Api.currency = this.currencies[code] ? code : null;
    await this.loadCart();
    await attempt("products-error", () => this.loadProducts());
    await this.showShared();
    if (this.checkout) {
      await attempt("checkout-error", async () =>
        this.showCheckout(await Api.request("GET", `/checkouts/${this.checkout.checkout_id}`)));
    }
  },

  /** `amount` (as the API wrote it) in `currency`, with that currency's minor units. */
  money(amount, currency) {
    return Api.money(amount, currency, this.currencies[currency]?.minor_units);
  },

  /** The currency the API answers in: the one chosen, else the base currency (the cart's). */
  shownCurrency() {
    return Api.currency ?? this.cart?.currency ?? "USD";
  },

  // Account

  async refreshAccount() {
    const signedIn = Boolean(Api.token);
    document.getElementById("sign-in").hidden = signedIn;
    document.getElementById("signed-in").hidden = !signedIn;
    if (signedIn) {
      try {
        const me = await Api.request("GET", "/users/me");
        document.getElementById("who").textContent = me.email;
      } catch (error) {
        if (error.status === 401) {
          Api.token = null;
          return this.refreshAccount();
        }
      }
    }
    await this.loadCart();
    this.listen();
  },

  async signIn(registering) {
    const email = document.getElementById("email").value.trim();
    const password = document.getElementById("password").value;
    const note = document.getElementById("account-note");
    const before = this.cart ? this.cart.total_items : 0;
    const worked = await attempt("account-error", async () => {
      if (registering) await Api.request("POST", "/auth/register", { json: { email, password } });
      await signIn(email, password);
    });
    if (!worked) return;
    document.getElementById("password").value = "";
    await this.refreshAccount();
    note.textContent = before > 0
      ? `Signed in. Your guest cart (${before} item${before === 1 ? "" : "s"}) was merged into your account's cart.`
      : "Signed in.";
  },

  async signOut() {
    await attempt("account-error", () => Api.request("POST", "/auth/jwt/logout"));
    Api.token = null;
    document.getElementById("account-note").textContent = "Signed out; you shop as a guest again.";
    await this.refreshAccount();
  },

  // Products

  async loadProducts() {
    this.products = (await Api.request("GET", "/products/?limit=100")).filter((product) => product.is_active);
    this.showProducts();
  },

  showProducts() {
    document.getElementById("products").replaceChildren(...this.products.map((product) => this.productCard(product)));
  },

  productCard(product) {
    const card = element("li", null, { class: "card", "data-product-id": String(product.id) });
    card.append(element("h3", product.name));
    card.append(element("p", this.money(product.price, this.shownCurrency()), { class: "price" }));
    const stock = product.stock === null ? "In stock" : product.stock === 0 ? "Out of stock" : `${product.stock} left`;
    card.append(element("p", stock, { class: "muted" }));
    const form = element("form", null, { class: "inline" });
    const quantityID = `quantity-${product.id}`;
    const label = element("label", "Quantity", { for: quantityID });
    const quantity = element("input", null, {
      id: quantityID, type: "number", min: "1", value: "1", inputmode: "numeric", class: "quantity",
    });
    const add = element("button", "Add to cart", { type: "submit", "aria-label": `Add ${product.name} to cart` });
    const errorID = `product-error-${product.id}`;
    const error = element("p", null, { id: errorID, class: "error", role: "alert" });
    form.append(label, quantity, add, error);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const wanted = Number(quantity.value);
      this.change(errorID, () => Api.request("POST", "/cart/items", {
        json: { product_id: product.id, quantity: Number.isInteger(wanted) ? wanted : quantity.value },
      }));
    });
    card.append(form);
    return card;
  },

  // Cart

  async loadCart() {
    await attempt("cart-error", async () => this.show(await Api.request("GET", "/cart")));
  },

  /** Runs a cart change; its answer (a CartResponse) is the cart shown. */
  async change(errorID, action) {
    return attempt(errorID, async () => {
      const answer = await action();
      if (answer && answer.items) this.show(answer);
    });
  },

  show(cart) {
    this.cart = cart;
    document.getElementById("currency").value = cart.currency;
    document.getElementById("cart-version").textContent = `(version ${cart.version})`;
    document.getElementById("lines").replaceChildren(...cart.items.map((item) => this.line(item, false)));
    document.getElementById("saved").replaceChildren(...cart.saved_items.map((item) => this.line(item, true)));
    document.getElementById("saved-title").hidden = cart.saved_items.length === 0;
    document.getElementById("empty").hidden = cart.items.length > 0;
    document.getElementById("total-items").textContent = cart.total_items;
    document.getElementById("subtotal").textContent = this.money(cart.subtotal, cart.currency);
    document.getElementById("discount").textContent = this.money(cart.discount || 0, cart.currency);
    document.getElementById("total").firstElementChild.textContent = this.money(cart.total ?? cart.subtotal, cart.currency);
    document.getElementById("promo-remove").hidden = !cart.promo_code;
    if (cart.promo_code) document.getElementById("promo-code").value = cart.promo_code;
    document.getElementById("warnings").replaceChildren(...cart.warnings.map((warning) => element("li", warning.message)));
    document.getElementById("checkout-button").disabled = cart.items.length === 0;
  },

  line(item, saved) {
    const row = element("li", null, { class: "line", "data-item-id": item.id });
    row.append(element("span", item.product_name, { class: "name" }));
    row.append(element("span", this.money(item.unit_price, this.cart.currency), { class: "muted" }));
    const errorID = `line-error-${item.id}`;
    const controls = element("span", null, { class: "stepper" });
    if (!saved) {
      const less = element("button", "−", { type: "button", "aria-label": `One less ${item.product_name}` });
      const count = element("output", String(item.quantity), { "aria-label": `Quantity of ${item.product_name}` });
      const more = element("button", "+", { type: "button", "aria-label": `One more ${item.product_name}` });
      less.addEventListener("click", () => this.setQuantity(item, item.quantity - 1, errorID));
      more.addEventListener("click", () => this.setQuantity(item, item.quantity + 1, errorID));
      controls.append(less, count, more);
      const later = element("button", "Save for later", { type: "button", "aria-label": `Save ${item.product_name} for later` });
      later.addEventListener("click", () =>
        this.change(errorID, () => Api.request("POST", "/cart/save-for-later", { json: { item_id: item.id } })));
      controls.append(later);
    } else {
      const back = element("button", "Move to cart", { type: "button", "aria-label": `Move ${item.product_name} to cart` });
      back.addEventListener("click", () =>
        this.change(errorID, () => Api.request("POST", `/cart/saved/${item.id}/move-to-cart`)));
      controls.append(element("span", `× ${item.quantity}`), back);
    }
    const remove = element("button", "Remove", { type: "button", "aria-label": `Remove ${item.product_name}` });
    remove.addEventListener("click", () => this.change(errorID, () => Api.request("DELETE", `/cart/items/${item.id}`)));
    controls.append(remove);
    row.append(controls, element("span", this.money(item.total_price, this.cart.currency), { class: "line-total" }));
    row.append(element("p", null, { id: errorID, class: "error", role: "alert" }));
    return row;
  },

  // A quantity is set against the cart as shown: one another tab changed meanwhile is not
  // overwritten with a figure worked out from the old one.
  setQuantity(item, quantity, errorID) {
    return this.change(errorID, () => this.asShown((headers) =>
      Api.request("PUT", `/cart/items/${item.id}`, { json: { quantity }, headers })));
  },

  /**
   * Sends a change meant for the cart as this tab shows it: `request` gets the headers that say
   * so (If-Match: its version). A cart changed meanwhile, in another tab whose live update has
   * not arrived yet, refuses it (412): the cart is shown as it is now, and the error says why.
   */
  async asShown(request) {
    try {
      return await request({ "If-Match": `"${this.cart.version}"` });
    } catch (error) {
      if (error.status !== 412) throw error;
      await this.loadCart();
      error.message = "Your cart changed in another tab: it shows as it is now; try again.";
      throw error;
    }
  },

  applyPromo() {
    const code = document.getElementById("promo-code").value.trim();
    return this.change("promo-error", () => Api.request("POST", "/cart/promo", { json: { code } }));
  },

  async share() {
    await attempt("actions-error", async () => {
      const share = await Api.request("POST", "/cart/share");
      const url = `${location.origin}/?share=${encodeURIComponent(share.share_id)}`;
      document.getElementById("share-link").replaceChildren("Share link: ", element("a", url, { href: url }));
    });
  },

  /** The shared cart this page's link names (`?share=`), if any: its lines as they were shared. */
  async showShared() {
    const id = new URLSearchParams(location.search).get("share");
    if (!id) return;
    document.getElementById("shared").hidden = false;
    await attempt("shared-error", async () => {
      const shared = await Api.request("GET", `/shared-carts/${encodeURIComponent(id)}`);
      const currency = this.shownCurrency();
      document.getElementById("shared-lines").replaceChildren(...shared.items.map((item) => {
        const row = element("li", null, { class: "line" });
        row.append(element("span", `${item.product_name} × ${item.quantity}`, { class: "name" }));
        row.append(element("span", this.money(item.unit_price, currency), { class: "muted" }));
        return row;
      }));
      document.getElementById("shared-subtotal").textContent = this.money(shared.subtotal, currency);
    });
  },

  /** Adds the shared cart's lines to this visitor's cart, at today's prices, with the merge caps. */
  async copyShared() {
    const id = new URLSearchParams(location.search).get("share");
    const note = document.getElementById("shared-note");
    note.textContent = "";
    const copied = await this.change("shared-error", () =>
      Api.request("POST", `/shared-carts/${encodeURIComponent(id)}/copy`));
    if (copied) note.textContent = "Added to your cart.";
  },

  // Checkout

  // The cart as shown is checked out, or nothing. One key per cart and version: a second
  // click, or a retry after a lost answer, gets the checkout the first made instead of a
  // conflict with the empty cart it left.
  async startCheckout() {
    if (!this.cart) return;
    const key = `checkout-${this.cart.id}-${this.cart.version}`;
    await attempt("actions-error", async () => this.showCheckout(await this.asShown((headers) =>
      Api.request("POST", "/cart/checkout", { headers: { ...headers, "Idempotency-Key": key } }))));
    await this.loadCart();
  },

  async endCheckout(action) {
    if (!this.checkout) return;
    await attempt("checkout-error", async () =>
      this.showCheckout(await Api.request("POST", `/checkouts/${this.checkout.checkout_id}/${action}`)));
    await this.loadCart();
  },

  showCheckout(checkout) {
    this.checkout = checkout;
    document.getElementById("checkout").hidden = false;
    document.getElementById("checkout-status").textContent = checkout.status;
    document.getElementById("checkout-total").textContent = this.money(checkout.total, checkout.currency);
    const reserved = checkout.status === "reserved";
    document.getElementById("checkout-until").textContent = reserved
      ? `stock held until ${new Date(checkout.reserved_until).toLocaleTimeString()}` : "";
    document.getElementById("checkout-complete").disabled = !reserved;
    document.getElementById("checkout-cancel").disabled = !reserved;
  },

  // Live updates: GET /cart/events. A guest's EventSource carries the cookie; a signed-in tab
  // reads the stream with fetch, which can send the Authorization header.

  listen() {
    if (this.stream) this.stream.stop();
    this.stream = Api.token ? this.fetchStream() : this.eventSource();
  },

  setLive(text, connected) {
    const live = document.getElementById("live");
    live.textContent = text;
    live.classList.toggle("connected", connected);
  },

  onEvent(data) {
    const event = JSON.parse(data);
    if (!this.cart || event.version !== this.cart.version) this.loadCart();
  },

  eventSource() {
    const source = new EventSource("/cart/events");
    let retry = null;
    source.addEventListener("open", () => this.setLive("Live: changes from other tabs show here", true));
    source.addEventListener("error", () => {
      this.setLive("Live updates reconnecting…", false);
      // A dropped stream is reopened by the EventSource itself, but an answer that is not a
      // stream (503 while Redis is away) closes it for good: open a new one a second later.
      if (source.readyState === EventSource.CLOSED) retry = setTimeout(() => this.listen(), 1000);
    });
    source.addEventListener("cart", (event) => this.onEvent(event.data));
    return {
      stop: () => {
        clearTimeout(retry);
        source.close();
      },
    };
  },

  fetchStream() {
    const controller = new AbortController();
    let lastID = null;
    const run = async () => {
      while (!controller.signal.aborted) {
        try {
          const headers = { Authorization: `Bearer ${Api.token}` };
          if (lastID) headers["Last-Event-ID"] = lastID;
          const response = await fetch("/cart/events", { headers, signal: controller.signal });
          if (!response.ok) throw new ApiError(response.status, null);
          this.setLive("Live: changes from other tabs show here", true);
          const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
          let pending = "";
          for (;;) {
            const { value, done } = await reader.read();
            if (done) break;
            pending += value;
            let end;
            while ((end = pending.indexOf("\n\n")) >= 0) {
              const block = pending.slice(0, end);
              pending = pending.slice(end + 2);
              const data = block.split("\n").filter((line) => line.startsWith("data: ")).map((line) => line.slice(6));
              const id = block.split("\n").find((line) => line.startsWith("id: "));
              if (id) lastID = id.slice(4);
              if (data.length) this.onEvent(data.join("\n"));
            }
          }
        } catch (error) {
          if (controller.signal.aborted) return;
        }
        this.setLive("Live updates reconnecting…", false);
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    };
    run();
    return { stop: () => controller.abort() };
  },
};

document.addEventListener("DOMContentLoaded", () => Store.start());
